import { cholesky, matrix, NotPositiveDefiniteError } from '@hetmtl/tensor';

/**
 * A Cholesky factor L (A = L·Lᵀ) kept with its transpose, so that both triangular solves of
 * {@link DenseCholesky.solveInto} run along contiguous rows. For the ADMM's repeated solves.
 */
export class DenseCholesky {
  readonly n: number;
  readonly #L: Float64Array;
  readonly #U: Float64Array;

  /** Factors the symmetric positive-definite n×n row-major matrix `a` (throws NotPositiveDefiniteError). */
  constructor(a: Float64Array, n: number) {
    this.n = n;
    this.#L = cholesky(matrix(n, n, a)).data;
    const U = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) U[j * n + i] = this.#L[i * n + j];
    this.#U = U;
  }

  /** Solves A x = b; writes x into `out` (which may be `b`). */
  solveInto(b: Float64Array, out: Float64Array): Float64Array {
    const n = this.n;
    const L = this.#L;
    const U = this.#U;
    if (out !== b) out.set(b);
    for (let i = 0; i < n; i++) {
      let s = out[i];
      const row = i * n;
      for (let k = 0; k < i; k++) s -= L[row + k] * out[k];
      out[i] = s / L[row + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = out[i];
      const row = i * n;
      for (let k = i + 1; k < n; k++) s -= U[row + k] * out[k];
      out[i] = s / U[row + i];
    }
    return out;
  }

  solve(b: Float64Array): Float64Array {
    return this.solveInto(b, new Float64Array(this.n));
  }
}

/** Like `new DenseCholesky`, but rethrows a NotPositiveDefiniteError with a task index and a fix. */
export function factorOrExplain(
  a: Float64Array,
  n: number,
  what: string,
  task?: number,
): DenseCholesky {
  try {
    return new DenseCholesky(a, n);
  } catch (e) {
    if (NotPositiveDefiniteError.isInstance(e)) {
      throw new NotPositiveDefiniteError(e.pivot, e.value, {
        ...(task === undefined ? {} : { task }),
        cause: e,
        fix: `${what} is not positive definite: each A_r must be positive semidefinite, and a task whose A_r is singular needs ridge > 0 (default 1e-3)`,
      });
    }
    throw e;
  }
}
