import {
  cholesky,
  choleskySolve,
  type Matrix,
  matmul,
  matrix,
  NotPositiveDefiniteError,
  type Random,
} from '@hetmtl/tensor';

/**
 * Small Float64 helpers for the model's closed-form steps (row-major arrays, n×p).
 */

/**
 * Solves (A + jitter·I) X = B for symmetric PSD A, adding a growing jitter until the Cholesky
 * factor exists (the "pseudo-inverse fallback" of method.md §4). Returns the jitter used.
 */
export function solveRidge(
  A: Float64Array,
  B: Float64Array,
  k: number,
  cols: number,
): { x: Float64Array; jitter: number } {
  let jitter = 0;
  let scale = 0;
  for (let i = 0; i < k; i++) scale = Math.max(scale, Math.abs(A[i * k + i] as number));
  for (let attempt = 0; attempt < 12; attempt++) {
    const M = matrix(k, k, A.slice());
    for (let i = 0; i < k; i++) M.data[i * k + i] = (M.data[i * k + i] as number) + jitter;
    try {
      const L = cholesky(M);
      const x =
        cols === 1
          ? choleskySolve(L, B.slice())
          : choleskySolve(L, matrix(k, cols, B.slice())).data;
      return { x, jitter };
    } catch (e) {
      if (!NotPositiveDefiniteError.isInstance(e)) throw e;
      jitter = jitter === 0 ? Math.max(scale, 1) * 1e-10 : jitter * 100;
    }
  }
  throw new NotPositiveDefiniteError(0, Number.NaN, {
    fix: 'The data are degenerate (constant or duplicated columns): remove them',
  });
}

/**
 * The top-k eigenvectors of a symmetric PSD p×p matrix by orthogonal (subspace) iteration, as a
 * p×k row-major array with orthonormal columns, and their eigenvalues (descending).
 */
export function topEigen(
  C: Float64Array,
  p: number,
  k: number,
  rng: Random,
  maxIter = 500,
  tol = 1e-10,
): { vectors: Float64Array; values: Float64Array } {
  const kk = Math.min(k, p);
  let Q: Float64Array = new Float64Array(p * kk);
  for (let i = 0; i < p * kk; i++) Q[i] = rng.normal();
  orthonormalise(Q, p, kk);
  const values = new Float64Array(kk);
  const Cm = matrix(p, p, C);
  for (let it = 0; it < maxIter; it++) {
    const Z = matmul(Cm, matrix(p, kk, Q)).data;
    // Rayleigh quotients before orthonormalising.
    for (let j = 0; j < kk; j++) {
      let s = 0;
      for (let a = 0; a < p; a++) s += (Q[a * kk + j] as number) * (Z[a * kk + j] as number);
      values[j] = s;
    }
    orthonormalise(Z, p, kk);
    let change = 0;
    for (let j = 0; j < kk; j++) {
      let dot = 0;
      for (let a = 0; a < p; a++) dot += (Z[a * kk + j] as number) * (Q[a * kk + j] as number);
      change = Math.max(change, 1 - Math.abs(dot));
    }
    Q = Z;
    if (change < tol) break;
  }
  // Sort by eigenvalue, fix signs (largest-magnitude entry positive) for reproducibility.
  const order = Array.from({ length: kk }, (_, j) => j).sort(
    (a, b) => (values[b] as number) - (values[a] as number),
  );
  const vectors = new Float64Array(p * kk);
  const sorted = new Float64Array(kk);
  order.forEach((j, jj) => {
    sorted[jj] = values[j] as number;
    let big = 0;
    for (let a = 0; a < p; a++)
      if (Math.abs(Q[a * kk + j] as number) > Math.abs(big)) big = Q[a * kk + j] as number;
    const sign = big < 0 ? -1 : 1;
    for (let a = 0; a < p; a++) vectors[a * kk + jj] = sign * (Q[a * kk + j] as number);
  });
  return { vectors, values: sorted };
}

/** Modified Gram–Schmidt on the columns of a row-major p×k array, in place. */
export function orthonormalise(Q: Float64Array, p: number, k: number): void {
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let a = 0; a < p; a++) dot += (Q[a * k + i] as number) * (Q[a * k + j] as number);
      for (let a = 0; a < p; a++)
        Q[a * k + j] = (Q[a * k + j] as number) - dot * (Q[a * k + i] as number);
    }
    let norm = 0;
    for (let a = 0; a < p; a++) norm += (Q[a * k + j] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm < 1e-300) {
      // A degenerate direction: replace by a unit vector orthogonal to the others.
      for (let a = 0; a < p; a++) Q[a * k + j] = a === j % p ? 1 : 0;
      j--;
      continue;
    }
    for (let a = 0; a < p; a++) Q[a * k + j] = (Q[a * k + j] as number) / norm;
  }
}

export function asMatrix(data: Float64Array, rows: number, cols: number): Matrix {
  return matrix(rows, cols, data);
}

/** c + Fβ + Gγ for n rows. */
export function predictLinear(
  F: Float64Array,
  G: Float64Array,
  n: number,
  beta: Float64Array,
  gamma: Float64Array,
  c: number,
): Float64Array {
  const K0 = beta.length;
  const K1 = gamma.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = c;
    for (let k = 0; k < K0; k++) s += (F[i * K0 + k] as number) * (beta[k] as number);
    for (let k = 0; k < K1; k++) s += (G[i * K1 + k] as number) * (gamma[k] as number);
    out[i] = s;
  }
  return out;
}
