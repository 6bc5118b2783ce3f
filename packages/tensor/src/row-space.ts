import { symmetricEigen } from './eigen.js';
import { ValidationError } from './errors.js';
import { matmul, matrix, matvec } from './linalg.js';
import { rowGram } from './principal.js';

/**
 * The row space of wide data: an orthonormal basis Q (p×q) of the span of the rows of some
 * row-major blocks X_r (n_r×p each, N rows in all), with the coordinates Z_r = X_r Q of each block's
 * rows. A linear problem whose loss sees β only through X_rβ and whose penalties are Euclidean
 * norms has its solution in that span, so it can be solved in q ≤ N coordinates γ and mapped back,
 * β = Qγ: the dual (kernel) form of the problem, O(N²p) work instead of O(p³), and no p×p array.
 *
 * Two ways to build it:
 * - `'gram'`: the eigen-decomposition of the N×N Gram matrix K = XXᵀ = VΛVᵀ (the kernel trick).
 *   With the kept eigenpairs, Q = XᵀVΛ^{-1/2} and Z = VΛ^{1/2}, so neither Q nor Z costs more than
 *   K itself (N²p/2 multiply-adds); Q is never formed: β = Xᵀ(VΛ^{-1/2}γ), O(Np). Eigenvalues
 *   below {@link ROW_SPACE_RANK_TOL}·λ_max are the rank deficiency (e.g. of task-centred rows) and
 *   dropped. Q's columns are orthonormal up to about ε·(√p + N)·κ, κ = λ_max/λ_min of the kept
 *   ones — so this way is taken only when κ ≤ {@link ROW_SPACE_MAX_CONDITION};
 * - `'gram-schmidt'`: modified Gram–Schmidt on the rows with one re-orthogonalisation (orthonormal to
 *   rounding whatever the conditioning; rows adding less than 1e-9 of their norm are dropped), then
 *   Z = XQ: about 3·N²p multiply-adds and a p×q array.
 *
 * `'auto'` (the default) is `'gram'` when its conditioning test passes, else `'gram-schmidt'`.
 */
export interface RowSpace {
  readonly p: number;
  /** The dimension q of the span (the numerical rank of the stacked rows). */
  readonly q: number;
  /** Z_r = X_r Q, row-major n_r×q, one per block. */
  readonly coords: readonly Float64Array[];
  /** The way it was built. */
  readonly method: 'gram' | 'gram-schmidt';
  /** β = Qγ (length p) for coordinates γ (length q). */
  expand(gamma: Float64Array): Float64Array;
  /** QG (p×k, row-major) for coordinates G (q×k, row-major): k vectors expanded at once. */
  expandColumns(G: Float64Array, k: number): Float64Array;
  /** The coordinates RQ (n×q) of rows R (n×p, row-major), e.g. of validation or test rows. */
  project(R: Float64Array): Float64Array;
}

export interface RowSpaceOptions {
  /** 'auto' (default), or force one way (tests compare them). */
  readonly method?: 'auto' | 'gram' | 'gram-schmidt';
}

/** Eigenvalues of XXᵀ at most this fraction of the largest are the rank deficiency (dropped). */
export const ROW_SPACE_RANK_TOL = 1e-11;
/** The largest λ_max/λ_min of the kept eigenvalues for which the `'gram'` way is taken by `'auto'`. */
export const ROW_SPACE_MAX_CONDITION = 1e4;

/**
 * The row space of the blocks X_r (row-major n_r×p, not copied: the `'gram'` way keeps them to
 * expand coordinates, so do not change them afterwards). See {@link RowSpace}.
 */
export function rowSpace(
  blocks: readonly Float64Array[],
  rows: readonly number[],
  p: number,
  options: RowSpaceOptions = {},
): RowSpace {
  const method = options.method ?? 'auto';
  if (
    blocks.length !== rows.length ||
    !Number.isInteger(p) ||
    p < 0 ||
    blocks.some((X, r) => !Number.isInteger(rows[r]) || X.length !== rows[r] * p)
  )
    throw new ValidationError('Invalid row-space blocks', {
      expected: `one row-major n_r×${p} block per entry of rows`,
      received: `${blocks.length} blocks of ${blocks.map((X) => X.length).join(', ')} entries, rows ${rows.join(', ')}`,
    });
  if (!['auto', 'gram', 'gram-schmidt'].includes(method))
    throw new ValidationError('Invalid row-space method', {
      expected: "'auto', 'gram' or 'gram-schmidt'",
      received: String(method),
    });
  if (method !== 'gram-schmidt') {
    const viaGram = gramRowSpace(blocks, rows, p, method === 'gram');
    if (viaGram) return viaGram;
  }
  return gramSchmidtRowSpace(blocks, rows, p);
}

function gramRowSpace(
  blocks: readonly Float64Array[],
  rows: readonly number[],
  p: number,
  forced: boolean,
): RowSpace | null {
  // The rows stacked once (N×p): the Gram matrix, projections and expansions are matrix products.
  const N = rows.reduce((a, n) => a + n, 0);
  const X = new Float64Array(N * p);
  let start = 0;
  blocks.forEach((B, r) => {
    X.set(B.subarray(0, rows[r] * p), start);
    start += rows[r] * p;
  });
  const list = Array.from({ length: N }, (_, i) => X.subarray(i * p, (i + 1) * p));
  const eig = symmetricEigen(rowGram(list, p), N);
  const top = N === 0 ? 0 : Math.max(eig.values[N - 1], 0);
  const kept: number[] = [];
  for (let j = N - 1; j >= 0; j--) if (eig.values[j] > ROW_SPACE_RANK_TOL * top) kept.push(j);
  const q = Math.min(kept.length, p);
  if (q < kept.length) kept.length = q;
  const low = q === 0 ? top : eig.values[kept[q - 1]];
  if (!forced && q > 0 && top > ROW_SPACE_MAX_CONDITION * low) return null;
  // W = V_k Λ_k^{-1/2} (N×q) and Z = V_k Λ_k^{1/2}, rows split by block.
  const V = eig.vectors;
  const W = new Float64Array(N * q);
  const Z = new Float64Array(N * q);
  for (let i = 0; i < N; i++)
    kept.forEach((j, k) => {
      const s = Math.sqrt(eig.values[j]);
      W[i * q + k] = V[i * N + j] / s;
      Z[i * q + k] = V[i * N + j] * s;
    });
  const coords: Float64Array[] = [];
  let at = 0;
  for (const n of rows) {
    coords.push(Z.slice(at * q, (at + n) * q));
    at += n;
  }
  const Wm = matrix(N, q, W);
  const Xm = matrix(N, p, X);
  const expandColumns = (G: Float64Array, k: number) => {
    checkLength(G, q * k);
    if (q === 0 || k === 0) return new Float64Array(p * k);
    return matmul(Xm, matmul(Wm, matrix(q, k, G)), { transA: true }).data;
  };
  return {
    p,
    q,
    coords,
    method: 'gram',
    expand: (gamma) => expandColumns(gamma, 1),
    expandColumns,
    project(R: Float64Array): Float64Array {
      const n = R.length / p;
      if (n === 0 || q === 0) return new Float64Array(0);
      return matmul(matmul(matrix(n, p, R), Xm, { transB: true }), Wm).data;
    },
  };
}

function checkLength(gamma: Float64Array, q: number): void {
  if (gamma.length !== q)
    throw new ValidationError('Row-space coordinates of the wrong length', {
      expected: `${q} coordinates`,
      received: `${gamma.length}`,
    });
}

function gramSchmidtRowSpace(
  blocks: readonly Float64Array[],
  rows: readonly number[],
  p: number,
): RowSpace {
  const vectors: Float64Array[] = [];
  let maxNorm = 0;
  blocks.forEach((X, r) => {
    for (let i = 0; i < rows[r]; i++) maxNorm = Math.max(maxNorm, rowNorm(X, i, p));
  });
  const tol = 1e-9 * maxNorm;
  outer: for (let r = 0; r < blocks.length; r++) {
    const X = blocks[r];
    for (let i = 0; i < rows[r]; i++) {
      const v = X.slice(i * p, (i + 1) * p);
      const before = rowNorm(v, 0, p);
      if (before <= tol) continue;
      for (let pass = 0; pass < 2; pass++) {
        for (const u of vectors) {
          let dot = 0;
          for (let a = 0; a < p; a++) dot += u[a] * v[a];
          for (let a = 0; a < p; a++) v[a] = v[a] - dot * u[a];
        }
      }
      const after = rowNorm(v, 0, p);
      if (after <= 1e-9 * before || after <= tol) continue;
      for (let a = 0; a < p; a++) v[a] = v[a] / after;
      vectors.push(v);
      if (vectors.length === p) break outer;
    }
  }
  const q = vectors.length;
  const Q = new Float64Array(p * q);
  vectors.forEach((u, k) => {
    for (let a = 0; a < p; a++) Q[a * q + k] = u[a];
  });
  const Qm = matrix(p, q, Q);
  const project = (R: Float64Array) => matmul(matrix(R.length / p, p, R), Qm).data;
  return {
    p,
    q,
    coords: blocks.map((X, r) => project(X.subarray(0, rows[r] * p))),
    method: 'gram-schmidt',
    expand(gamma: Float64Array): Float64Array {
      checkLength(gamma, q);
      return matvec(Qm, gamma);
    },
    expandColumns(G: Float64Array, k: number): Float64Array {
      checkLength(G, q * k);
      return matmul(Qm, matrix(q, k, G)).data;
    },
    project,
  };
}

function rowNorm(X: ArrayLike<number>, i: number, p: number): number {
  let s = 0;
  for (let a = 0; a < p; a++) s += X[i * p + a] ** 2;
  return Math.sqrt(s);
}
