import { cpuBackend } from '@hetmtl/backend-cpu';
import { countTensors, Random, tf, useBackend, ValidationError } from '@hetmtl/tensor';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildEncoder, encoderRegistry } from './default-registry.js';
import { initialScale } from './init.js';
import { mlp, mlpDefinition } from './mlp.js';
import { EncoderRegistry } from './registry.js';
import { type Act, layersOf, maxRelErr, mlpForward, taskLayersOf } from './test-fixtures/oracle.js';

const ACTS: Act[] = ['elu', 'relu', 'tanh'];

let before = 0;
beforeAll(async () => {
  await useBackend(cpuBackend());
});
beforeEach(() => {
  before = countTensors();
});
afterEach(() => {
  expect(countTensors()).toBe(before);
});

function rows(rng: Random, n: number, p: number): Float64Array {
  // Inputs representable in float32, so that the oracle and the tensor see the same numbers.
  return Float64Array.from(Float32Array.from(rng.normals(n * p)));
}

describe('mlp config', () => {
  it('fills defaults: hidden [32], elu, bias', () => {
    expect(mlp()).toEqual({
      kind: 'mlp',
      specVersion: 1,
      config: { hidden: [32], activation: 'elu', bias: true },
    });
    expect(mlp({ hidden: [8, 4], activation: 'tanh', bias: false }).config).toEqual({
      hidden: [8, 4],
      activation: 'tanh',
      bias: false,
    });
    expect(Object.isFrozen(mlp().config.hidden)).toBe(true);
  });

  it('copies the hidden array (later changes do not reach the spec)', () => {
    const hidden = [4];
    const spec = mlp({ hidden });
    hidden.push(9);
    expect(spec.config.hidden).toEqual([4]);
  });

  it.each([
    [{ hidden: [0] }, /hidden.*positive integers/],
    [{ hidden: 16 }, /hidden/],
    [{ activation: 'sigmoid' }, /'elu', 'relu', 'tanh'.*"sigmoid"/],
    [{ bias: 'yes' }, /true or false/],
    [{ hiden: [4] }, /Unknown option "hiden".*check its spelling/],
    [{ out: 4 }, /Unknown option "out".*option of the model/],
  ])('rejects %j with a ValidationError', (config, message) => {
    const e = (() => {
      try {
        mlp(config as never);
      } catch (caught) {
        return caught;
      }
    })();
    expect(ValidationError.isInstance(e)).toBe(true);
    expect((e as Error).message).toMatch(message);
  });
});

describe('mlp forward', () => {
  it.each(ACTS)('matches a Float64 loop (%s, two hidden layers, bias)', (activation) => {
    const rng = new Random(11);
    const [n, p, K] = [9, 6, 3];
    const e = buildEncoder(mlp({ hidden: [5, 4], activation }), { inputDim: p, outputDim: K, rng });
    const x = rows(rng, n, p);
    const got = tf.tidy(() => e.forward(tf.tensor2d(Float32Array.from(x), [n, p])).dataSync());
    const want = mlpForward(x, n, layersOf(e.getWeights()), activation);
    expect(maxRelErr(got, want)).toBeLessThan(1e-5);
    e.dispose();
  });

  it('matches a Float64 loop without biases, and names its variables w0, w1 with the prefix', () => {
    const rng = new Random(12);
    const e = buildEncoder(mlp({ hidden: [4], bias: false, activation: 'tanh' }), {
      inputDim: 3,
      outputDim: 2,
      rng,
      name: 'shared',
    });
    expect(Object.keys(e.variables)).toEqual(['shared/w0', 'shared/w1']);
    const x = rows(rng, 5, 3);
    const got = tf.tidy(() => e.forward(tf.tensor2d(Float32Array.from(x), [5, 3])).dataSync());
    expect(
      maxRelErr(got, mlpForward(x, 5, layersOf(e.getWeights(), 'shared/'), 'tanh')),
    ).toBeLessThan(1e-5);
    e.dispose();
  });

  it('is safe outside tidy too: only the output stays alive', () => {
    const e = buildEncoder(mlp({ hidden: [4] }), { inputDim: 3, outputDim: 2, rng: new Random(1) });
    const x = tf.ones([2, 3]);
    const n0 = countTensors();
    const out = e.forward(x);
    expect(countTensors()).toBe(n0 + 1);
    tf.dispose([out, x]);
    e.dispose();
  });

  it('rejects wrong input shapes with a ValidationError that says what to do', () => {
    const e = buildEncoder(mlp({ hidden: [4] }), { inputDim: 3, outputDim: 2, rng: new Random(1) });
    expect(() => tf.tidy(() => e.forward(tf.ones([2, 4])))).toThrow(
      /expected \[n, p = 3\], received \[2,4\]/,
    );
    expect(() => tf.tidy(() => e.forward(tf.ones([2, 2, 3])))).toThrow(/not batched: reshape/);
    const b = buildEncoder(mlp({ hidden: [4] }), {
      inputDim: 3,
      outputDim: 2,
      rng: new Random(1),
      tasks: 2,
    });
    expect(() => tf.tidy(() => b.forward(tf.ones([3, 2, 3])))).toThrow(
      /expected \[R = 2, n, p = 3\].*padTasks/,
    );
    e.dispose();
    b.dispose();
    expect(() => tf.tidy(() => e.forward(tf.ones([1, 3])))).toThrow(/was disposed/);
  });
});

describe('mlp initialisation', () => {
  it('uses He normal before elu/relu, Glorot normal before tanh and for the output layer, zero biases', () => {
    const [p, h, K] = [60, 80, 40];
    for (const activation of ACTS) {
      const e = buildEncoder(mlp({ hidden: [h], activation }), {
        inputDim: p,
        outputDim: K,
        rng: new Random(3),
      });
      const w = e.getWeights();
      const sd = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      const hiddenWant = initialScale(activation === 'tanh' ? 'glorot-normal' : 'he-normal', p, h);
      expect(hiddenWant).toBeCloseTo(
        activation === 'tanh' ? Math.sqrt(2 / (p + h)) : Math.sqrt(2 / p),
        12,
      );
      expect(sd(w.w0!.values) / hiddenWant).toBeGreaterThan(0.97);
      expect(sd(w.w0!.values) / hiddenWant).toBeLessThan(1.03);
      expect(Math.abs(mean(w.w0!.values))).toBeLessThan(0.01);
      expect(sd(w.w1!.values) / Math.sqrt(2 / (h + K))).toBeGreaterThan(0.95);
      expect(sd(w.w1!.values) / Math.sqrt(2 / (h + K))).toBeLessThan(1.05);
      expect(w.b0!.values.every((v) => v === 0) && w.b1!.values.every((v) => v === 0)).toBe(true);
      e.dispose();
    }
  });

  it('same seed gives identical weights, another seed different ones', () => {
    const build = (seed: number) =>
      buildEncoder(mlp({ hidden: [4] }), { inputDim: 3, outputDim: 2, rng: new Random(seed) });
    const [a, b, c] = [build(5), build(5), build(6)];
    expect(a.getWeights()).toEqual(b.getWeights());
    expect(a.getWeights().w0).not.toEqual(c.getWeights().w0);
    for (const e of [a, b, c]) e.dispose();
  });
});

describe('mlp gradients', () => {
  it.each(ACTS)('match central finite differences of the Float64 oracle (%s)', (activation) => {
    const rng = new Random(21);
    const [n, p, K] = [6, 4, 2];
    const e = buildEncoder(mlp({ hidden: [3], activation }), { inputDim: p, outputDim: K, rng });
    const x = rows(rng, n, p);
    const c = rng.normals(n * K);
    const weights = e.getWeights();
    // L(θ) = Σ g(x) ⊙ C.
    const loss = (w: typeof weights) =>
      mlpForward(x, n, layersOf(w), activation).reduce((s, v, i) => s + v * c[i], 0);
    const grads = tf.tidy(() => {
      const xt = tf.tensor2d(Float32Array.from(x), [n, p]);
      const ct = tf.tensor2d(Float32Array.from(c), [n, K]);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(e.forward(xt), ct)) as tf.Scalar,
        Object.values(e.variables),
      );
      value.dispose();
      return Object.fromEntries(
        Object.entries(e.variables).map(([k, v]) => [k, Array.from(grads[v.name]!.dataSync())]),
      );
    });
    const h = 1e-6;
    for (const [key, w] of Object.entries(weights)) {
      const fd = w.values.map((_, i) => {
        const plus = structuredClone(weights);
        const minus = structuredClone(weights);
        plus[key]!.values[i]! += h;
        minus[key]!.values[i]! -= h;
        return (loss(plus) - loss(minus)) / (2 * h);
      });
      expect(maxRelErr(grads[key]!, fd), key).toBeLessThan(1e-4);
    }
    e.dispose();
  });
});

describe('batched mlp (task-specific encoders)', () => {
  it('stacks R copies: weights [R, fanIn, fanOut], biases [R, 1, fanOut]', () => {
    const e = buildEncoder(mlp({ hidden: [4] }), {
      inputDim: 3,
      outputDim: 2,
      rng: new Random(1),
      tasks: 5,
      name: 'specific',
    });
    expect(Object.fromEntries(Object.entries(e.variables).map(([k, v]) => [k, v.shape]))).toEqual({
      'specific/w0': [5, 3, 4],
      'specific/b0': [5, 1, 4],
      'specific/w1': [5, 4, 2],
      'specific/b1': [5, 1, 2],
    });
    expect(e.tasks).toBe(5);
    e.dispose();
  });

  it.each(ACTS)(
    'forward of [R, n, p] equals the Float64 oracle per task with task r’s weights (%s)',
    (activation) => {
      const rng = new Random(31);
      const [R, n, p, K] = [4, 5, 3, 2];
      const e = buildEncoder(mlp({ hidden: [6, 3], activation }), {
        inputDim: p,
        outputDim: K,
        rng,
        tasks: R,
      });
      // Non-zero biases, so that the per-task bias slicing is tested too.
      const w = e.getWeights();
      for (const [k, v] of Object.entries(w))
        if (k.startsWith('b')) v.values = v.values.map(() => rng.normal(0, 0.5));
      e.setWeights(w);
      const x = rows(rng, R * n, p);
      const got = tf.tidy(() => e.forward(tf.tensor3d(Float32Array.from(x), [R, n, p])).dataSync());
      for (let r = 0; r < R; r++) {
        const want = mlpForward(
          x.subarray(r * n * p, (r + 1) * n * p),
          n,
          taskLayersOf(w, r),
          activation,
        );
        expect(maxRelErr(got.subarray(r * n * K, (r + 1) * n * K), want)).toBeLessThan(1e-5);
      }
      e.dispose();
    },
  );

  it("equals the registry's loop over R unbatched copies built from the same seed (same weights, same outputs)", () => {
    const registry = new EncoderRegistry().register({
      ...mlpDefinition,
      kind: 'mlp-unbatched',
      batched: false,
    });
    const config = mlp({ hidden: [4], activation: 'tanh' }).config;
    const ctx = { inputDim: 3, outputDim: 2, tasks: 3, name: 'specific' };
    const batched = buildEncoder(mlp(config), { ...ctx, rng: new Random(8) });
    const looped = registry.build(
      { kind: 'mlp-unbatched', specVersion: 1, config },
      { ...ctx, rng: new Random(8) },
    );
    expect(Object.keys(looped.variables)).toContain('specific/w0@2');
    // Same values; the loop keeps each task's own shape under the leading axis (biases [R, 4], not [R, 1, 4]).
    const lw = looped.getWeights();
    for (const [key, w] of Object.entries(batched.getWeights())) {
      expect(lw[key]!.values).toEqual(w.values);
      expect(lw[key]!.shape[0]).toBe(3);
    }
    const x = tf.tensor3d(Float32Array.from(new Random(9).normals(3 * 4 * 3)), [3, 4, 3]);
    const a = tf.tidy(() => batched.forward(x).dataSync());
    const b = tf.tidy(() => looped.forward(x).dataSync());
    expect(maxRelErr(b, a)).toBeLessThan(1e-6);
    tf.dispose(x);
    batched.dispose();
    looped.dispose();
  });

  it('gradient of a masked loss: padded rows contribute nothing, tasks get only their own gradient', () => {
    const rng = new Random(41);
    const [R, nMax, p, K] = [3, 4, 2, 2];
    const e = buildEncoder(mlp({ hidden: [3] }), { inputDim: p, outputDim: K, rng, tasks: R });
    const x = Float32Array.from(rng.normals(R * nMax * p));
    const mask = Float32Array.from({ length: R * nMax }, (_, i) =>
      i % nMax < 2 + (Math.floor(i / nMax) % 2) ? 1 : 0,
    );
    const grad = (xv: Float32Array) =>
      tf.tidy(() => {
        const xt = tf.tensor3d(xv, [R, nMax, p]);
        const m = tf.tensor3d(mask, [R, nMax, 1]);
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(tf.square(e.forward(xt)), m)) as tf.Scalar,
          Object.values(e.variables),
        );
        value.dispose();
        return Object.values(e.variables).map((v) => Array.from(grads[v.name]!.dataSync()));
      });
    const g1 = grad(x);
    // Changing a padded row changes nothing.
    const x2 = x.slice();
    const padded = mask.indexOf(0);
    x2[padded * p] = 100;
    expect(grad(x2)).toEqual(g1);
    // Changing task 0's real rows changes only task 0's slices.
    const x3 = x.slice();
    x3[0] = 5;
    const g3 = grad(x3);
    const w0 = 0; // index of w0 in variables
    const size = p * 3;
    expect(g3[w0]!.slice(size)).toEqual(g1[w0]!.slice(size));
    expect(g3[w0]!.slice(0, size)).not.toEqual(g1[w0]!.slice(0, size));
    e.dispose();
  });
});

describe('registry round trip', () => {
  it('a spec rebuilt from JSON with setWeights(getWeights()) gives identical outputs', () => {
    const e = buildEncoder(mlp({ hidden: [5], activation: 'relu' }), {
      inputDim: 4,
      outputDim: 2,
      rng: new Random(2),
      tasks: 2,
    });
    const saved = JSON.parse(JSON.stringify({ spec: e.spec, weights: e.getWeights() }));
    const f = encoderRegistry.build(saved.spec, {
      inputDim: 4,
      outputDim: 2,
      rng: new Random(99),
      tasks: 2,
    });
    f.setWeights(saved.weights);
    const x = tf.tensor3d(Float32Array.from(new Random(3).normals(2 * 6 * 4)), [2, 6, 4]);
    expect(Array.from(tf.tidy(() => f.forward(x).dataSync()))).toEqual(
      Array.from(tf.tidy(() => e.forward(x).dataSync())),
    );
    tf.dispose(x);
    e.dispose();
    f.dispose();
  });
});
