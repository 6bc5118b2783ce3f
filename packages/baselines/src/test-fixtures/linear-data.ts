// Small multi-task data sets and independent reference solutions (normal equations written out with
// @hetmtl/tensor's solveSPD) for the tests.
import { fromTaskArrays, type MultiTaskDataset } from '@hetmtl/data';
import { matrix, Random, solveSPD } from '@hetmtl/tensor';

export interface TasksSpec {
  readonly sizes: readonly number[];
  readonly p: number;
  readonly seed?: number;
  readonly noise?: number;
  /** Spread of the task slopes around a common slope vector (0: one slope vector). */
  readonly spread?: number;
  /** Task-specific shift of the feature means (covariate shift). */
  readonly shift?: number;
}

/** y = c_r + x·β_r + noise with β_r = β₀ + spread·δ_r; features with task-shifted means. */
export function makeTasks(spec: TasksSpec): {
  data: MultiTaskDataset;
  slopes: number[][];
  intercepts: number[];
} {
  const rng = new Random(spec.seed ?? 1);
  const { p } = spec;
  const base = Array.from({ length: p }, () => rng.normal());
  const slopes: number[][] = [];
  const intercepts: number[] = [];
  const list = spec.sizes.map((n, r) => {
    const beta = base.map((b) => b + (spec.spread ?? 0.5) * rng.normal());
    const c = rng.normal();
    const mean = Array.from({ length: p }, () => (spec.shift ?? 0.5) * rng.normal());
    slopes.push(beta);
    intercepts.push(c);
    const X = new Float64Array(n * p);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let v = c;
      for (let j = 0; j < p; j++) {
        const x = 2 * rng.normal() + mean[j] + 3;
        X[i * p + j] = x;
        v += x * beta[j];
      }
      y[i] = v + (spec.noise ?? 0.3) * rng.normal();
    }
    return { name: `t${r + 1}`, X, y };
  });
  return { data: fromTaskArrays(list), slopes, intercepts };
}

/** Least squares on rows of a design (a column of ones is up to the caller), with an optional ridge per column. */
export function leastSquares(
  rows: number[][],
  y: ArrayLike<number>,
  penalty: (j: number) => number = () => 0,
): Float64Array {
  const q = rows[0].length;
  const A = matrix(q, q);
  const b = new Float64Array(q);
  rows.forEach((row, i) => {
    for (let a = 0; a < q; a++) {
      b[a] = b[a] + row[a] * y[i];
      for (let c = 0; c < q; c++) A.data[a * q + c] = A.data[a * q + c] + row[a] * row[c];
    }
  });
  for (let a = 0; a < q; a++) A.data[a * q + a] = A.data[a * q + a] + penalty(a);
  return solveSPD(A, b);
}

export function rowsOf(X: ArrayLike<number>, n: number, p: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: p }, (_, j) => X[i * p + j]));
}

/** Pooled mean and standard deviation (divisor N) of each feature and of y over all rows. */
export function pooledScaling(ds: MultiTaskDataset) {
  const p = ds.numFeatures;
  const N = ds.totalRows;
  const mx = new Float64Array(p);
  const sx = new Float64Array(p);
  let my = 0;
  let sy = 0;
  for (const t of ds.tasks()) {
    for (let i = 0; i < t.n; i++) {
      my += t.y[i] / N;
      for (let j = 0; j < p; j++) mx[j] = mx[j] + t.X[i * p + j] / N;
    }
  }
  for (const t of ds.tasks()) {
    for (let i = 0; i < t.n; i++) {
      sy += (t.y[i] - my) ** 2 / N;
      for (let j = 0; j < p; j++) sx[j] = sx[j] + (t.X[i * p + j] - mx[j]) ** 2 / N;
    }
  }
  return { mx, sx: sx.map(Math.sqrt), my, sy: Math.sqrt(sy) };
}

/** The tasks on the pooled standardised scale, as rows. */
export function standardizedTasks(ds: MultiTaskDataset) {
  const { mx, sx, my, sy } = pooledScaling(ds);
  const p = ds.numFeatures;
  return ds.tasks().map((t) => ({
    X: rowsOf(t.X, t.n, p).map((row) => row.map((v, j) => (v - mx[j]) / sx[j])),
    y: Array.from(t.y, (v) => (v - my) / sy),
  }));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Number.POSITIVE_INFINITY;
}
