import { matmul, type Matrix } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { toCsv } from './csv-write.js';
import type { TaskData } from './dataset.js';
import { simulateCovariate } from './simulate-covariate.js';
import { simulateFactor } from './simulate-factor.js';
import { PDX_TASKS, simulatePdxLike } from './simulate-pdx.js';

// Oracles below are written from the design's formulas (method.md §7), not from the simulator code.

function colMeans(t: TaskData): number[] {
  const m = new Array(t.p).fill(0);
  for (let i = 0; i < t.n; i++) for (let j = 0; j < t.p; j++) m[j] += t.X[i * t.p + j];
  return m.map((v) => v / t.n);
}

function covariance(t: TaskData): number[][] {
  const m = colMeans(t);
  const c = Array.from({ length: t.p }, () => new Array(t.p).fill(0));
  for (let i = 0; i < t.n; i++) {
    for (let j = 0; j < t.p; j++) {
      const dj = t.X[i * t.p + j] - m[j];
      for (let k = 0; k <= j; k++) c[j][k] += dj * (t.X[i * t.p + k] - m[k]);
    }
  }
  for (let j = 0; j < t.p; j++)
    for (let k = 0; k <= j; k++) c[k][j] = c[j][k] = c[j][k] / (t.n - 1);
  return c;
}

function at(m: Matrix, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

const h = (u: number, alpha: number) => (1 - alpha) * u + alpha * (u * u - 1);

describe('simulateFactor (the factor design)', () => {
  it('has the defaults of method.md §7', () => {
    const sim = simulateFactor();
    expect(sim.train.numTasks).toBe(5);
    expect(sim.train.sizes).toEqual([120, 120, 120, 120, 120]);
    expect(sim.test.sizes).toEqual([500, 500, 500, 500, 500]);
    expect(sim.train.numFeatures).toBe(100);
    expect(sim.settings).toMatchObject({
      sigmaX: 0.5,
      deltaX: 0.5,
      deltaY: 1,
      sigma: 0.5,
      alpha: 0,
      seed: 0,
    });
    // Groups (1,1,2,2,3), 0-based; β_r = α_k = (1, −1, 0.5) + δY·e_k.
    expect(sim.truth.groups).toEqual([0, 0, 1, 1, 2]);
    expect(sim.truth.beta).toEqual([
      [2, -1, 0.5],
      [2, -1, 0.5],
      [1, 0, 0.5],
      [1, 0, 0.5],
      [1, -1, 1.5],
    ]);
    expect(sim.truth.gamma.every((g) => g.length === 2)).toBe(true);
  });

  it('contiguous group blocks for other R, unequal sizes, reproducible by seed', () => {
    const sim = simulateFactor({
      numTasks: 7,
      n: [10, 20, 30, 40, 50, 60, 70],
      testRows: 5,
      p: 12,
      seed: 4,
    });
    expect(sim.truth.groups).toEqual([0, 0, 0, 1, 1, 2, 2]);
    expect(sim.train.sizes).toEqual([10, 20, 30, 40, 50, 60, 70]);
    const again = simulateFactor({
      numTasks: 7,
      n: [10, 20, 30, 40, 50, 60, 70],
      testRows: 5,
      p: 12,
      seed: 4,
    });
    expect(Array.from(again.train.task(3).X)).toEqual(Array.from(sim.train.task(3).X));
    const other = simulateFactor({
      numTasks: 7,
      n: [10, 20, 30, 40, 50, 60, 70],
      testRows: 5,
      p: 12,
      seed: 5,
    });
    expect(Array.from(other.train.task(3).X)).not.toEqual(Array.from(sim.train.task(3).X));
    // Changing the test rows leaves the training rows as they were.
    const moreTest = simulateFactor({
      numTasks: 7,
      n: [10, 20, 30, 40, 50, 60, 70],
      testRows: 9,
      p: 12,
      seed: 4,
    });
    expect(Array.from(moreTest.train.task(6).y)).toEqual(Array.from(sim.train.task(6).y));
  });

  it('loadings: orthogonal columns of squared norm 0.25·p/K, task loadings orthogonal to A0', () => {
    const p = 40;
    const { truth } = simulateFactor({ p, n: 2, testRows: 1 });
    const g0 = matmul(truth.sharedLoadings, truth.sharedLoadings, { transA: true });
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        expect(at(g0, i, j)).toBeCloseTo(i === j ? (0.25 * p) / 3 : 0, 10);
    for (const Ar of truth.taskLoadings) {
      const gr = matmul(Ar, Ar, { transA: true });
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++)
          expect(at(gr, i, j)).toBeCloseTo(i === j ? (0.25 * p) / 2 : 0, 10);
      const cross = matmul(truth.sharedLoadings, Ar, { transA: true });
      for (const v of cross.data) expect(Math.abs(v)).toBeLessThan(1e-10);
    }
  });

  it('on large samples: feature means A0·δX·m_r, covariance A0A0ᵀ + A_rA_rᵀ + σx²I', () => {
    const p = 12;
    const n = 20_000;
    const sim = simulateFactor({ p, n, testRows: 1, deltaX: 1.5, sigmaX: 0.7, seed: 8 });
    const { truth } = sim;
    for (const t of sim.train) {
      const m = colMeans(t);
      const shift = (truth.shift[t.index] as number[]).map((v) => 1.5 * v);
      for (let j = 0; j < p; j++) {
        let expected = 0;
        for (let k = 0; k < 3; k++) expected += at(truth.sharedLoadings, j, k) * shift[k];
        expect(Math.abs(m[j] - expected)).toBeLessThan(0.04);
      }
      const c = covariance(t);
      const A0 = truth.sharedLoadings;
      const Ar = truth.taskLoadings[t.index];
      for (let j = 0; j < p; j++) {
        for (let k = 0; k < p; k++) {
          let expected = j === k ? 0.49 : 0;
          for (let q = 0; q < 3; q++) expected += at(A0, j, q) * at(A0, k, q);
          for (let q = 0; q < 2; q++) expected += at(Ar, j, q) * at(Ar, k, q);
          expect(Math.abs(c[j][k] - expected)).toBeLessThan(0.05);
        }
      }
    }
  });

  it('the shift across tasks: projected feature means recover δX·m_r, and vanish with δX = 0', () => {
    const p = 15;
    for (const deltaX of [0, 2]) {
      const sim = simulateFactor({ p, n: 20_000, testRows: 1, deltaX, seed: 3 });
      const c = (0.25 * p) / 3;
      for (const t of sim.train) {
        const m = colMeans(t);
        for (let k = 0; k < 3; k++) {
          let proj = 0;
          for (let j = 0; j < p; j++) proj += at(sim.truth.sharedLoadings, j, k) * m[j];
          expect(
            Math.abs(proj / c - deltaX * (sim.truth.shift[t.index] as number[])[k]),
          ).toBeLessThan(0.04);
        }
      }
    }
  });

  it('noise-free means follow y = c_r + β_r·h_α(f) + γ_r·h_α(h); oracle RMSE ≈ σ', () => {
    const alpha = 0.3;
    const sim = simulateFactor({ p: 10, n: 50, testRows: 2000, alpha, sigma: 0.5, seed: 2 });
    const { truth } = sim;
    sim.test.tasks().forEach((t) => {
      const { shared, task } = truth.factors.test[t.index] as {
        shared: Float64Array;
        task: Float64Array;
      };
      const beta = truth.beta[t.index] as number[];
      const gamma = truth.gamma[t.index] as number[];
      for (let i = 0; i < t.n; i++) {
        let mu = truth.c[t.index];
        for (let k = 0; k < 3; k++) mu += beta[k] * h(shared[i * 3 + k], alpha);
        for (let k = 0; k < 2; k++) mu += gamma[k] * h(task[i * 2 + k], alpha);
        expect(Math.abs(mu - truth.testMeans[t.index][i])).toBeLessThan(1e-12);
      }
    });
    const y = sim.test.pooled().y;
    const mean = Float64Array.from(truth.testMeans.flatMap((m) => Array.from(m)));
    expect(Math.abs(rmse(y, mean) / 0.5 - 1)).toBeLessThan(0.05);
  });
});

describe('simulateCovariate (the covariate design)', () => {
  it('has the defaults of method.md §7 and ρ_r = clip(ρ + δX·(r − (R+1)/2)/R, 0, 0.95)', () => {
    const sim = simulateCovariate();
    expect(sim.train.sizes).toEqual([100, 100, 100, 100, 100]);
    expect(sim.test.sizes).toEqual([500, 500, 500, 500, 500]);
    expect(sim.train.numFeatures).toBe(50);
    expect(sim.settings).toMatchObject({ rho: 0.5, deltaX: 0.5, deltaY: 1, alpha: 0.5, sigma: 1 });
    expect(sim.truth.groups).toEqual([0, 0, 1, 1, 2]);
    sim.truth.rho.forEach((r, i) => {
      expect(r).toBeCloseTo([0.3, 0.4, 0.5, 0.6, 0.7][i], 12);
    });
    const clipped = simulateCovariate({ rho: 0.9, deltaX: 1, n: 2, testRows: 1 });
    [0.5, 0.7, 0.9, 0.95, 0.95].forEach((r, i) => {
      expect(clipped.truth.rho[i]).toBeCloseTo(r, 12);
    });
  });

  it('loadings: A0 orthonormal on the first 10 features, A_r orthonormal on its block, orthogonal to A0', () => {
    const { truth } = simulateCovariate({ n: 2, testRows: 1 });
    const A0 = truth.sharedLoadings;
    for (let j = 10; j < 50; j++) for (let k = 0; k < 3; k++) expect(at(A0, j, k)).toBe(0);
    const g0 = matmul(A0, A0, { transA: true });
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(at(g0, i, j)).toBeCloseTo(i === j ? 1 : 0, 12);
    truth.taskLoadings.forEach((Ar, r) => {
      const [lo, hi] = truth.taskBlocks[r] as [number, number];
      expect(lo).toBeGreaterThanOrEqual(10);
      expect(hi - lo).toBe(10);
      for (let j = 0; j < 50; j++)
        if (j < lo || j >= hi) for (let k = 0; k < 2; k++) expect(at(Ar, j, k)).toBe(0);
      const gr = matmul(Ar, Ar, { transA: true });
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) expect(at(gr, i, j)).toBeCloseTo(i === j ? 1 : 0, 12);
      for (const v of matmul(A0, Ar, { transA: true }).data)
        expect(Math.abs(v)).toBeLessThan(1e-12);
    });
  });

  it('on large samples: means δX·u_r and correlations decaying as ρ_r^|j−k|', () => {
    const p = 14;
    const sim = simulateCovariate({
      p,
      n: 20_000,
      testRows: 1,
      sharedSupport: 4,
      taskBlock: 4,
      deltaX: 1,
      seed: 6,
    });
    for (const t of sim.train) {
      const mu = sim.truth.featureMeans[t.index];
      expect(Math.hypot(...mu)).toBeCloseTo(1, 12);
      const m = colMeans(t);
      for (let j = 0; j < p; j++) expect(Math.abs(m[j] - mu[j])).toBeLessThan(0.035);
      const c = covariance(t);
      const rho = sim.truth.rho[t.index];
      for (let j = 0; j < p; j++) {
        for (let k = 0; k < p; k++)
          expect(Math.abs(c[j][k] - rho ** Math.abs(j - k))).toBeLessThan(0.04);
      }
    }
    // Tasks differ in their correlation: the lag-1 correlation follows ρ_r across tasks.
    expect(sim.truth.rho).toEqual([...sim.truth.rho].sort((a, b) => a - b));
  });

  it('noise-free means are c_r + h(A0ᵀx)·β_r + h(A_rᵀx)·γ_r; oracle RMSE ≈ σ', () => {
    const alpha = 0.5;
    const sim = simulateCovariate({ testRows: 2000, n: 10, seed: 12 });
    const { truth } = sim;
    for (const t of sim.test) {
      const A0 = truth.sharedLoadings;
      const Ar = truth.taskLoadings[t.index];
      for (let i = 0; i < t.n; i++) {
        let mu = truth.c[t.index];
        for (let k = 0; k < 3; k++) {
          let z = 0;
          for (let j = 0; j < t.p; j++) z += at(A0, j, k) * t.X[i * t.p + j];
          mu += (truth.beta[t.index] as number[])[k] * h(z, alpha);
        }
        for (let k = 0; k < 2; k++) {
          let z = 0;
          for (let j = 0; j < t.p; j++) z += at(Ar, j, k) * t.X[i * t.p + j];
          mu += (truth.gamma[t.index] as number[])[k] * h(z, alpha);
        }
        expect(Math.abs(mu - truth.testMeans[t.index][i])).toBeLessThan(1e-10);
      }
    }
    const y = sim.test.pooled().y;
    const mean = Float64Array.from(truth.testMeans.flatMap((m) => Array.from(m)));
    expect(Math.abs(rmse(y, mean) - 1)).toBeLessThan(0.05);
  });
});

describe('simulatePdxLike (the stand-in for the PDX data)', () => {
  it('has 5 cancer types of 20–45 rows, a few hundred features, and a positive log-normal response', () => {
    for (const seed of [0, 1, 2, 3]) {
      const sim = simulatePdxLike({ seed });
      expect(sim.train.taskNames).toEqual(PDX_TASKS);
      for (const n of sim.train.sizes) expect(n >= 20 && n <= 45).toBe(true);
      expect(sim.train.numFeatures).toBe(300);
      for (const t of sim.train) for (const v of t.y) expect(v).toBeGreaterThan(0);
    }
    expect(
      new Set([0, 1, 2, 3].flatMap((seed) => simulatePdxLike({ seed }).train.sizes)).size,
    ).toBeGreaterThan(5);
    expect(simulatePdxLike({ p: 500, n: 2, testRows: 1 }).train.featureNames.at(-1)).toBe(
      'gene500',
    );
  });

  it('log y = logMean + N(0, σ²): residual sd ≈ σ, y/E[y] ≈ 1, right-skewed', () => {
    const sim = simulatePdxLike({ testRows: 4000, p: 200, sigma: 0.3, seed: 7 });
    const y = sim.test.pooled().y;
    const logMean = sim.truth.testLogMeans.flatMap((m) => Array.from(m));
    const mean = sim.truth.testMeans.flatMap((m) => Array.from(m));
    const resid = Array.from(y, (v, i) => Math.log(v) - logMean[i]);
    const m = resid.reduce((a, b) => a + b, 0) / resid.length;
    const sd = Math.sqrt(resid.reduce((a, b) => a + (b - m) ** 2, 0) / resid.length);
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(sd / 0.3 - 1)).toBeLessThan(0.03);
    const ratio = Array.from(y, (v, i) => v / mean[i]).reduce((a, b) => a + b, 0) / y.length;
    expect(Math.abs(ratio - 1)).toBeLessThan(0.01);
    const ybar = y.reduce((a, b) => a + b, 0) / y.length;
    const m2 = y.reduce((a, b) => a + (b - ybar) ** 2, 0) / y.length;
    const m3 = y.reduce((a, b) => a + (b - ybar) ** 3, 0) / y.length;
    expect(m3 / m2 ** 1.5).toBeGreaterThan(0.2);
  });

  it('goes through the CSV loader unchanged (a wide file of 300 genes)', async () => {
    const { train } = simulatePdxLike({ seed: 1 });
    const back = await parseCsv(
      toCsv(train, { taskColumn: 'cancer_type', target: 'doubling_days' }),
      {
        task: 'cancer_type',
        target: 'doubling_days',
      },
    );
    expect(back.taskNames).toEqual(train.taskNames);
    expect(back.sizes).toEqual(train.sizes);
    for (const t of train) expect(Array.from(back.task(t.name).X)).toEqual(Array.from(t.X));
  });
});

describe('simulator options', () => {
  it('refuses an unknown option name instead of silently using the default', () => {
    expect(() => simulateFactor({ R: 4 } as never)).toThrow(
      /^Unknown option of simulateFactor \(at column "R"\): expected one of numTasks, n, testRows, p, .*received "R"\. Check the spelling of the option$/,
    );
    expect(() => simulateCovariate({ rh0: 0.3 } as never)).toThrow(
      /Unknown option of simulateCovariate \(at column "rh0"\)/,
    );
    expect(() => simulatePdxLike({ task: ['a'] } as never)).toThrow(
      /Unknown option of simulatePdxLike \(at column "task"\)/,
    );
    // Every documented option is accepted.
    expect(
      simulateCovariate({
        numTasks: 2,
        n: 20,
        testRows: 5,
        p: 20,
        sharedSupport: 5,
        taskBlock: 4,
        seed: 1,
      }).train.numTasks,
    ).toBe(2);
  });
});

describe('simulateFactor with binomial and poisson responses', () => {
  /** η = s·(c_r + β_r·f + γ_r·h) from the truth's factors (α = 0: h_α is the identity). */
  function linearPredictor(
    sim: ReturnType<typeof simulateFactor>,
    r: number,
    part: 'train' | 'test',
    s: number,
  ): Float64Array {
    const { shared, task } = sim.truth.factors[part][r];
    const n = shared.length / 3;
    return Float64Array.from({ length: n }, (_, i) => {
      let v = sim.truth.c[r];
      for (let k = 0; k < 3; k++) v += sim.truth.beta[r][k] * shared[i * 3 + k];
      for (let k = 0; k < 2; k++) v += sim.truth.gamma[r][k] * task[i * 2 + k];
      return s * v;
    });
  }

  it('gaussian is the default and draws the same rows as before the option existed', () => {
    const a = simulateFactor({ seed: 3, n: 20, testRows: 5, p: 8 });
    const b = simulateFactor({ seed: 3, n: 20, testRows: 5, p: 8, family: 'gaussian' });
    expect(Array.from(b.train.task(0).y)).toEqual(Array.from(a.train.task(0).y));
    expect(a.settings).toMatchObject({ family: 'gaussian', linkScale: 1 });
    // Gaussian: the linear predictor is the noise-free mean.
    const eta = a.truth.linearPredictors.train[0];
    expect(Array.from(eta)).toEqual(Array.from(a.truth.trainMeans[0]));
  });

  it('binomial: 0/1 targets whose frequency matches the noise-free probabilities', () => {
    const sim = simulateFactor({ seed: 5, family: 'binomial', n: 2000, testRows: 10, p: 10 });
    expect(sim.settings.linkScale).toBe(1);
    let sumY = 0;
    let sumP = 0;
    let varSum = 0;
    let N = 0;
    for (let r = 0; r < 5; r++) {
      const y = sim.train.task(r).y;
      const eta = linearPredictor(sim, r, 'train', 1);
      for (let i = 0; i < y.length; i++) {
        expect(sim.truth.linearPredictors.train[r][i]).toBeCloseTo(eta[i], 12);
        expect(y[i] === 0 || y[i] === 1).toBe(true);
        const p = 1 / (1 + Math.exp(-eta[i]));
        expect(sim.truth.trainMeans[r][i]).toBeCloseTo(p, 14);
        sumY += y[i];
        sumP += p;
        varSum += p * (1 - p);
        N++;
      }
    }
    // The sum of independent Bernoullis: within 4 sd of the sum of the probabilities.
    expect(Math.abs(sumY - sumP)).toBeLessThan(4 * Math.sqrt(varSum));
    expect(sumY / N).toBeGreaterThan(0.1);
    expect(sumY / N).toBeLessThan(0.9);
  });

  it('poisson: counts with mean and variance the noise-free rate e^(s·η), s = 0.5 by default', () => {
    const sim = simulateFactor({ seed: 6, family: 'poisson', n: 2000, testRows: 10, p: 10 });
    expect(sim.settings.linkScale).toBe(0.5);
    let sumY = 0;
    let sumRate = 0;
    let sq = 0;
    for (let r = 0; r < 5; r++) {
      const y = sim.train.task(r).y;
      const eta = linearPredictor(sim, r, 'train', 0.5);
      for (let i = 0; i < y.length; i++) {
        expect(Number.isInteger(y[i]) && y[i] >= 0).toBe(true);
        const rate = Math.exp(eta[i]);
        expect(sim.truth.trainMeans[r][i]).toBeCloseTo(rate, 10);
        sumY += y[i];
        sumRate += rate;
        sq += (y[i] - rate) ** 2 - rate; // E[(y − μ)² − μ] = 0 for a Poisson count
      }
    }
    expect(Math.abs(sumY - sumRate)).toBeLessThan(4 * Math.sqrt(sumRate));
    // Equidispersion: the mean of (y − μ)² − μ is 0 within its noise (≈ √(Σ(2μ² + μ)) / N).
    expect(Math.abs(sq)).toBeLessThan(0.1 * sumRate);
  });

  it('refuses an unknown family and a non-positive link scale', () => {
    expect(() => simulateFactor({ family: 'gamma' as 'poisson' })).toThrow(/Invalid family/);
    expect(() => simulateFactor({ family: 'binomial', linkScale: 0 })).toThrow(/linkScale/);
  });
});
