import { type Matrix, matrix, Random } from '@hetmtl/tensor';
import type { FusionProblem } from '../problem.js';

/** A problem built from raw designs, kept so that tests can compute oracles from X and y. */
export interface RawProblem {
  readonly problem: FusionProblem & { readonly n: readonly number[] };
  /** X_r (n_r × K, row-major) and y_r per task. */
  readonly X: readonly Float64Array[];
  readonly y: readonly Float64Array[];
  /** True group per task and true β per group. */
  readonly truth: readonly number[];
  readonly centres: readonly Float64Array[];
}

/** A_r = X_rᵀX_r/n_r, b_r = X_rᵀy_r/n_r (profiled least squares without u_r). */
export function gram(
  X: Float64Array,
  y: Float64Array,
  nr: number,
  K: number,
): { A: Matrix; b: Float64Array } {
  const a = new Float64Array(K * K);
  const b = new Float64Array(K);
  for (let i = 0; i < nr; i++) {
    for (let j = 0; j < K; j++) {
      b[j] = b[j]! + (X[i * K + j]! * y[i]!) / nr;
      for (let k = 0; k < K; k++)
        a[j * K + k] = a[j * K + k]! + (X[i * K + j]! * X[i * K + k]!) / nr;
    }
  }
  return { A: matrix(K, K, a), b };
}

export interface PlantedOptions {
  readonly seed?: number;
  readonly R?: number;
  readonly K?: number;
  /** Rows per task: one number, or one per task. */
  readonly nr?: number | readonly number[];
  readonly noise?: number;
  /** Group values (default: three K = 3 vectors 2.55 apart, or random normals for other K). */
  readonly centres?: readonly (readonly number[])[];
}

/**
 * R tasks in 3 contiguous groups, y = X β_g + noise·ε, X ~ N(0, I); w_r = n_r/N.
 */
export function plantedProblem(options: PlantedOptions = {}): RawProblem {
  const { seed = 1, R = 9, K = 3, nr = 50, noise = 0.1 } = options;
  const rng = new Random(seed);
  const centres = (
    options.centres ??
    (K === 3
      ? [
          [1, -1, 0.5],
          [-1, 0.5, 1],
          [0.5, 1, -1],
        ]
      : [0, 1, 2].map(() => Array.from(rng.normals(K))))
  ).map((c) => Float64Array.from(c));
  const G = centres.length;
  const A: Matrix[] = [];
  const b: Float64Array[] = [];
  const n: number[] = [];
  const X: Float64Array[] = [];
  const y: Float64Array[] = [];
  const truth: number[] = [];
  for (let r = 0; r < R; r++) {
    const g = Math.floor((r * G) / R);
    const m = typeof nr === 'number' ? nr : nr[r]!;
    const beta = centres[g]!;
    const Xr = rng.normals(m * K);
    const yr = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += Xr[i * K + k]! * beta[k]!;
      yr[i] = s + noise * rng.normal();
    }
    const { A: Ar, b: br } = gram(Xr, yr, m, K);
    A.push(Ar);
    b.push(br);
    n.push(m);
    X.push(Xr);
    y.push(yr);
    truth.push(g);
  }
  const N = n.reduce((s, v) => s + v, 0);
  return { problem: { A, b, weights: n.map((v) => v / N), n }, X, y, truth, centres };
}

/** A random problem with general PSD A_r (some nearly singular) and arbitrary b_r. */
export function randomProblem(
  seed: number,
  R: number,
  K: number,
): FusionProblem & { readonly n: readonly number[] } {
  const rng = new Random(seed);
  const A: Matrix[] = [];
  const b: Float64Array[] = [];
  const n: number[] = [];
  for (let r = 0; r < R; r++) {
    const m = 5 + rng.integer(0, 40);
    const Xr = rng.normals(m * K);
    const yr = rng.normals(m, 0, 2);
    const g = gram(Xr, yr, m, K);
    A.push(g.A);
    b.push(g.b);
    n.push(m);
  }
  const N = n.reduce((s, v) => s + v, 0);
  return { A, b, weights: n.map((v) => v / N), n };
}
