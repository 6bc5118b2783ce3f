// The fused step for linear encoders (linear-step.ts + the fused Adam update) against its oracles:
// tfjs's autodiff gradient of objective.ts, central finite differences of an independent Float64
// objective, and a whole fit with the autodiff step; no leaks; kernels per Adam step.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { simulateFactor, Standardizer } from '@hetmtl/data';
import { standardizeTasks } from '@hetmtl/estimator';
import { identity, mlp } from '@hetmtl/encoders';
import { mcp } from '@hetmtl/regularizers';
import { countTensors, Random, type Scalar, tf, useBackend, type Variable } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { encoderBlocks } from './blocks.js';
import { type AnalyticBlock, sharedBlock, specificBlock, linearVars } from './linear-step.js';
import { objective, objectiveTensor } from './objective.js';
import { runDual } from './sequence.js';
import { start } from './start.js';
import { DualTrainer, type TrainerConfig } from './trainer.js';
import { tinyTasks, trainerConfig } from '../test-fixtures/trainer-config.js';

/** Three tasks of unequal size; the third (12 rows) is too small for its own encoder at K1 = 1. */
const tinyData = (seed: number) => tinyTasks(seed, { p: 5, sizes: [24, 31, 12], centre: true });

const config = trainerConfig;

/** A trainer moved away from its PCA start (so that every term has a gradient). */
async function movedTrainer(cfg: TrainerConfig, seed = 1): Promise<DualTrainer> {
  const trainer = new DualTrainer(
    { ...cfg, gradient: 'autodiff' },
    tinyData(seed),
    new Random(seed + 1),
  );
  await start(trainer, new Random(seed + 2));
  for (const b of encoderBlocks(trainer)) {
    await b.run({ round: 1 });
    b.dispose?.();
  }
  // Off the coefficient block's optimum, so that γ and c have gradients too.
  const { beta, gamma, c } = trainer.store.coef;
  const rng = new Random(seed + 3);
  const shift = (a: Float64Array) => a.map((v) => v + 0.3 * rng.normal());
  trainer.store.setCoefficients({ beta: beta.map(shift), gamma: gamma.map(shift), c: shift(c) });
  // (and off the least-squares decoders)
  for (const d of [trainer.decoder0, trainer.decoderS])
    for (const v of Object.values(d?.variables ?? {}))
      tf.tidy(() =>
        v.assign(tf.add(v, tf.mul(0.1, tf.randomNormal(v.shape, 0, 1, 'float32', seed)))),
      );
  return trainer;
}

/** The analytic gradient of the whole objective (decay terms added) and the fused loss. */
function analytic(b: AnalyticBlock): { grads: Float64Array[]; loss: number } {
  const c = b.program.prepare();
  const { grads, loss } = b.program.step(c, true);
  const out = grads.map((g, j) => {
    const d = b.decay[j]!;
    const x = b.variables[j]!.dataSync();
    const dv = typeof d === 'number' ? null : d.dataSync();
    return Float64Array.from(g.dataSync(), (v, i) => v + (dv ? dv[i]! : (d as number)) * x[i]!);
  });
  const value = loss!.dataSync()[0]!;
  tf.dispose([...grads, loss!]);
  b.program.release(c);
  return { grads: out, loss: value };
}

function autodiff(tr: DualTrainer, vars: Variable[]): Float64Array[] {
  const { grads, value } = tf.variableGrads(() => objectiveTensor(tr) as Scalar, vars);
  const out = vars.map((v) => Float64Array.from(grads[v.name]!.dataSync()));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

/**
 * The objective of method.md §3 (without fusion) in Float64 from the trainer's parameters, for
 * linear encoders with biases — written from the formula, not from objective.ts or linear-step.ts.
 */
function objective64(tr: DualTrainer, P: Map<Variable, Float64Array>): number {
  const { R, p, K0, K1, counts, config: cfg } = tr;
  const get = (v: Variable) => P.get(v) ?? Float64Array.from(v.dataSync());
  const g0 = linearVars(tr.shared)!;
  const gs = linearVars(tr.specific)!;
  const [W0, b0, Ws, bs] = [get(g0.W), get(g0.b!), get(gs.W), get(gs.b!)];
  const t = tr.store.tensors();
  const [beta, gamma, c] = [get(t.beta), get(t.gamma), get(t.c)];
  const D0 = get(Object.values(tr.decoder0!.variables)[0]!);
  const Ds = get(Object.values(tr.decoderS!.variables)[0]!);
  const { mu0, sd0, muS, sdS } = tr.store.stats;
  let Q = 0;
  counts.forEach((n, r) => {
    const X = tr.data.X[r]!;
    const y = tr.data.y[r]!;
    const w = tr.taskWeights[r]!;
    const F = new Float64Array(n * K0);
    const G = new Float64Array(n * K1);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K0; k++) {
        let s = b0[k]!;
        for (let j = 0; j < p; j++) s += X[i * p + j]! * W0[j * K0 + k]!;
        F[i * K0 + k] = (s - mu0[k]!) / sd0[k]!;
      }
      for (let k = 0; k < K1 && tr.hasSpecific[r]; k++) {
        let s = bs[r * K1 + k]!;
        for (let j = 0; j < p; j++) s += X[i * p + j]! * Ws[(r * p + j) * K1 + k]!;
        G[i * K1 + k] = (s - muS[r]![k]!) / sdS[r]![k]!;
      }
    }
    let fit = 0;
    let rec = 0;
    for (let i = 0; i < n; i++) {
      let pred = c[r]!;
      for (let k = 0; k < K0; k++) pred += F[i * K0 + k]! * beta[r * K0 + k]!;
      for (let k = 0; k < K1; k++) pred += G[i * K1 + k]! * gamma[r * K1 + k]!;
      fit += (y[i]! - pred) ** 2;
      for (let j = 0; j < p; j++) {
        let xh = 0;
        for (let k = 0; k < K0; k++) xh += F[i * K0 + k]! * D0[k * p + j]!;
        for (let k = 0; k < K1; k++) xh += G[i * K1 + k]! * Ds[(r * K1 + k) * p + j]!;
        rec += (X[i * p + j]! - xh) ** 2;
      }
    }
    let g2 = 0;
    for (let k = 0; k < K1; k++) g2 += gamma[r * K1 + k]! ** 2;
    const mean = (M: Float64Array, K: number, k: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += M[i * K + k]! / n;
      return s;
    };
    let orth = 0;
    for (let a = 0; a < K0; a++) {
      for (let b = 0; b < K1; b++) {
        const [mf, mg] = [mean(F, K0, a), mean(G, K1, b)];
        let s = 0;
        for (let i = 0; i < n; i++) s += (F[i * K0 + a]! - mf) * (G[i * K1 + b]! - mg);
        orth += (s / n) ** 2;
      }
    }
    Q += w * (fit / (2 * n) + (cfg.tau / 2) * g2) + cfg.mu * orth;
    Q += (cfg.omega * w * rec) / (2 * n * p);
  });
  let wd = 0;
  for (const a of [W0, b0, Ws, bs]) for (const v of a) wd += v * v;
  return Q + (cfg.nu / 2) * wd + 0 * R;
}

for (const [name, plugin] of [
  ['cpu', cpuBackend()],
  ['wasm', wasmBackend()],
] as const) {
  describe(`the fused step for linear encoders on ${name}`, () => {
    it('its gradient and loss equal the autodiff gradient and objective.ts (float32)', async () => {
      await useBackend(plugin);
      const before = countTensors();
      for (const cfg of [
        config(),
        config({ omega: 0 }),
        config({ mu: 0, nu: 0 }),
        config({ taskWeights: 'equal' }),
        config({ specific: null, K1: 0 }),
        config({ shared: identity(), K0: 5 }),
        config({ shared: mlp({ hidden: [3] }) }),
        config({ specific: mlp({ hidden: [3] }) }),
      ]) {
        const tr = await movedTrainer(cfg);
        const blocks = [specificBlock(tr, linearVars(tr.shared)), sharedBlock(tr)];
        let checked = 0;
        for (const b of blocks) {
          if (!b) continue;
          const got = analytic(b);
          expect(Math.abs(got.loss - objective(tr))).toBeLessThan(2e-6 * (1 + objective(tr)));
          const want = autodiff(tr, b.variables);
          want.forEach((w, j) => {
            const scale = maxAbs(w);
            expect(scale).toBeGreaterThan(1e-4);
            got.grads[j]!.forEach((g, i) =>
              expect(Math.abs(g - w[i]!)).toBeLessThan(1e-5 * scale + 1e-7),
            );
            checked++;
          });
          b.dispose();
        }
        // Every variable of every analytic block (linear encoders: one or both blocks).
        const linearOnes = [cfg.shared, cfg.specific].filter((e) => e?.kind === 'linear').length;
        expect(blocks.filter((b) => b !== null).length).toBe(linearOnes);
        expect(checked).toBeGreaterThanOrEqual(2 * blocks.filter((b) => b !== null).length);
        tr.dispose();
      }
      expect(countTensors()).toBe(before);
    });

    it('its gradient equals central finite differences of a Float64 objective', async () => {
      await useBackend(plugin);
      const tr = await movedTrainer(config(), 3);
      const P = new Map<Variable, Float64Array>();
      const a = specificBlock(tr, linearVars(tr.shared))!;
      const b = sharedBlock(tr)!;
      const q32 = analytic(b).loss;
      // The Float64 objective at the float32 parameters is the fused loss to float32 precision.
      expect(Math.abs(objective64(tr, P) - q32)).toBeLessThan(1e-6 * (1 + q32));
      let checked = 0;
      for (const blk of [a, b]) {
        const got = analytic(blk).grads;
        blk.variables.forEach((v, j) => {
          const base = Float64Array.from(v.dataSync());
          const g = got[j]!;
          const scale = maxAbs(g);
          for (let i = 0; i < base.length; i++) {
            const at = (d: number) => {
              const x = base.slice();
              x[i]! += d;
              P.set(v, x);
              return objective64(tr, P);
            };
            const h = 1e-6;
            const fd = (at(h) - at(-h)) / (2 * h);
            P.delete(v);
            // A wrong factor (2, n_r, sd) or sign is off by ≥ 50%; float32 inputs allow ~1e-5.
            expect(Math.abs(fd - g[i]!)).toBeLessThan(2e-5 * scale + 1e-7);
            checked++;
          }
        });
        blk.dispose();
      }
      expect(checked).toBeGreaterThan(30);
      tr.dispose();
    });

    it('runs an Adam step in at most 25 kernels, with no Identity clones (tf.profile count)', async () => {
      await useBackend(plugin);
      const sim = simulateFactor({ seed: 2, numTasks: 5, n: 60, p: 20, testRows: 1 });
      const data = standardizeTasks(sim.train, new Standardizer().fit(sim.train));
      const steps = 20;
      const cfg = config({ K0: 4, K1: 2, mu: 0.1, tau: 1e-3, nu: 1e-4, stepsPerBlock: steps });
      const tr = new DualTrainer(cfg, data, new Random(1));
      await start(tr, new Random(2));
      const blocks = encoderBlocks(tr);
      for (const b of blocks) await b.run({ round: 1 });
      const before = countTensors();
      const counts: number[] = [];
      for (const b of blocks.slice(0, 2)) {
        const info = await tf.profile(async () => {
          await b.run({ round: 2 });
          return [];
        });
        const perStep = info.kernels.length / steps;
        expect(perStep).toBeLessThanOrEqual(25);
        expect(perStep).toBeGreaterThan(10);
        expect(info.kernels.filter((k) => k.name === 'Identity')).toEqual([]);
        counts.push(perStep);
      }
      expect(countTensors()).toBe(before);
      for (const b of blocks) b.dispose?.();
      tr.dispose();
      // The autodiff reference of the same blocks: many more kernels, Identity clones among them.
      const ref = new DualTrainer({ ...cfg, gradient: 'autodiff' }, data, new Random(1));
      await start(ref, new Random(2));
      const refBlocks = encoderBlocks(ref);
      for (const [i, b] of refBlocks.slice(0, 2).entries()) {
        const info = await tf.profile(async () => {
          await b.run({ round: 1 });
          return [];
        });
        expect(info.kernels.length / steps).toBeGreaterThan(5 * counts[i]!);
        expect(info.kernels.some((k) => k.name === 'Identity')).toBe(true);
      }
      for (const b of refBlocks) b.dispose?.();
      ref.dispose();
    });
  });
}

describe('a whole fit with the fused step', () => {
  it("follows the autodiff fit within the reference's own float32 spread (cpu against wasm): objective trajectory, predictions, chosen λ and groups", async () => {
    const before = countTensors();
    // Planted: 5 tasks in 3 groups of β (method.md §7), small enough for a test.
    const sim = simulateFactor({ seed: 5, numTasks: 5, n: 50, p: 12, testRows: 20 });
    const std = new Standardizer().fit(sim.train);
    const data = standardizeTasks(sim.train, std);
    const X = standardizeTasks(sim.test, std).X;
    const run = async (gradient: 'analytic' | 'autodiff') => {
      const r = await runDual(
        {
          ...config({ K0: 3, K1: 2, mu: 0.1, tau: 1e-3, nu: 1e-4, learningRate: 1e-2 }),
          gradient,
          stepsPerBlock: 10,
        },
        data,
        new Random(7),
        {
          encoderPhase: { maxRounds: 4, tolerance: 0 },
          path: {
            similarity: mcp(),
            ridge: 1e-3,
            numLambdas: 10,
            lambda: 'path',
            criterion: 'bic',
          },
        },
      );
      const out = {
        trace: r.phase.trace.map((t) => t.objective),
        lambda: r.best.lambda,
        chosen: r.path.findIndex((row) => row.lambda === r.best.lambda),
        groups: r.path.map((row) => row.numGroups),
        pred: X.map((x, t) => Array.from(r.fitted.predict(t, x))),
      };
      r.fitted.dispose();
      return out;
    };
    await useBackend(wasmBackend());
    const wasmRef = await run('autodiff');
    await useBackend(cpuBackend());
    const ref = await run('autodiff');
    const got = await run('analytic');
    const gap = (u: number[], v: number[]) => Math.max(...u.map((x, i) => Math.abs(x - v[i]!)));
    const flat = (p: number[][]) => p.flat();
    // The reference's spread between two backends: float32 rounding amplified by Adam.
    const spreadQ = gap(ref.trace, wasmRef.trace);
    const spreadP = gap(flat(ref.pred), flat(wasmRef.pred));
    expect(spreadQ).toBeLessThan(1e-3 * ref.trace[0]!);
    expect(got.trace.length).toBe(ref.trace.length);
    expect(gap(got.trace, ref.trace)).toBeLessThanOrEqual(Math.max(2 * spreadQ, 1e-6));
    expect(gap(flat(got.pred), flat(ref.pred))).toBeLessThanOrEqual(Math.max(2 * spreadP, 1e-5));
    // The λ grid is set by the final β (its values move with them): the same point of the path.
    expect(got.chosen).toBe(ref.chosen);
    expect(got.chosen).toBeGreaterThanOrEqual(0);
    expect(Math.abs(got.lambda - ref.lambda)).toBeLessThanOrEqual(
      Math.max(2 * Math.abs(wasmRef.lambda - ref.lambda), 3e-3 * ref.lambda),
    );
    expect(got.groups).toEqual(ref.groups);
    expect(Math.min(...got.groups)).toBeLessThan(5); // the path does fuse tasks
    expect(countTensors()).toBe(before);
  });
});

describe('encoders that keep autodiff', () => {
  it("an MLP fit with the fused Adam update is the reference fit (tfjs's Adam) bit for bit on cpu", async () => {
    await useBackend(cpuBackend());
    const before = countTensors();
    const data = tinyData(9);
    const run = async (gradient: 'analytic' | 'autodiff') => {
      const r = await runDual(
        { ...config({ shared: mlp({ hidden: [4] }), specific: mlp({ hidden: [3] }) }), gradient },
        data,
        new Random(4),
        {
          encoderPhase: { maxRounds: 2, tolerance: 0 },
          path: { similarity: mcp(), ridge: 1e-3, numLambdas: 4, lambda: 'path', criterion: 'bic' },
        },
      );
      const trace = r.phase.trace.map((t) => t.objective);
      r.fitted.dispose();
      return trace;
    };
    const got = await run('analytic');
    const ref = await run('autodiff');
    expect(new Set(ref).size).toBeGreaterThan(2); // the blocks did move the objective
    expect(got).toEqual(ref);
    expect(countTensors()).toBe(before);
  });
});
