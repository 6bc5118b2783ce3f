import { orthonormalize, symmetricEigen, topEigen } from './eigen.js';
import { ValidationError } from './errors.js';
import { nativeFloat64 } from './float64-kernels.js';
import { gram } from './linalg.js';
import type { Random } from './random.js';

/**
 * The top principal directions of centred rows without the p×p covariance when p exceeds the
 * rows: the eigenvectors of C = XᵀX/n from those of the n×n Gram XXᵀ/n (u → v = Xᵀu/√(nλ)), so
 * the cost is O(n²p + n³) instead of the p×p covariance's O(np²) and its subspace iteration.
 */

/** Which side {@link topPrincipalDirections} works on: the p×p covariance or the n×n Gram. */
export type PrincipalSide = 'primal' | 'dual';

export interface PrincipalDirections {
  /** p×k row-major, orthonormal columns (k = min(k, p)), sign: largest-magnitude entry positive. */
  readonly vectors: Float64Array;
  /** The eigenvalues of XᵀX/n of the columns, descending (0 for directions past the rank). */
  readonly values: Float64Array;
  readonly side: PrincipalSide;
}

/** Eigenvalues of the n×n Gram below this fraction of the largest count as zero (past the rank). */
const RANK_TOLERANCE = 1e-10;

/**
 * The top-k eigenvectors of C = XᵀX/n for n centred rows X (row-major, p columns; the caller
 * centres), given as one n×p array or as consecutive blocks of rows (C = Σ_b X_bᵀX_b/n, summed
 * block by block). With p ≤ n or no rows (or `side: 'primal'`) this is {@link topEigen} of C — the same
 * numbers as building C block by block and calling it; with p > n (or `side: 'dual'`) the
 * directions come from the exact eigen-decomposition of XXᵀ/n. Both draw the same p·k normals from
 * `rng` (the random start of the primal side; on the dual side the directions past the rank of X,
 * where any orthonormal completion is an eigenbasis, are completed from them).
 */
export function topPrincipalDirections(
  X: Float64Array | readonly Float64Array[],
  n: number,
  p: number,
  k: number,
  rng: Random,
  options: { readonly side?: PrincipalSide | 'auto' } = {},
): PrincipalDirections {
  const blocks = X instanceof Float64Array ? [X] : X;
  const rows = blocks.reduce((a, b) => a + b.length, 0);
  if (!Number.isInteger(p) || p < 1 || !Number.isInteger(n) || n < 0 || rows !== n * p) {
    throw new ValidationError('topPrincipalDirections: the rows do not match n × p', {
      expected: `n·p = ${n}·${p} entries in blocks of whole rows`,
      received: `${rows} entries`,
      fix: 'Pass row-major n×p data (or blocks of its rows) with the right n and p',
    });
  }
  if (blocks.some((b) => b.length % p !== 0) || !Number.isInteger(k) || k < 1) {
    throw new ValidationError('topPrincipalDirections: bad blocks or k', {
      expected: 'blocks of whole rows and an integer k ≥ 1',
      received: `k = ${k}, block lengths ${blocks.map((b) => b.length).join(', ')}`,
    });
  }
  const side =
    options.side && options.side !== 'auto' ? options.side : p > n && n > 0 ? 'dual' : 'primal';
  if (side === 'primal') {
    const C = new Float64Array(p * p);
    for (const b of blocks) {
      const G = gram(b, b.length / p, p);
      for (let i = 0; i < p * p; i++) C[i] = C[i] + G[i] / n;
    }
    return { ...topEigen(C, p, k, rng), side };
  }
  return dualDirections(blocks, n, p, Math.min(k, p), rng);
}

function dualDirections(
  blocks: readonly Float64Array[],
  n: number,
  p: number,
  kk: number,
  rng: Random,
): PrincipalDirections {
  // The random start topEigen would draw (the same draws from rng on both sides).
  const Q = new Float64Array(p * kk);
  for (let i = 0; i < p * kk; i++) Q[i] = rng.normal();
  const rowOf: Float64Array[] = [];
  for (const b of blocks) for (let o = 0; o < b.length; o += p) rowOf.push(b.subarray(o, o + p));
  const K = rowGram(rowOf, p);
  for (let i = 0; i < n * n; i++) K[i] = K[i] / n;
  const eig = symmetricEigen(K, n);
  const top = Math.max(eig.values[n - 1], 0);
  const V = new Float64Array(p * kk);
  const values = new Float64Array(kk);
  let rank = 0;
  while (rank < kk && rank < n && eig.values[n - 1 - rank] > RANK_TOLERANCE * top) rank++;
  // U scaled: column j is u_j / √(nλ_j), so that v_j = Xᵀ(column j).
  const U = new Float64Array(n * rank);
  for (let j = 0; j < rank; j++) {
    const col = n - 1 - j;
    values[j] = eig.values[col];
    const scale = 1 / Math.sqrt(n * values[j]);
    for (let i = 0; i < n; i++) U[i * rank + j] = eig.vectors[i * n + col] * scale;
  }
  for (let i = 0; i < n; i++) {
    const x = rowOf[i];
    for (let a = 0; a < p; a++) {
      const xa = x[a];
      if (xa === 0) continue;
      for (let j = 0; j < rank; j++) V[a * kk + j] = V[a * kk + j] + xa * U[i * rank + j];
    }
  }
  for (let j = rank; j < kk; j++) for (let a = 0; a < p; a++) V[a * kk + j] = Q[a * kk + j];
  // Re-orthonormalise (the directions past the rank against those before them).
  orthonormalize(V, p, kk);
  for (let j = 0; j < kk; j++) {
    let big = 0;
    for (let a = 0; a < p; a++) if (Math.abs(V[a * kk + j]) > Math.abs(big)) big = V[a * kk + j];
    if (big < 0) for (let a = 0; a < p; a++) V[a * kk + j] = -V[a * kk + j];
  }
  return { vectors: V, values, side: 'dual' };
}

/** XXᵀ (n×n) of rows of length p: dot products of whole rows, four rows of a block at a time. */
export function rowGram(rows: readonly Float64Array[], p: number): Float64Array {
  const n = rows.length;
  const K = new Float64Array(n * n);
  const native = n > 0 && p > 0 ? nativeFloat64('syrk', Math.cbrt(n * n * p)) : undefined;
  if (native) {
    native(false, n, p, contiguousRows(rows, p), K);
    return K;
  }
  for (let i0 = 0; i0 < n; i0 += 4) {
    const i1 = Math.min(i0 + 4, n);
    const a0 = rows[i0];
    const a1 = rows[Math.min(i0 + 1, i1 - 1)];
    const a2 = rows[Math.min(i0 + 2, i1 - 1)];
    const a3 = rows[Math.min(i0 + 3, i1 - 1)];
    for (let j = 0; j < i1; j++) {
      const b = rows[j];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let a = 0; a < p; a++) {
        const v = b[a];
        s0 += a0[a] * v;
        s1 += a1[a] * v;
        s2 += a2[a] * v;
        s3 += a3[a] * v;
      }
      const sums = [s0, s1, s2, s3];
      for (let i = i0; i < i1; i++) {
        if (j > i) continue;
        K[i * n + j] = sums[i - i0];
        K[j * n + i] = sums[i - i0];
      }
    }
  }
  return K;
}

/** The rows as one row-major n×p array: a view when they already are consecutive in one buffer. */
function contiguousRows(rows: readonly Float64Array[], p: number): Float64Array {
  const n = rows.length;
  const first = rows[0];
  let view = true;
  for (let i = 0; i < n && view; i++) {
    const r = rows[i];
    view =
      r.length >= p && r.buffer === first.buffer && r.byteOffset === first.byteOffset + i * p * 8;
  }
  if (view && first.byteOffset + n * p * 8 <= first.buffer.byteLength)
    return new Float64Array(first.buffer, first.byteOffset, n * p);
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) out.set(rows[i].subarray(0, p), i * p);
  return out;
}
