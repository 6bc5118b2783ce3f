// topPrincipalDirections against two oracles: the planted spectrum of X = A diag(s) Bᵀ (the
// eigenvectors of XᵀX/n are B's columns, the eigenvalues s²/n) and the primal topEigen of the p×p
// covariance, run to convergence — on both sides of the p = n switch, with ties, and past the rank.
import { describe, expect, it } from 'vitest';
import { orthonormalize, topEigen } from './eigen.js';
import { gram, matmul, matrix } from './linalg.js';
import { rowGram, topPrincipalDirections } from './principal.js';
import { Random } from './random.js';

/** Orthonormal n×m columns; with `centred`, also orthogonal to the ones vector. */
function columns(rng: Random, n: number, m: number, centred: boolean): Float64Array {
  const extra = centred ? 1 : 0;
  const Q = new Float64Array(n * (m + extra));
  for (let i = 0; i < Q.length; i++) Q[i] = rng.normal();
  if (centred) for (let i = 0; i < n; i++) Q[i * (m + 1)] = 1;
  orthonormalize(Q, n, m + extra);
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) out[i * m + j] = Q[i * (m + extra) + j + extra];
  return out;
}

/** Centred n×p rows X = A diag(s) Bᵀ and B (p×m). */
function planted(seed: number, n: number, p: number, s: readonly number[]) {
  const rng = new Random(seed);
  const m = s.length;
  const A = columns(rng, n, m, true);
  const B = columns(rng, p, m, false);
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < p; a++) {
      let v = 0;
      for (let j = 0; j < m; j++) v += A[i * m + j]! * s[j]! * B[a * m + j]!;
      X[i * p + a] = v;
    }
  return { X, B, m };
}

const column = (V: Float64Array, p: number, k: number, j: number) =>
  Float64Array.from({ length: p }, (_, a) => V[a * k + j]!);

/** max |x − sign·y| with the sign that aligns them. */
function alignedDiff(x: Float64Array, y: Float64Array): number {
  let dot = 0;
  for (let a = 0; a < x.length; a++) dot += x[a]! * y[a]!;
  const sign = dot < 0 ? -1 : 1;
  return x.reduce((m, v, a) => Math.max(m, Math.abs(v - sign * y[a]!)), 0);
}

/** The projector VVᵀ of the first `cols` of k columns (p×p). */
function projector(V: Float64Array, p: number, k: number, cols: number): Float64Array {
  const P = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += V[a * k + j]! * V[b * k + j]!;
      P[a * p + b] = s;
    }
  return P;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

function covariance(X: Float64Array, n: number, p: number): Float64Array {
  const G = gram(X, n, p);
  for (let i = 0; i < G.length; i++) G[i] = G[i]! / n;
  return G;
}

/** max |VᵀV − I| over k columns. */
function orthonormalityError(V: Float64Array, p: number, k: number): number {
  const G = matmul(matrix(p, k, V), matrix(p, k, V), { transA: true }).data;
  let e = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) e = Math.max(e, Math.abs(G[i * k + j]! - (i === j ? 1 : 0)));
  return e;
}

describe('rowGram', () => {
  it('is XXᵀ (the product of X with its transpose) for row counts around the block of four', () => {
    const rng = new Random(3);
    for (const n of [1, 2, 3, 4, 5, 9]) {
      const p = 7;
      const X = rng.normals(n * p);
      const rows = Array.from({ length: n }, (_, i) => X.subarray(i * p, (i + 1) * p));
      const ref = matmul(matrix(n, p, X), matrix(n, p, X), { transB: true }).data;
      expect(maxDiff(rowGram(rows, p), ref)).toBeLessThan(1e-12);
    }
  });
});

describe('topPrincipalDirections', () => {
  const s = [10, 4, 1.6, 0.64, 0.256];
  const k = 3;

  it('agrees with the planted directions and the converged primal topEigen at p = n − 1, n, n + 1', () => {
    const n = 12;
    for (const p of [n - 1, n, n + 1]) {
      const { X, B, m } = planted(p, n, p, s);
      const got = topPrincipalDirections(X, n, p, k, new Random(5));
      expect(got.side).toBe(p > n ? 'dual' : 'primal');
      const primal = topEigen(covariance(X, n, p), p, k, new Random(5), 5000, 0);
      // The primal side is topEigen at its default tolerance (residuals below 1e-12·θ_1); the dual
      // side is exact.
      const tol = 1e-8;
      for (let j = 0; j < k; j++) {
        const v = column(got.vectors, p, k, j);
        expect(alignedDiff(v, column(B, p, m, j))).toBeLessThan(tol);
        // The same sign convention as topEigen: no alignment needed.
        expect(maxDiff(v, column(primal.vectors, p, k, j))).toBeLessThan(tol);
        expect(Math.abs(got.values[j]! - s[j]! ** 2 / n)).toBeLessThan(tol / 100);
      }
    }
  });

  it('gives the same directions from both sides on the same data (either side of the switch)', () => {
    for (const [n, p] of [
      [12, 30],
      [30, 12],
    ] as const) {
      const { X } = planted(7, n, p, s);
      const dual = topPrincipalDirections(X, n, p, k, new Random(1), { side: 'dual' });
      const primal = topEigen(covariance(X, n, p), p, k, new Random(1), 5000, 0);
      expect(dual.side).toBe('dual');
      expect(maxDiff(dual.vectors, primal.vectors)).toBeLessThan(1e-8);
      expect(maxDiff(dual.values, primal.values)).toBeLessThan(1e-10);
    }
  });

  it('is, on the primal side, exactly topEigen of the covariance built block by block', () => {
    const n1 = 9;
    const n2 = 11;
    const p = 8;
    const rng = new Random(2);
    const X1 = rng.normals(n1 * p);
    const X2 = rng.normals(n2 * p);
    const n = n1 + n2;
    const C = new Float64Array(p * p);
    for (const [Xb, nb] of [
      [X1, n1],
      [X2, n2],
    ] as const) {
      const G = gram(Xb, nb, p);
      for (let i = 0; i < p * p; i++) C[i] = C[i]! + G[i]! / n;
    }
    const ref = topEigen(C, p, 3, new Random(4));
    const got = topPrincipalDirections([X1, X2], n, p, 3, new Random(4));
    expect(got.side).toBe('primal');
    expect(Array.from(got.vectors)).toEqual(Array.from(ref.vectors));
    expect(Array.from(got.values)).toEqual(Array.from(ref.values));
    // One task's rows: C = G/n exactly as gram(X)/n.
    const one = topPrincipalDirections(X1, n1, p, 2, new Random(4));
    expect(Array.from(one.vectors)).toEqual(
      Array.from(topEigen(covariance(X1, n1, p), p, 2, new Random(4)).vectors),
    );
  });

  it('reads blocks of rows as the stacked matrix on the dual side', () => {
    const { X } = planted(9, 10, 25, s);
    const whole = topPrincipalDirections(X, 10, 25, k, new Random(1));
    const split = topPrincipalDirections(
      [X.subarray(0, 3 * 25), X.subarray(3 * 25)],
      10,
      25,
      k,
      new Random(1),
    );
    expect(Array.from(split.vectors)).toEqual(Array.from(whole.vectors));
  });

  it('spans the tied eigenspace (a repeated eigenvalue) like the primal side', () => {
    const n = 10;
    const p = 40;
    const tied = [6, 3, 3, 1];
    const { X, B, m } = planted(11, n, p, tied);
    const got = topPrincipalDirections(X, n, p, 3, new Random(1));
    expect(got.side).toBe('dual');
    expect(alignedDiff(column(got.vectors, p, 3, 0), column(B, p, m, 0))).toBeLessThan(1e-8);
    // Columns 2–3 span the tied pair: the projectors on the top 3 agree.
    const Bk = new Float64Array(p * 3);
    for (let a = 0; a < p; a++) for (let j = 0; j < 3; j++) Bk[a * 3 + j] = B[a * m + j]!;
    expect(maxDiff(projector(got.vectors, p, 3, 3), projector(Bk, p, 3, 3))).toBeLessThan(1e-8);
    expect(got.values[1]! - got.values[2]!).toBeLessThan(1e-10);
  });

  it('completes past the rank with orthonormal null directions (k > rank, and X = 0)', () => {
    const n = 6;
    const p = 30;
    const rank = [5, 2, 1];
    const { X, B, m } = planted(13, n, p, rank);
    const k8 = 8;
    const got = topPrincipalDirections(X, n, p, k8, new Random(1));
    expect(orthonormalityError(got.vectors, p, k8)).toBeLessThan(1e-12);
    for (let j = 0; j < m; j++)
      expect(alignedDiff(column(got.vectors, p, k8, j), column(B, p, m, j))).toBeLessThan(1e-8);
    const C = covariance(X, n, p);
    for (let j = m; j < k8; j++) {
      expect(got.values[j]).toBe(0);
      // C v = 0: an eigenvector of the eigenvalue 0.
      const v = column(got.vectors, p, k8, j);
      const Cv = matmul(matrix(p, p, C), matrix(p, 1, v)).data;
      expect(Math.max(...Array.from(Cv, Math.abs))).toBeLessThan(1e-10);
    }
    const zero = topPrincipalDirections(new Float64Array(n * p), n, p, 4, new Random(1));
    expect(orthonormalityError(zero.vectors, p, 4)).toBeLessThan(1e-12);
    expect(Array.from(zero.values)).toEqual([0, 0, 0, 0]);
    // More directions than rows: still p×k orthonormal.
    const many = topPrincipalDirections(X, n, p, n + 3, new Random(1));
    expect(orthonormalityError(many.vectors, p, n + 3)).toBeLessThan(1e-12);
  });

  it('draws the same numbers from the generator on both sides', () => {
    const { X } = planted(3, 10, 14, s);
    const a = new Random(8);
    const b = new Random(8);
    topPrincipalDirections(X, 10, 14, k, a, { side: 'primal' });
    topPrincipalDirections(X, 10, 14, k, b, { side: 'dual' });
    expect(a.normal()).toBe(b.normal());
  });

  it('rejects data that is not n × p, bad blocks and a bad k', () => {
    const X = new Float64Array(12);
    expect(() => topPrincipalDirections(X, 5, 3, 1, new Random(1))).toThrow(/n × p/);
    expect(() =>
      topPrincipalDirections([X.subarray(0, 5), X.subarray(5)], 4, 3, 1, new Random(1)),
    ).toThrow(/blocks/);
    expect(() => topPrincipalDirections(X, 4, 3, 0, new Random(1))).toThrow(/k/);
  });
});
