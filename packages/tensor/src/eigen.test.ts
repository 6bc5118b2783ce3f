import { describe, expect, it } from 'vitest';
import {
  applySpectral,
  fromEigenBasis,
  orthonormalize,
  pseudoSolve,
  spectralMatrix,
  symmetricEigen,
  toEigenBasis,
  topEigen,
} from './eigen.js';
import { Random } from './random.js';

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

/** A random symmetric PSD n×n matrix with the given eigenvalues (Q diag(λ) Qᵀ, Q from Gram–Schmidt). */
function withSpectrum(rng: Random, lambdas: readonly number[]) {
  const n = lambdas.length;
  const Q = rng.normals(n * n);
  orthonormalize(Q, n, n);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[i * n + k]! * lambdas[k]! * Q[j * n + k]!;
      A[i * n + j] = s;
    }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i]!;
  return { A, Q };
}

describe('spectral helpers', () => {
  const rng = new Random(3);
  const n = 7;
  const { A } = withSpectrum(rng, [5, 3, 2, 1, 0.5, 0.25, 0.1]);
  const eig = symmetricEigen(A, n);
  const v = rng.normals(n);

  it('toEigenBasis / fromEigenBasis are Uᵀ and U (a round trip is the identity)', () => {
    const c = toEigenBasis(eig, v);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += eig.vectors[i * n + j]! * v[i]!;
      expect(c[j]).toBeCloseTo(s, 13);
    }
    const back = fromEigenBasis(eig, c);
    back.forEach((x, i) => expect(x).toBeCloseTo(v[i]!, 12));
  });

  it('applySpectral with the eigenvalues is A·v; spectralMatrix with them rebuilds A (added into `into`)', () => {
    const Av = applySpectral(eig, eig.values, v);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j]! * v[j]!;
      expect(Av[i]).toBeCloseTo(s, 12);
    }
    const into = new Float64Array(n * n).fill(1);
    const S = spectralMatrix(eig, eig.values, into);
    expect(S).toBe(into);
    S.forEach((x, i) => expect(x - 1).toBeCloseTo(A[i]!, 12));
  });

  it('pseudoSolve with a shift solves (A + shift·I) x = b; it drops directions below 1e-10 of the top', () => {
    const x = pseudoSolve(eig, 0.3, v);
    for (let i = 0; i < n; i++) {
      let s = 0.3 * x[i]!;
      for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!;
      expect(s).toBeCloseTo(v[i]!, 11);
    }
    // A rank-one matrix u uᵀ: the minimum-norm solution of u uᵀ x = u is u/‖u‖².
    const u = Float64Array.from([1, -2, 0.5]);
    const P = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) P[i * 3 + j] = u[i]! * u[j]!;
    const m = pseudoSolve(symmetricEigen(P, 3), 0, u);
    m.forEach((x, i) => expect(x).toBeCloseTo(u[i]! / 5.25, 12));
  });
});

describe('orthonormalise', () => {
  it('gives orthonormal columns spanning the same leading subspaces (QᵀQ = I, Q = X·R upper triangular)', () => {
    const rng = new Random(4);
    const p = 9;
    const k = 4;
    const X = rng.normals(p * k);
    const Q = X.slice();
    orthonormalize(Q, p, k);
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++) {
        let qq = 0;
        for (let i = 0; i < p; i++) qq += Q[i * k + a]! * Q[i * k + b]!;
        expect(qq).toBeCloseTo(a === b ? 1 : 0, 12);
        // Column a of X lies in the span of the first a+1 columns of Q: its later coordinates vanish.
        if (b > a) {
          let xq = 0;
          for (let i = 0; i < p; i++) xq += X[i * k + a]! * Q[i * k + b]!;
          expect(xq).toBeCloseTo(0, 12);
        }
      }
  });

  it('replaces a degenerate (zero or dependent) column by a unit vector orthogonal to the others', () => {
    const p = 4;
    // Row-major 4×2: the columns are (1, 0, 0, 0)ᵀ and twice it.
    const Q = Float64Array.from([1, 2, 0, 0, 0, 0, 0, 0]);
    orthonormalize(Q, p, 2);
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < p; i++) {
      dot += Q[i * 2]! * Q[i * 2 + 1]!;
      norm += Q[i * 2 + 1]! ** 2;
    }
    expect(dot).toBeCloseTo(0, 14);
    expect(norm).toBeCloseTo(1, 14);
  });
});

describe('topEigen', () => {
  it('finds the top k eigenpairs of a PSD matrix: the same as symmetricEigen (oracle), C·V ≈ V·Λ, VᵀV = I', () => {
    const rng = new Random(5);
    const lambdas = [9, 4, 2.5, 1, 0.6, 0.3, 0.1, 0.05, 0.01, 0];
    const p = lambdas.length;
    const { A } = withSpectrum(rng, lambdas);
    const k = 3;
    const { vectors: V, values } = topEigen(A, p, k, new Random(6));
    const full = symmetricEigen(A, p);
    for (let j = 0; j < k; j++) {
      // Ritz values of the last iterate.
      expect(values[j]).toBeCloseTo(lambdas[j]!, 11);
      expect(values[j]).toBeCloseTo(full.values[p - 1 - j]!, 11);
      // Same direction as the oracle's eigenvector (up to sign), and the sign convention: the
      // largest-magnitude entry is positive.
      let dot = 0;
      let big = 0;
      for (let a = 0; a < p; a++) {
        dot += V[a * k + j]! * full.vectors[a * p + (p - 1 - j)]!;
        if (Math.abs(V[a * k + j]!) > Math.abs(big)) big = V[a * k + j]!;
      }
      expect(Math.abs(dot)).toBeCloseTo(1, 12);
      expect(big).toBeGreaterThan(0);
      for (let a = 0; a < p; a++) {
        let cv = 0;
        for (let b = 0; b < p; b++) cv += A[a * p + b]! * V[b * k + j]!;
        // The iteration stops when every residual ‖C v − θ v‖ is below 1e-12·θ_1.
        expect(Math.abs(cv - values[j]! * V[a * k + j]!)).toBeLessThan(1e-11 * lambdas[0]!);
      }
      for (let l = 0; l < k; l++) {
        let vv = 0;
        for (let a = 0; a < p; a++) vv += V[a * k + j]! * V[a * k + l]!;
        expect(vv).toBeCloseTo(j === l ? 1 : 0, 12);
      }
    }
  });

  it('converges to the oracle with a small gap after the top k and a cluster inside them (p = 300)', () => {
    const rng = new Random(9);
    const p = 300;
    // top 4: a cluster (5, 4.999) then 3, 2.98; the fifth 2.97 (gap 0.01 after the top 4); then noise
    const lambdas = Array.from({ length: p }, (_, i) =>
      i < 5 ? [5, 4.999, 3, 2.98, 2.97][i]! : 1 / (i + 1),
    );
    const { A } = withSpectrum(rng, lambdas);
    const k = 4;
    const { vectors: V, values } = topEigen(A, p, k, new Random(10));
    const full = symmetricEigen(A, p);
    for (let j = 0; j < k; j++) expect(values[j]).toBeCloseTo(full.values[p - 1 - j]!, 11);
    // The projector onto the top-k subspace equals the oracle's (a cluster's vectors are only defined
    // as a subspace; the gap to the fifth bounds the error by about 1e-12·5 / 0.01).
    let worst = 0;
    for (let a = 0; a < p; a += 7) {
      for (let c = 0; c < p; c += 5) {
        let mine = 0;
        let oracle = 0;
        for (let j = 0; j < k; j++) {
          mine += V[a * k + j]! * V[c * k + j]!;
          oracle += full.vectors[a * p + (p - 1 - j)]! * full.vectors[c * p + (p - 1 - j)]!;
        }
        worst = Math.max(worst, Math.abs(mine - oracle));
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('is reproducible for a seed and caps k at p', () => {
    const { A } = withSpectrum(new Random(7), [3, 2, 1]);
    const a = topEigen(A, 3, 5, new Random(8));
    const b = topEigen(A, 3, 5, new Random(8));
    expect(a.values.length).toBe(3);
    expect(Array.from(a.vectors)).toEqual(Array.from(b.vectors));
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
  });
});
