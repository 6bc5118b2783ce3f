import {
  cholesky,
  choleskySolve,
  type Matrix,
  matrix,
  NotPositiveDefiniteError,
} from '@hetmtl/tensor';

/** Small Float64 helpers on row-major arrays (n rows × p columns). */

/** XᵀX (p×p). */
export function gram(X: ArrayLike<number>, n: number, p: number): Float64Array {
  const G = new Float64Array(p * p);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let a = 0; a < p; a++) {
      const xa = X[o + a] as number;
      if (xa === 0) continue;
      const ra = a * p;
      for (let b = a; b < p; b++) G[ra + b] = (G[ra + b] as number) + xa * (X[o + b] as number);
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) G[a * p + b] = G[b * p + a] as number;
  return G;
}

/** Xᵀy (p). */
export function crossprod(
  X: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  p: number,
): Float64Array {
  const out = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const yi = y[i] as number;
    if (yi === 0) continue;
    const o = i * p;
    for (let a = 0; a < p; a++) out[a] = (out[a] as number) + (X[o + a] as number) * yi;
  }
  return out;
}

export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) ** 2;
  return Math.sqrt(s);
}

/**
 * A Cholesky factor of the symmetric positive semidefinite k×k matrix A, adding a growing jitter
 * to the diagonal until it exists (a near-singular system is solved as a slightly ridged one).
 */
export function choleskyWithJitter(A: Float64Array, k: number): Matrix {
  let scale = 0;
  for (let i = 0; i < k; i++) scale = Math.max(scale, Math.abs(A[i * k + i] as number));
  let jitter = 0;
  for (let attempt = 0; attempt < 12; attempt++) {
    const M = matrix(k, k, A.slice());
    for (let i = 0; i < k; i++) M.data[i * k + i] = (M.data[i * k + i] as number) + jitter;
    try {
      return cholesky(M);
    } catch (e) {
      if (!NotPositiveDefiniteError.isInstance(e)) throw e;
      jitter = jitter === 0 ? Math.max(scale, 1) * 1e-12 : jitter * 100;
    }
  }
  throw new NotPositiveDefiniteError(0, Number.NaN, {
    fix: 'The data are degenerate (constant or duplicated columns): remove them',
  });
}

/** Solves A x = b for symmetric positive (semi)definite A (see {@link choleskyWithJitter}). */
export function solveSymmetric(A: Float64Array, b: Float64Array, k: number): Float64Array {
  return choleskySolve(choleskyWithJitter(A, k), b);
}
