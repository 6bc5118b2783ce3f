import {
  cholesky,
  choleskySolve,
  type Matrix,
  matrix,
  NotPositiveDefiniteError,
} from '@hetmtl/tensor';

/** Small Float64 helpers on row-major arrays (n rows × p columns). */

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
