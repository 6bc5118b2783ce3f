// The fused Adam update against tfjs's AdamOptimizer (the oracle: same arithmetic, same float32
// roundings), its decay term against the gradient of a ridge, one kernel per step, no leaks.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { countTensors, NumericError, Random, type Scalar, tf, useBackend } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { AdamBlock } from './adam-block.js';
import { FusedAdamBlock, FusedAdamState } from './fused-adam.js';

const rng = new Random(3);
const A = Float32Array.from(rng.normals(12));
const B = Float32Array.from(rng.normals(4));
const target = Float32Array.from(rng.normals(3));

/** A small least-squares loss in two variables and its closed-form gradient. */
function problem() {
  const w = tf.tidy(() => tf.variable(tf.tensor2d(Float32Array.from(rng.normals(8)), [4, 2])));
  const b = tf.tidy(() => tf.variable(tf.tensor1d(Float32Array.from(rng.normals(2)))));
  const X = tf.tensor2d(A, [3, 4]);
  const y = tf.tensor2d(
    Float32Array.from({ length: 6 }, (_, i) => target[i % 3]! + B[i % 4]!),
    [3, 2],
  );
  const loss = () =>
    tf.tidy(() => tf.sum(tf.square(tf.sub(tf.add(tf.matMul(X, w), b), y))) as Scalar);
  // ∂/∂w = 2Xᵀr, ∂/∂b = 2·1ᵀr with r = Xw + b − y.
  const grads = () =>
    tf.tidy(() => {
      const r = tf.mul(tf.sub(tf.add(tf.matMul(X, w), b), y), 2);
      return [tf.matMul(X, r, true), tf.sum(r, 0)];
    });
  return { w, b, loss, grads, dispose: () => tf.dispose([w, b, X, y]) };
}

for (const [name, plugin, exact] of [
  ['cpu', cpuBackend(), true],
  ['wasm', wasmBackend(), false],
] as const) {
  describe(`fused Adam on ${name}`, () => {
    it(`equals tf.train.adam step by step${exact ? ' (bit for bit)' : ' (to float32 precision)'}`, async () => {
      await useBackend(plugin);
      const before = countTensors();
      const p = problem();
      const q = problem();
      q.w.assign(p.w);
      q.b.assign(p.b);
      const ref = tf.train.adam(0.05, 0.9, 0.999, 1e-8);
      const fused = new FusedAdamState([q.w, q.b], 0.05, 0.9, 0.999, 1e-8);
      const start = p.loss();
      const p0 = start.dataSync()[0]!;
      start.dispose();
      for (let step = 0; step < 30; step++) {
        ref.minimize(p.loss, false, [p.w, p.b]);
        const g = q.grads();
        expect(fused.apply(g)).toBe(true);
        tf.dispose(g);
        for (const [u, v] of [
          [p.w, q.w],
          [p.b, q.b],
        ] as const) {
          const a = u.dataSync();
          const c = v.dataSync();
          a.forEach((x, i) =>
            exact
              ? expect(c[i]).toBe(x)
              : expect(Math.abs(c[i]! - x)).toBeLessThan(1e-5 * (1 + Math.abs(x))),
          );
        }
      }
      // It did move the variables (a test that cannot fail proves nothing).
      const end = p.loss();
      expect(end.dataSync()[0]!).toBeLessThan(0.5 * p0);
      end.dispose();
      ref.dispose();
      fused.dispose();
      p.dispose();
      q.dispose();
      expect(countTensors()).toBe(before);
    });

    it("AdamBlock's fused update takes tfjs's steps (bit for bit on cpu)", async () => {
      await useBackend(plugin);
      const p = problem();
      const q = problem();
      q.w.assign(p.w);
      q.b.assign(p.b);
      const a = new AdamBlock('tfjs', [p.w, p.b], p.loss, { steps: 12, learningRate: 0.03 });
      const b = new AdamBlock('fused', [q.w, q.b], q.loss, {
        steps: 12,
        learningRate: 0.03,
        update: 'fused',
      });
      const [la, lb] = [await a.run({ round: 1 }), await b.run({ round: 1 })];
      if (exact) expect(lb.loss).toBe(la.loss);
      else expect(Math.abs(lb.loss! - la.loss!)).toBeLessThan(1e-5 * (1 + la.loss!));
      const wa = p.w.dataSync();
      q.w
        .dataSync()
        .forEach((x, i) =>
          exact ? expect(x).toBe(wa[i]) : expect(Math.abs(x - wa[i]!)).toBeLessThan(1e-5),
        );
      a.dispose();
      b.dispose();
      p.dispose();
      q.dispose();
    });

    it('adds decay·x to the gradient: the step of the loss plus a ridge (λ/2)‖x‖²', async () => {
      await useBackend(plugin);
      const p = problem();
      const q = problem();
      q.w.assign(p.w);
      q.b.assign(p.b);
      const lw = 0.3;
      const lb = tf.tensor1d([0.2, 0.7]);
      const ref = tf.train.adam(0.05, 0.9, 0.999, 1e-8);
      const ridge = () =>
        tf.tidy(() =>
          tf.addN([
            p.loss(),
            tf.mul(lw / 2, tf.sum(tf.square(p.w))),
            tf.sum(tf.mul(tf.mul(lb, 0.5), tf.square(p.b))),
          ]),
        ) as Scalar;
      const fused = new FusedAdamState([q.w, q.b], 0.05);
      for (let step = 0; step < 10; step++) {
        ref.minimize(ridge, false, [p.w, p.b]);
        const g = q.grads();
        fused.apply(g, [lw, lb]);
        tf.dispose(g);
      }
      for (const [u, v] of [
        [p.w, q.w],
        [p.b, q.b],
      ] as const) {
        const a = u.dataSync();
        v.dataSync().forEach((x, i) => expect(Math.abs(x - a[i]!)).toBeLessThan(1e-5));
      }
      ref.dispose();
      fused.dispose();
      p.dispose();
      q.dispose();
      lb.dispose();
    });

    it('runs one kernel per update for all variables, and reports non-finite values', async () => {
      await useBackend(plugin);
      const p = problem();
      const fused = new FusedAdamState([p.w, p.b], 0.05);
      const g = p.grads();
      const info = await tf.profile(() => {
        fused.apply(g);
        return [];
      });
      expect(info.kernels.map((k) => k.name)).toEqual(['HetmtlFusedAdam']);
      // Inside a tidy (a caller's), the state survives the scope.
      tf.tidy(() => fused.apply(g));
      expect(fused.m.every((m) => !m.isDisposed)).toBe(true);
      tf.dispose(g);
      const bad = [tf.fill([4, 2], Number.NaN), tf.zeros([2])];
      expect(fused.apply(bad)).toBe(false);
      tf.dispose(bad);
      fused.dispose();
      p.dispose();
    });

    it('FusedAdamBlock takes the same steps as AdamBlock, and stops on a divergence', async () => {
      await useBackend(plugin);
      const p = problem();
      const q = problem();
      q.w.assign(p.w);
      q.b.assign(p.b);
      const ref = new AdamBlock('ref', [p.w, p.b], p.loss, { steps: 7, learningRate: 0.02 });
      const blk = new FusedAdamBlock(
        'fused',
        [q.w, q.b],
        {
          prepare: () => null,
          step: (_c, withLoss) => ({ grads: q.grads(), ...(withLoss ? { loss: q.loss() } : {}) }),
          release: () => {},
        },
        { steps: 7, learningRate: 0.02 },
      );
      for (let round = 1; round <= 2; round++) {
        const a = await ref.run({ round });
        const b = await blk.run({ round });
        expect(Math.abs(a.loss! - b.loss!)).toBeLessThan(1e-5 * (1 + a.loss!));
      }
      q.w.dataSync().forEach((x, i) => expect(Math.abs(x - p.w.dataSync()[i]!)).toBeLessThan(1e-5));
      const diverge = new FusedAdamBlock(
        'diverge',
        [q.b],
        {
          prepare: () => null,
          step: () => ({ grads: [tf.fill([2], Number.POSITIVE_INFINITY)] }),
          release: () => {},
        },
        { steps: 3 },
      );
      await expect(diverge.run({ round: 1 })).rejects.toThrow(NumericError);
      for (const x of [ref, blk, diverge]) x.dispose();
      p.dispose();
      q.dispose();
    });
  });
}
