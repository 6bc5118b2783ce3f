// The stages of one dual run where the bugs were: the coefficient store and its transitions, the
// rescale compensation, the path's endpoints and BIC on the trainer's problem, and the refit's
// walk to a chosen λ. Oracles: direct formulas on the rows.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { linear } from '@hetmtl/encoders';
import { mcp, refitGroups } from '@hetmtl/regularizers';
import { countTensors, Random, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { encoderBlocks } from './blocks.js';
import { coefficientProblem, profiledIntercepts, solveCoefficients } from './coefficient-block.js';
import { objective } from './objective.js';
import { coefficientPath, type PathSettings } from './path.js';
import { compensate } from './rescale.js';
import { type DualRun, runDual } from './sequence.js';
import { start } from './start.js';
import { CoefficientStore, type FactorStats } from './store.js';
import type { StandardizedTasks } from '@hetmtl/estimator';
import { DualTrainer, type TrainerConfig } from './trainer.js';

function data(seed: number, sizes = [40, 45, 50, 38], p = 5): StandardizedTasks {
  const rng = new Random(seed);
  const X = sizes.map((n) => rng.normals(n * p));
  const y = X.map((x, r) =>
    Float64Array.from(
      { length: x.length / p },
      (_, i) => x[i * p]! * (r < 2 ? 1 : -1) + 0.5 * x[i * p + 1]! + 0.3 * rng.normal(),
    ),
  );
  return { X, y, p };
}

const config: TrainerConfig = {
  shared: linear(),
  specific: linear(),
  K0: 2,
  K1: 1,
  mu: 0.1,
  omega: 0.5,
  tau: 0.1,
  nu: 1e-4,
  ridge: 1e-3,
  taskWeights: 'size',
  learningRate: 0.02,
  stepsPerBlock: 3,
};

const settings = (lambda: PathSettings['lambda']): PathSettings => ({
  similarity: mcp(),
  ridge: 1e-3,
  numLambdas: 6,
  lambda,
  criterion: 'bic',
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

beforeAll(async () => {
  await useBackend(cpuBackend());
});

describe('the coefficient store', () => {
  it('copies what it is given, mirrors it into tensors, and round-trips a snapshot', () => {
    const before = countTensors();
    const store = new CoefficientStore(2, 2, 1, [true, false]);
    const coef = {
      beta: [Float64Array.of(1, 2), Float64Array.of(3, 4)],
      gamma: [Float64Array.of(0.5), Float64Array.of(0)],
      c: Float64Array.of(-1, 1),
    };
    store.setCoefficients(coef);
    coef.beta[0]![0] = 99;
    expect(Array.from(store.coef.beta[0]!)).toEqual([1, 2]);
    expect(Array.from(store.tensors().beta.dataSync())).toEqual([1, 2, 3, 4]);
    const snap = store.snapshot();
    store.setCoefficients({
      beta: [Float64Array.of(0, 0), Float64Array.of(0, 0)],
      gamma: [Float64Array.of(7), Float64Array.of(7)],
      c: Float64Array.of(0, 0),
    });
    store.restore(snap);
    expect(Array.from(store.coef.beta[1]!)).toEqual([3, 4]);
    expect(Array.from(store.tensors().gamma.dataSync())).toEqual([0.5, 0]);
    expect(Array.from(store.tensors().c.dataSync())).toEqual([-1, 1]);
    store.dispose();
    expect(countTensors()).toBe(before);
  });

  it('reads back the γ and c an Adam block trained, zero γ for a task without its own encoder', () => {
    const store = new CoefficientStore(2, 1, 1, [true, false]);
    const t = store.tensors();
    t.gamma.assign(t.gamma.add(0.25));
    t.c.assign(t.c.add(-2));
    store.pullTrained();
    expect(Array.from(store.coef.gamma[0]!)).toEqual([0.25]);
    expect(Array.from(store.coef.gamma[1]!)).toEqual([0]);
    expect(Array.from(store.coef.c)).toEqual([-2, -2]);
    store.dispose();
  });
});

describe('the rescale compensation', () => {
  it('keeps every prediction c + f̃β + g̃γ when the factor standardisation changes', () => {
    const rng = new Random(4);
    const R = 3;
    const K0 = 2;
    const K1 = 2;
    const hasSpecific = [true, false, true];
    const stats = (): FactorStats => ({
      mu0: rng.normals(K0),
      sd0: Float64Array.from(rng.normals(K0), (v) => 0.5 + Math.abs(v)),
      muS: hasSpecific.map(() => rng.normals(K1)),
      sdS: hasSpecific.map(() => Float64Array.from(rng.normals(K1), (v) => 0.5 + Math.abs(v))),
    });
    const old = stats();
    const next = stats();
    const coef = {
      beta: hasSpecific.map(() => rng.normals(K0)),
      gamma: hasSpecific.map((h) => (h ? rng.normals(K1) : new Float64Array(K1))),
      c: rng.normals(R),
    };
    const out = compensate(coef, old, next, hasSpecific);
    const predict = (
      cf: typeof coef,
      st: FactorStats,
      r: number,
      f: Float64Array,
      g: Float64Array,
    ) => {
      let s = cf.c[r]!;
      for (let k = 0; k < K0; k++) s += ((f[k]! - st.mu0[k]!) / st.sd0[k]!) * cf.beta[r]![k]!;
      if (hasSpecific[r])
        for (let k = 0; k < K1; k++)
          s += ((g[k]! - st.muS[r]![k]!) / st.sdS[r]![k]!) * cf.gamma[r]![k]!;
      return s;
    };
    for (let r = 0; r < R; r++)
      for (let trial = 0; trial < 5; trial++) {
        const f = rng.normals(K0);
        const g = rng.normals(K1);
        expect(predict(out, next, r, f, g)).toBeCloseTo(predict(coef, old, r, f, g), 12);
      }
    // The input is not changed.
    expect(out.beta[0]).not.toBe(coef.beta[0]);
  });
});

describe('the wide start', () => {
  it("through the rows' Gram gives the fit of the p×p start (p = 60 > N = 49 > n_r): same λ, predictions to 1e-8", async () => {
    const d = data(11, [12, 14, 10, 13], 60);
    const va = data(12, [6, 6, 6, 6], 60);
    const runs = [];
    for (const startSide of ['primal', 'dual'] as const) {
      runs.push(
        await runDual(config, d, new Random(13), {
          encoderPhase: { maxRounds: 3, tolerance: 0 },
          path: settings('path'),
          validation: va,
          startSide,
        }),
      );
    }
    const [primal, dual] = runs as [DualRun, DualRun];
    try {
      expect(dual.best.lambda).toBe(primal.best.lambda);
      expect(dual.best.groups).toEqual(primal.best.groups);
      expect(dual.startScore).toBeCloseTo(primal.startScore, 10);
      va.X.forEach((X, r) => {
        const a = primal.fitted.predict(r, X);
        const b = dual.fitted.predict(r, X);
        expect(maxDiff(a, b)).toBeLessThan(1e-8 * Math.max(1, ...Array.from(a, Math.abs)));
      });
    } finally {
      primal.fitted.dispose();
      dual.fitted.dispose();
    }
  });
});

describe('the path on a trainer', () => {
  it('λ = ∞ ties every β at the refit with ρ on every task; its BIC is the one of the rows', async () => {
    const d = data(1);
    const tr = new DualTrainer(config, d, new Random(2));
    try {
      await start(tr, new Random(3));
      const { best, problem } = await coefficientPath(tr, settings(Number.POSITIVE_INFINITY));
      const tied = refitGroups(problem.fusion, [0, 0, 0, 0], { ridge: 1e-3 });
      for (let r = 0; r < 4; r++) expect(maxDiff(best.beta[r]!, tied[r]!)).toBeLessThan(1e-12);
      expect(best.numGroups).toBe(1);
      // The modified BIC from the rows: residuals with (c_r, γ_r) profiled on the training rows.
      const { F, G } = tr.trainingFactors();
      const u = profiledIntercepts(problem, best.beta);
      let rss = 0;
      d.y.forEach((y, r) => {
        for (let i = 0; i < y.length; i++) {
          let e = y[i]! - u.c[r]!;
          for (let k = 0; k < 2; k++) e -= F[r]![i * 2 + k]! * best.beta[r]![k]!;
          e -= G[r]![i]! * u.gamma[r]![0]!;
          rss += e * e;
        }
      });
      const N = 173;
      const want =
        Math.log(rss / N) +
        Math.log(Math.log(N + 4 * 2)) * (Math.log(N) / N) * (1 * 2 + 4 * (1 + 1));
      expect(best.bic).toBeCloseTo(want, 10);
    } finally {
      tr.dispose();
    }
  });

  it('the refit reaches the chosen λ on the same encoders exactly as the path did', async () => {
    const tr = new DualTrainer(config, data(5), new Random(6));
    try {
      await start(tr, new Random(7));
      const path = await coefficientPath(tr, settings('path'));
      expect(path.rows[0]!.lambda).toBe(0);
      expect(path.rows[path.rows.length - 1]!.lambda).toBe(Number.POSITIVE_INFINITY);
      // Every finite positive λ of the path, reached again by the refit's walk.
      for (const row of path.rows.filter((r) => r.lambda > 0 && r.lambda < Infinity).slice(-3)) {
        const walked = await coefficientPath(tr, settings({ walkTo: row.lambda }));
        expect(walked.best.lambda).toBe(row.lambda);
        expect(walked.best.numGroups).toBe(row.numGroups);
        expect(walked.best.bic).toBeCloseTo(row.bic!, 12);
      }
    } finally {
      tr.dispose();
    }
  });

  it('a given point of the path is chosen as given (the last when the path is shorter)', async () => {
    const tr = new DualTrainer(config, data(5), new Random(6));
    try {
      await start(tr, new Random(7));
      const path = await coefficientPath(tr, settings('path'));
      for (const point of [0, 3, path.rows.length - 1, path.rows.length + 5]) {
        const at = await coefficientPath(tr, { ...settings('path'), criterion: { point } });
        const want = path.rows[Math.min(point, path.rows.length - 1)]!;
        expect(at.best.lambda).toBe(want.lambda);
        expect(at.best.numGroups).toBe(want.numGroups);
        expect(at.best.bic).toBe(want.bic);
      }
    } finally {
      tr.dispose();
    }
  });

  it('a trainer snapshot restores weights and coefficients exactly; nothing leaks', async () => {
    const before = countTensors();
    const tr = new DualTrainer(config, data(8), new Random(9));
    try {
      await start(tr, new Random(10));
      const snap = tr.snapshot();
      const value = objective(tr);
      const beta = tr.store.coef.beta.map((b) => Array.from(b));
      const blocks = encoderBlocks(tr);
      for (const b of blocks) await b.run({ round: 1 });
      for (const b of blocks) b.dispose?.();
      expect(objective(tr)).not.toBe(value);
      tr.restore(snap);
      tr.release(snap);
      expect(objective(tr)).toBe(value);
      expect(tr.store.coef.beta.map((b) => Array.from(b))).toEqual(beta);
      // A problem built now is the one of the restored encoders.
      expect(coefficientProblem(tr).fusion.b).toHaveLength(4);
    } finally {
      tr.dispose();
    }
    expect(countTensors()).toBe(before);
  });
});

describe('pooled encoder heads (the trunk candidate)', () => {
  it('solve one β for every task: pooled least squares with task intercepts on the factors', async () => {
    const d = data(11);
    const pooled: TrainerConfig = {
      ...config,
      specific: null,
      K1: 0,
      omega: 0,
      ridge: 0,
      encoderHeads: 'pooled',
    };
    const tr = new DualTrainer(pooled, d, new Random(12));
    try {
      await start(tr, new Random(13));
      solveCoefficients(tr);
      const { beta, c } = tr.store.coef;
      // Oracle: ordinary least squares of y on the factors with one intercept per task, from the
      // rows (task weights n_r/N make every row weigh the same), via the normal equations.
      const { F } = tr.trainingFactors();
      const K = 2;
      const H = [0, 0, 0, 0];
      const g = [0, 0];
      d.y.forEach((y, r) => {
        const n = y.length;
        const fm = [0, 1].map(
          (k) => F[r]!.filter((_, i) => i % K === k).reduce((a, b) => a + b) / n,
        );
        const ym = y.reduce((a, b) => a + b) / n;
        for (let i = 0; i < n; i++) {
          const f = [F[r]![i * K]! - fm[0]!, F[r]![i * K + 1]! - fm[1]!];
          for (let a = 0; a < K; a++) {
            g[a] = g[a]! + f[a]! * (y[i]! - ym);
            for (let b = 0; b < K; b++) H[a * K + b] = H[a * K + b]! + f[a]! * f[b]!;
          }
        }
      });
      const det = H[0]! * H[3]! - H[1]! * H[2]!;
      const want = [(H[3]! * g[0]! - H[1]! * g[1]!) / det, (H[0]! * g[1]! - H[2]! * g[0]!) / det];
      for (let r = 0; r < 4; r++) {
        expect(maxDiff(beta[r]!, want)).toBeLessThan(1e-8);
        // c_r: task r's mean residual.
        const y = d.y[r]!;
        const n = y.length;
        let m = 0;
        for (let i = 0; i < n; i++)
          m += (y[i]! - F[r]![i * K]! * want[0]! - F[r]![i * K + 1]! * want[1]!) / n;
        expect(c[r]!).toBeCloseTo(m, 8);
      }
      // The default (free heads) gives each task its own β on the same factors.
      const free = new DualTrainer({ ...pooled, encoderHeads: 'free' }, d, new Random(12));
      try {
        await start(free, new Random(13));
        solveCoefficients(free);
        expect(maxDiff(free.store.coef.beta[0]!, free.store.coef.beta[2]!)).toBeGreaterThan(0.1);
      } finally {
        free.dispose();
      }
    } finally {
      tr.dispose();
    }
  });
});
