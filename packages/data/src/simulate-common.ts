import {
  describeReceived,
  type Matrix,
  matrix,
  portableExp,
  portableLog,
  type Random,
  ValidationError,
} from '@hetmtl/tensor';
import type { MultiTaskDataset } from './dataset.js';
import { fromTaskArrays } from './task-arrays.js';
import type { Dtype } from './values.js';

/** Number of shared factors (K0) and task factors (K1) of both designs of method.md §7. */
export const SHARED_FACTORS = 3;
export const TASK_FACTORS = 2;
/** Number of coefficient groups (the group values α_k are the 3 vectors (1, −1, 0.5) + δY·e_k). */
export const NUM_GROUPS = 3;

/** What every simulator returns besides its data: the true structure, for oracle tests. */
export interface SimulationTruth {
  /** 0-based coefficient group of each task ((1,1,2,2,3) for R = 5 reads [0, 0, 1, 1, 2]). */
  readonly groups: readonly number[];
  /** The group values α_k (3 vectors of length K0 = 3). */
  readonly groupValues: readonly (readonly number[])[];
  /** β_r = α_{group(r)} per task (K0 = 3 entries each). */
  readonly beta: readonly (readonly number[])[];
  /** γ_r per task (K1 = 2 entries each), drawn from N(0, 0.25·I). */
  readonly gamma: readonly (readonly number[])[];
  /** Intercepts c_r, drawn from N(0, 1). */
  readonly c: readonly number[];
  /** Shared loadings A0 (p×3, orthogonal columns). */
  readonly sharedLoadings: Matrix;
  /** Task loadings A_r (p×2 each, orthogonal columns, orthogonal to A0). */
  readonly taskLoadings: readonly Matrix[];
  /** Noise-free means E[y | latent factors] of the training rows, per task. */
  readonly trainMeans: readonly Float64Array[];
  /** Noise-free means of the test rows, per task (oracle RMSE ≈ σ). */
  readonly testMeans: readonly Float64Array[];
}

export interface Simulation<T extends SimulationTruth, S> {
  readonly train: MultiTaskDataset;
  readonly test: MultiTaskDataset;
  readonly truth: T;
  /** Every parameter with its default filled in: the result is a function of these alone. */
  readonly settings: S;
}

export function checkInt(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ValidationError(`Invalid ${name}`, {
      column: name,
      expected: `an integer ≥ ${min}`,
      received: describeReceived(v),
    });
  }
  return v;
}

export function checkReal(
  v: unknown,
  name: string,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range =
      min === Number.NEGATIVE_INFINITY
        ? 'a finite number'
        : max === Number.POSITIVE_INFINITY
          ? min === Number.MIN_VALUE
            ? 'a number > 0'
            : `a number ≥ ${min}`
          : `a number in [${min}, ${max}]`;
    throw new ValidationError(`Invalid ${name}`, {
      column: name,
      expected: range,
      received: describeReceived(v),
    });
  }
  return v;
}

/** Rows per task: one number for all, or one per task. */
export function taskSizes(
  v: number | readonly number[],
  R: number,
  name: string,
  min = 1,
): number[] {
  if (typeof v === 'number') return Array.from({ length: R }, () => checkInt(v, name, min));
  if (!Array.isArray(v) || v.length !== R) {
    throw new ValidationError(`Invalid ${name}`, {
      column: name,
      expected: `one integer, or an array of ${R} (one per task)`,
      received: describeReceived(v),
    });
  }
  return v.map((x) => checkInt(x, name, min));
}

/** Group of each task: contiguous blocks, floor(r·3/R) (so (1,1,2,2,3) for R = 5), or as given. */
export function groupMemberships(R: number, groups?: readonly number[]): number[] {
  if (groups === undefined)
    return Array.from({ length: R }, (_, r) => Math.floor((r * NUM_GROUPS) / R));
  if (
    !Array.isArray(groups) ||
    groups.length !== R ||
    groups.some((g) => !Number.isInteger(g) || g < 0 || g >= NUM_GROUPS)
  ) {
    throw new ValidationError('Invalid groups', {
      column: 'groups',
      expected: `${R} group labels, each 0, 1 or 2`,
      received: describeReceived(groups),
    });
  }
  return [...groups];
}

/** α_k = (1, −1, 0.5) + δY·e_k for k = 0, 1, 2. */
export function groupValues(deltaY: number): number[][] {
  const base = [1, -1, 0.5];
  return base.map((_, k) => base.map((b, j) => b + (j === k ? deltaY : 0)));
}

/** h_α(u) = (1 − α)u + α(u² − 1). */
export function hAlpha(u: number, alpha: number): number {
  return (1 - alpha) * u + alpha * (u * u - 1);
}

/**
 * k orthonormal columns (a p×k matrix) with random Gaussian directions supported on `support`
 * (all rows by default), orthogonal to the columns of `against` — by Gram–Schmidt, done twice.
 */
export function orthonormalColumns(
  rng: Random,
  p: number,
  k: number,
  support?: readonly number[],
  against: readonly Float64Array[] = [],
): Float64Array[] {
  const rows = support ?? Array.from({ length: p }, (_, i) => i);
  if (rows.length < k + against.length && support === undefined) {
    throw new ValidationError('Too few features for the loadings', {
      expected: `p ≥ ${k + against.length}`,
      received: `p = ${p}`,
    });
  }
  const cols: Float64Array[] = [];
  while (cols.length < k) {
    const v = new Float64Array(p);
    for (const i of rows) v[i] = rng.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (const u of [...against, ...cols]) {
        let d = 0;
        for (let i = 0; i < p; i++) d += u[i] * v[i];
        for (let i = 0; i < p; i++) v[i] = v[i] - d * u[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < p; i++) norm += v[i] ** 2;
    norm = Math.sqrt(norm);
    if (norm < 1e-8) continue; // a draw in the span already taken: draw again
    for (let i = 0; i < p; i++) v[i] = v[i] / norm;
    cols.push(v);
  }
  return cols;
}

/** Columns as a row-major p×k Matrix, each multiplied by `scale`. */
export function columnsToMatrix(cols: readonly Float64Array[], p: number, scale = 1): Matrix {
  const k = cols.length;
  const m = matrix(p, k);
  cols.forEach((c, j) => {
    for (let i = 0; i < p; i++) m.data[i * k + j] = c[i] * scale;
  });
  return m;
}

export function featureNames(p: number): string[] {
  return Array.from({ length: p }, (_, j) => `x${j + 1}`);
}

/** Builds train and test datasets from per-task arrays (validated like user data). */
export function buildDatasets(
  names: readonly string[],
  train: readonly { X: Float64Array; y: Float64Array }[],
  test: readonly { X: Float64Array; y: Float64Array }[],
  p: number,
  dtype: Dtype,
  names_ = featureNames(p),
): { train: MultiTaskDataset; test: MultiTaskDataset } {
  const fn = names_;
  const mk = (parts: readonly { X: Float64Array; y: Float64Array }[]) =>
    fromTaskArrays(
      new Map(names.map((n, r) => [n, parts[r] as { X: Float64Array; y: Float64Array }])),
      { featureNames: fn, dtype },
    );
  return { train: mk(train), test: mk(test) };
}

/** The response families a simulator draws (method.md §3 with the deviance for binomial and poisson). */
export type SimulatedFamily = 'gaussian' | 'binomial' | 'poisson';

/**
 * A Bernoulli draw with log-odds `eta`, bit-identical across engines: u < 1 / (1 + e^(−η)) with
 * one uniform u.
 */
export function bernoulli(rng: Random, eta: number): number {
  return rng.uniform() * (1 + portableExp(-eta)) < 1 ? 1 : 0;
}

/**
 * A Poisson draw with mean `rate`, bit-identical across engines: the number of arrivals of a unit
 * rate Poisson process in [0, rate] (exponential gaps −log u). Exact; O(rate) uniforms, so meant
 * for the moderate rates of a simulation.
 */
export function poisson(rng: Random, rate: number): number {
  if (!(rate >= 0 && Number.isFinite(rate)))
    throw new ValidationError('Invalid Poisson rate', {
      expected: 'a finite rate ≥ 0',
      received: String(rate),
    });
  let k = 0;
  let t = -portableLog(1 - rng.uniform());
  while (t <= rate) {
    k++;
    t -= portableLog(1 - rng.uniform());
  }
  return k;
}

export function taskNames(R: number): string[] {
  return Array.from({ length: R }, (_, r) => `task${r + 1}`);
}

/**
 * Refuses option names a simulator does not know (a typo such as `R` for `numTasks` would otherwise
 * silently give the default). `known` are the keys of the filled-in settings.
 */
export function checkOptionKeys(
  options: object,
  known: readonly string[],
  simulator: string,
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ValidationError(`Unknown option of ${simulator}`, {
        column: key,
        expected: `one of ${known.join(', ')}`,
        received: JSON.stringify(key),
        fix: 'Check the spelling of the option',
      });
    }
  }
}
