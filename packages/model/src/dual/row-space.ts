import type { StandardizedTasks } from '@hetmtl/estimator';
import {
  buildEncoder,
  type EncoderInstance,
  type EncoderWeights,
  encoderRegistry,
} from '@hetmtl/encoders';
import { matmul, matrix, Random, rowGram, symmetricEigen } from '@hetmtl/tensor';
import { FittedDual } from '../predictors/dual.js';
import type { TrainerConfig } from './trainer.js';

/**
 * Wide data (p well above the rows): the dual run in the row space of the training rows.
 *
 * With X the N×p standardised training rows, X = U S Vᵀ (thin SVD, m = rank ≤ N columns). Every
 * term of the objective (method.md §3) sees the encoders' input layer only through X·W = U S (VᵀW)
 * and the decoders only through ‖X_r − F D‖² = ‖X_r V − F D V‖² + ‖F D V⊥‖², and the PCA start's
 * directions lie in the row space; weight decay is ‖W‖² = ‖VᵀW‖² + ‖V⊥ᵀW‖². So the objective on Z = XV
 * (N×m) with input weights W̃ = VᵀW is the objective on X with W = V·W̃ — the same minimisers, the
 * p−m orthogonal directions at zero — and the fit costs what a fit with m ≤ N features costs, plus
 * the O(N²p) of the Gram matrix. The start and the λ path give identical results either way (tested);
 * the Adam steps of the encoder phase differ (Adam is not rotation-invariant: in p coordinates its
 * per-coordinate scaling moves W off the row space, where only weight decay pulls it back). The
 * fitted encoders are folded back (W = V·W̃), so the model predicts from the p features as before.
 */

/**
 * The row space of standardised training rows X (N×p): its orthonormal basis V = Xᵀ C (p×m) is kept
 * implicitly, as the rows and C = U S⁻¹ (N×m), so nothing of size p×m is formed: projecting rows
 * costs their dot products with the N training rows, lifting a weight W̃ (m×K) one pass Xᵀ(C W̃).
 */
export interface RowSpace {
  readonly p: number;
  readonly m: number;
  /** The training rows, N×p row-major (all tasks, in order). */
  readonly X: Float64Array;
  readonly N: number;
  readonly C: Float64Array;
}

/** Eigenvalues of the Gram matrix below this share of the largest are past the rank. */
const RANK_TOLERANCE = 1e-10;

/** Work in the row space when p exceeds this multiple of the rows (and the encoders can fold it). */
export const WIDE_RATIO = 4;

/**
 * Whether a run of `config` on `data` works in the row space: p > WIDE_RATIO·N and every encoder
 * has an input weight to fold the projection into (linear and mlp do; identity does not).
 */
export function useRowSpace(config: TrainerConfig, data: StandardizedTasks): boolean {
  const N = data.y.reduce((a, y) => a + y.length, 0);
  const foldable = (spec: TrainerConfig['shared'] | null) =>
    spec === null || encoderRegistry.inputWeight(spec) !== undefined;
  return data.p > WIDE_RATIO * N && foldable(config.shared) && foldable(config.specific);
}

/** The row space of the training rows and the rows in its coordinates, Z = XV = US (per task). */
export function rowSpace(data: StandardizedTasks): { space: RowSpace; Z: StandardizedTasks } {
  const { p } = data;
  const N = data.y.reduce((a, y) => a + y.length, 0);
  const all = new Float64Array(N * p);
  let at = 0;
  for (const X of data.X) {
    all.set(X, at);
    at += X.length;
  }
  const rows = Array.from({ length: N }, (_, i) => all.subarray(i * p, (i + 1) * p));
  const eig = symmetricEigen(rowGram(rows, p), N);
  const top = Math.max(eig.values[N - 1] ?? 0, 0);
  let m = 0;
  while (m < N && eig.values[N - 1 - m] > RANK_TOLERANCE * top) m++;
  m = Math.max(m, 1);
  // Column j: u_j (eigenvalue λ_j = s_j²), largest first; C = U S⁻¹, Z = U S.
  const C = new Float64Array(N * m);
  const Zall = new Float64Array(N * m);
  for (let j = 0; j < m; j++) {
    const col = N - 1 - j;
    const sj = Math.sqrt(Math.max(eig.values[col], 0));
    for (let i = 0; i < N; i++) {
      const u = eig.vectors[i * N + col];
      C[i * m + j] = sj > 0 ? u / sj : 0;
      Zall[i * m + j] = u * sj;
    }
  }
  const Z: Float64Array[] = [];
  let i0 = 0;
  for (const X of data.X) {
    const n = X.length / p;
    Z.push(Zall.slice(i0 * m, (i0 + n) * m));
    i0 += n;
  }
  return { space: { p, m, X: all, N, C }, Z: { X: Z, y: data.y, p: m } };
}

/** Rows (n×p row-major) in row-space coordinates, XV = (X Xᵀ_train) C (n×m). */
export function projectRows(space: RowSpace, X: Float64Array): Float64Array {
  const { p, m, N, C } = space;
  const n = X.length / p;
  if (n === 0) return new Float64Array(0);
  const k = matmul(matrix(n, p, X), matrix(N, p, space.X), { transB: true });
  return matmul(k, matrix(N, m, C)).data;
}

/** V·W for W m×K (row-major): Xᵀ (C W), p×K. */
export function liftWeight(space: RowSpace, W: ArrayLike<number>, K: number): Float64Array {
  const { p, m, N, C } = space;
  const CW = matmul(matrix(N, m, C), matrix(m, K, Float64Array.from(W)));
  return matmul(matrix(N, p, space.X), CW, { transA: true }).data;
}

export function projectTasks(space: RowSpace, data: StandardizedTasks): StandardizedTasks {
  return { X: data.X.map((X) => projectRows(space, X)), y: data.y, p: space.m };
}

/** An encoder built on row-space inputs, rebuilt on the p features: its input weight W̃ → V·W̃. */
function liftEncoder(enc: EncoderInstance, space: RowSpace): EncoderInstance {
  const param = encoderRegistry.inputWeight(enc.spec) as string;
  const weights = enc.getWeights();
  // Weights are named `<encoder name>/<parameter>`.
  const key = Object.keys(weights).find((k) => k === param || k.endsWith(`/${param}`)) as string;
  const w = weights[key] as EncoderWeights[string];
  const { p, m } = space;
  const T = w.shape.length === 3 ? (w.shape[0] as number) : 1;
  const K = w.shape[w.shape.length - 1] as number;
  const lifted: number[] = [];
  for (let t = 0; t < T; t++)
    lifted.push(...liftWeight(space, w.values.slice(t * m * K, (t + 1) * m * K), K));
  if (lifted.length !== T * p * K) throw new Error('liftEncoder: wrong weight size');
  const out = buildEncoder(enc.spec, {
    inputDim: p,
    outputDim: enc.outputDim,
    // Every weight is set below; the draws only fill the variables first.
    rng: new Random(0),
    ...(enc.tasks !== undefined ? { tasks: enc.tasks } : {}),
    ...(key.includes('/') ? { name: key.slice(0, key.length - param.length - 1) } : {}),
  });
  out.setWeights({
    ...weights,
    [key]: { shape: w.shape.length === 3 ? [T, p, K] : [p, K], values: lifted },
  });
  return out;
}

/** The predictor fitted in row-space coordinates, on the p features (its encoders lifted; the given one disposed). */
export function liftFitted(fitted: FittedDual, space: RowSpace): FittedDual {
  const shared = liftEncoder(fitted.shared, space);
  const specific = fitted.specific ? liftEncoder(fitted.specific, space) : null;
  const lifted = new FittedDual({ ...fitted.state, p: space.p }, shared, specific);
  fitted.dispose();
  return lifted;
}
