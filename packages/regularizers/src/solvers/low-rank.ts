import type { SymmetricEigen } from '@hetmtl/tensor';

/**
 * The range of a low-rank PSD A_r = U diag(v) Uᵀ: with wide data a task's A_r = Z_rᵀZ_r has rank
 * at most n_r − 1 in the q coordinates of the solve, so a spectral function f(A_r) is
 * f(0)·I + U_k diag(f(v_k) − f(0)) U_kᵀ over the k directions of the range — O(q²k) to form and
 * O(qk) to apply instead of O(q³) and O(q²). Eigenvalues at most {@link RANGE_TOL}·max v are the
 * null space (rounding noise of exact zeros), counted as 0.
 */
export interface Range {
  /** The indices j (into the eigen-decomposition) of the range directions. */
  readonly idx: readonly number[];
  /** U_k: the range eigenvectors as the columns of a row-major q×k array. */
  readonly U: Float64Array;
}

export const RANGE_TOL = 1e-12;

/**
 * The range of A = U diag(v) Uᵀ, or null when it spans more than half the space (then the dense
 * spectral forms are as cheap, and the numbers stay those of the dense forms).
 */
export function rangeOf(eig: SymmetricEigen): Range | null {
  const { n: q, values, vectors } = eig;
  let top = 0;
  for (let j = 0; j < q; j++) top = Math.max(top, Math.abs(values[j]));
  const idx: number[] = [];
  for (let j = 0; j < q; j++) if (values[j] > RANGE_TOL * top) idx.push(j);
  const k = idx.length;
  if (2 * k > q) return null;
  const U = new Float64Array(q * k);
  for (let i = 0; i < q; i++)
    idx.forEach((j, c) => {
      U[i * k + c] = vectors[i * q + j];
    });
  return { idx, U };
}

/** into += w0·I + U_k diag(w) U_kᵀ (q×q row-major, both triangles). */
export function addLowRank(
  into: Float64Array,
  q: number,
  range: Range,
  w0: number,
  w: Float64Array,
): void {
  const { U } = range;
  const k = range.idx.length;
  const W = new Float64Array(q * k);
  for (let i = 0; i < q * k; i++) W[i] = U[i] * w[i % k];
  for (let i = 0; i < q; i++) {
    into[i * q + i] = into[i * q + i] + w0;
    for (let l = i; l < q; l++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += W[i * k + c] * U[l * k + c];
      into[i * q + l] = into[i * q + l] + s;
      if (l !== i) into[l * q + i] = into[l * q + i] + s;
    }
  }
}

/** w0·v + U_k (w ∘ U_kᵀ v). */
export function applyLowRank(range: Range, w0: number, w: Float64Array, v: Float64Array) {
  const { U } = range;
  const k = range.idx.length;
  const q = v.length;
  const t = new Float64Array(k);
  for (let i = 0; i < q; i++) {
    const vi = v[i];
    for (let c = 0; c < k; c++) t[c] = t[c] + U[i * k + c] * vi;
  }
  for (let c = 0; c < k; c++) t[c] = t[c] * w[c];
  const out = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s = w0 * v[i];
    for (let c = 0; c < k; c++) s += U[i * k + c] * t[c];
    out[i] = s;
  }
  return out;
}
