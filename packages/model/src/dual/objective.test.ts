// The objective of method.md §3 as the trainer computes it: autodiff gradients against finite
// differences and against the closed form of the orthogonality gradient, and the rescaling step.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { countTensors, Random, type Scalar, tf, useBackend, type Variable } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { encoderBlocks } from './blocks.js';
import { objective, objectiveTensor } from './objective.js';
import { restandardize } from './rescale.js';
import { predictTasks } from './sequence.js';
import { start } from './start.js';
import { DualTrainer } from './trainer.js';
import { tinyTasks, trainerConfig } from '../test-fixtures/trainer-config.js';

const tinyData = (seed: number) => tinyTasks(seed, { p: 4, sizes: [24, 31], centre: false });

const config = trainerConfig;

function gradients(trainer: DualTrainer, vars: Variable[]): Float64Array[] {
  const { grads, value } = tf.variableGrads(() => objectiveTensor(trainer) as Scalar, vars);
  const out = vars.map((v) => Float64Array.from(grads[v.name]!.dataSync()));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

for (const [name, plugin] of [
  ['cpu', cpuBackend()],
  ['wasm', wasmBackend()],
] as const) {
  describe(`objective on ${name}`, () => {
    it('autodiff gradients of the whole objective match central finite differences', async () => {
      await useBackend(plugin);
      const before = countTensors();
      const trainer = new DualTrainer(config(), tinyData(1), new Random(2));
      await start(trainer, new Random(3));
      // Move away from the PCA start so that every term has a gradient.
      for (const b of encoderBlocks(trainer)) {
        await b.run({ round: 1 });
        b.dispose?.();
      }
      const vars = [
        ...Object.values(trainer.shared.variables),
        ...Object.values(trainer.specific!.variables),
      ];
      const ad = gradients(trainer, vars);
      const eps = 1e-2;
      let checked = 0;
      vars.forEach((v, k) => {
        const base = Float32Array.from(v.dataSync());
        const g = ad[k]!;
        const scale = Math.max(...Array.from(g, Math.abs));
        for (const i of [0, Math.floor(base.length / 2), base.length - 1]) {
          const at = (delta: number) => {
            const w = base.slice();
            w[i]! += delta;
            const t = tf.tensor(w, v.shape);
            v.assign(t);
            t.dispose();
            return objective(trainer);
          };
          const fd = (at(eps) - at(-eps)) / (2 * eps);
          at(0);
          // A wrong sign or a missing factor of 2 is off by ≥ 50% of |g|; this allows 3% of the scale.
          expect(Math.abs(fd - g[i]!)).toBeLessThanOrEqual(0.03 * scale + 2e-3);
          checked++;
        }
      });
      expect(checked).toBeGreaterThanOrEqual(12);
      trainer.dispose();
      expect(countTensors()).toBe(before);
    });

    it('the gradient of μ‖F̃ᵀG̃/n‖² w.r.t. the shared weights equals the closed form (2/n) G̃ Cᵀ', async () => {
      await useBackend(plugin);
      const data = tinyData(4);
      const mu = 2;
      const make = async (m: number) => {
        const t = new DualTrainer(config({ mu: m, omega: 0, nu: 0 }), data, new Random(5));
        await start(t, new Random(6));
        return t;
      };
      const withMu = await make(mu);
      const without = await make(0);
      const w = withMu.shared.variables['shared/w0']!;
      const diff = gradients(withMu, [w])[0]!.map(
        (g, i) => g - gradients(without, [without.shared.variables['shared/w0']!])[0]![i]!,
      );
      // Closed form: ∂/∂F_r = μ (2/n_r) G̃_r C_rᵀ with C_r = F̃_rᵀG̃_r / n_r, F = (XW + b − m)/s.
      const { F, G } = withMu.trainingFactors();
      const { K0, K1, p } = withMu;
      const sd0 = withMu.store.stats.sd0;
      const want = new Float64Array(p * K0);
      F.forEach((Fr, r) => {
        const n = data.y[r]!.length;
        const center = (M: Float64Array, k: number) => {
          const out = M.slice();
          for (let j = 0; j < k; j++) {
            let m = 0;
            for (let i = 0; i < n; i++) m += M[i * k + j]! / n;
            for (let i = 0; i < n; i++) out[i * k + j]! -= m;
          }
          return out;
        };
        const Fc = center(Fr, K0);
        const Gc = center(G[r]!, K1);
        const C = new Float64Array(K0 * K1);
        for (let i = 0; i < n; i++)
          for (let a = 0; a < K0; a++)
            for (let b = 0; b < K1; b++) C[a * K1 + b]! += (Fc[i * K0 + a]! * Gc[i * K1 + b]!) / n;
        const X = data.X[r]!;
        for (let i = 0; i < n; i++) {
          for (let a = 0; a < K0; a++) {
            let dF = 0;
            for (let b = 0; b < K1; b++) dF += (mu * 2 * Gc[i * K1 + b]! * C[a * K1 + b]!) / n;
            for (let j = 0; j < p; j++) want[j * K0 + a]! += (X[i * p + j]! * dF) / sd0[a]!;
          }
        }
      });
      const scale = Math.max(...Array.from(want, Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      diff.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(0.02 * scale + 1e-5));
      withMu.dispose();
      without.dispose();
    });

    it('block (a) keeps training γ and c after the rescaling and coefficient blocks replaced them', async () => {
      await useBackend(plugin);
      const trainer = new DualTrainer(config({ learningRate: 0.05 }), tinyData(10), new Random(11));
      await start(trainer, new Random(12));
      const blocks = encoderBlocks(trainer);
      for (const b of blocks) await b.run({ round: 1 });
      const gamma = trainer.store.coef.gamma.map((g) => Array.from(g));
      const c = Array.from(trainer.store.coef.c);
      await blocks[0]!.run({ round: 2 }); // task-specific Adam: moves γ and c
      expect(trainer.store.coef.gamma.map((g) => Array.from(g))).not.toEqual(gamma);
      expect(Array.from(trainer.store.coef.c)).not.toEqual(c);
      for (const b of blocks) b.dispose?.();
      trainer.dispose();
    });

    it('the rescaling step leaves predictions unchanged', async () => {
      await useBackend(plugin);
      const data = tinyData(7);
      const trainer = new DualTrainer(config({ learningRate: 0.1 }), data, new Random(8));
      await start(trainer, new Random(9));
      const [a, b] = encoderBlocks(trainer);
      await a!.run({ round: 1 });
      await b!.run({ round: 1 });
      const sdBefore = trainer.store.stats.sd0.slice();
      const before = predictTasks(trainer, data.X);
      restandardize(trainer, true);
      const after = predictTasks(trainer, data.X);
      // The statistics did move (else this test would prove nothing) ...
      expect(
        Math.max(...Array.from(sdBefore, (s, k) => Math.abs(s - trainer.store.stats.sd0[k]!))),
      ).toBeGreaterThan(1e-3);
      // ... and the predictions did not.
      before.forEach((p, r) =>
        p.forEach((v, i) =>
          expect(Math.abs(v - after[r]![i]!)).toBeLessThan(1e-4 * (1 + Math.abs(v))),
        ),
      );
      a!.dispose?.();
      b!.dispose?.();
      trainer.dispose();
    });
  });
}
