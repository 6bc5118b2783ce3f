/**
 * Small independent oracles for numeric tests: a dense linear solve written from the textbook
 * (no shared kernel), and a Poisson draw by inversion of its distribution function.
 */

/** Solves A x = b by Gaussian elimination with partial pivoting (A n×n as rows; A and b are not changed). */
export function gaussSolve(A: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i][k]) > Math.abs(M[piv][k])) piv = i;
    [M[k], M[piv]] = [M[piv], M[k]];
    for (let i = k + 1; i < n; i++) {
      const f = M[i][k] / M[k][k];
      for (let j = k; j <= n; j++) M[i][j] -= f * M[k][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i][n];
    for (let j = i + 1; j < n; j++) s -= M[i][j] * x[j];
    x[i] = s / M[i][i];
  }
  return x;
}

/** The Poisson(μ) count at the uniform draw u ∈ [0, 1): the smallest k with P(X ≤ k) ≥ u (capped at 1000). */
export function poissonInverse(mu: number, u: number): number {
  let k = 0;
  let pk = Math.exp(-mu);
  let cdf = pk;
  while (u > cdf && k < 1000) {
    k++;
    pk *= mu / k;
    cdf += pk;
  }
  return k;
}
