import { Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { pseudoSolve, symmetricEigen } from './symmetric-eigen.js';

function check(A: Float64Array, n: number) {
  const { values, vectors: V } = symmetricEigen(A, n);
  let scale = 1e-300;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(A[i]!));
  for (let j = 1; j < n; j++) expect(values[j]!).toBeGreaterThanOrEqual(values[j - 1]!);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      // (A V)_ij = λ_j V_ij and (VᵀV)_ij = δ_ij
      let av = 0;
      let vtv = 0;
      for (let k = 0; k < n; k++) {
        av += A[i * n + k]! * V[k * n + j]!;
        vtv += V[k * n + i]! * V[k * n + j]!;
      }
      expect(Math.abs(av - values[j]! * V[i * n + j]!)).toBeLessThan(1e-12 * scale * n);
      expect(Math.abs(vtv - (i === j ? 1 : 0))).toBeLessThan(1e-12 * n);
    }
  }
}

describe('symmetricEigen', () => {
  it('decomposes random symmetric matrices: A V = V Λ, VᵀV = I, eigenvalues increasing', () => {
    const rng = new Random(1);
    for (const n of [1, 2, 3, 5, 8, 13, 40]) {
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = rng.normal();
      check(A, n);
    }
  });

  it('handles repeated and zero eigenvalues (identity, zero, a rank-2 Gram matrix)', () => {
    const n = 6;
    const I = new Float64Array(n * n);
    for (let i = 0; i < n; i++) I[i * n + i] = 1;
    check(I, n);
    expect(Array.from(symmetricEigen(I, n).values)).toEqual(new Array(n).fill(1));
    check(new Float64Array(n * n), n);
    const u = [1, 2, 0, -1, 3, 1];
    const v = [0, 1, 1, 1, -2, 0.5];
    const G = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) G[i * n + j] = u[i]! * u[j]! + v[i]! * v[j]!;
    check(G, n);
    const eig = symmetricEigen(G, n);
    expect(eig.values.slice(0, 4).every((x) => Math.abs(x) < 1e-12)).toBe(true);
    // The pseudo-inverse solve gives the minimum-norm solution of G x = G·e₁: in span(u, v).
    const e1 = Float64Array.from({ length: n }, (_, i) => G[i * n]!);
    const x = pseudoSolve(eig, 0, e1);
    const Gx = Array.from({ length: n }, (_, i) =>
      x.reduce((s, xv, j) => s + G[i * n + j]! * xv, 0),
    );
    Gx.forEach((g, i) => expect(g).toBeCloseTo(e1[i]!, 10));
  });
});
