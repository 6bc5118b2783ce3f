import { describe, expect, it } from 'vitest';
import { NotPositiveDefiniteError, ValidationError } from './errors.js';
import {
  addDiagonal,
  cholesky,
  choleskySolve,
  choleskyWithJitter,
  crossprod,
  fromRows,
  gram,
  identity,
  type Matrix,
  matmul,
  matrix,
  matvec,
  predictLinear,
  solveSPD,
  solveWithJitter,
  toRows,
  transpose,
} from './linalg.js';
import { Random } from './random.js';

function randomMatrix(r: Random, rows: number, cols: number): Matrix {
  return matrix(rows, cols, r.normals(rows * cols));
}

/** Independent oracle: Gaussian elimination with partial pivoting. */
function gaussSolve(a: Matrix, b: Float64Array): Float64Array {
  const n = a.rows;
  const m = toRows(a).map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(m[i]![c]!) > Math.abs(m[piv]![c]!)) piv = i;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let i = c + 1; i < n; i++) {
      const f = m[i]![c]! / m[c]![c]!;
      for (let j = c; j <= n; j++) m[i]![j]! -= f * m[c]![j]!;
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= m[i]![j]! * x[j]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('matrix products', () => {
  it('matmul matches the textbook triple loop for every transpose combination', () => {
    const r = new Random(1);
    const A = randomMatrix(r, 4, 3);
    const B = randomMatrix(r, 3, 5);
    const naive = (x: Matrix, y: Matrix): number[][] =>
      toRows(x).map((row) =>
        Array.from({ length: y.cols }, (_, j) =>
          row.reduce((s, v, k) => s + v * y.data[k * y.cols + j]!, 0),
        ),
      );
    const want = naive(A, B).flat();
    expect(maxAbsDiff(matmul(A, B).data, want)).toBeLessThan(1e-14);
    expect(maxAbsDiff(matmul(transpose(A), B, { transA: true }).data, want)).toBeLessThan(1e-14);
    expect(maxAbsDiff(matmul(A, transpose(B), { transB: true }).data, want)).toBeLessThan(1e-14);
    expect(
      maxAbsDiff(matmul(transpose(A), transpose(B), { transA: true, transB: true }).data, want),
    ).toBeLessThan(1e-14);
    expect(() => matmul(A, A)).toThrow(ValidationError);
  });

  it('matvec and its transpose agree with matmul', () => {
    const r = new Random(2);
    const A = randomMatrix(r, 5, 3);
    const x = r.normals(3);
    const y = r.normals(5);
    expect(maxAbsDiff(matvec(A, x), matmul(A, matrix(3, 1, x)).data)).toBeLessThan(1e-14);
    expect(maxAbsDiff(matvec(A, y, true), matmul(transpose(A), matrix(5, 1, y)).data)).toBeLessThan(
      1e-14,
    );
    expect(() => matvec(A, y)).toThrow(/vector of length 3/);
  });

  it('gram and crossprod equal XᵀX and XᵀY from matmul', () => {
    const r = new Random(4);
    const X = randomMatrix(r, 7, 3);
    const Y = randomMatrix(r, 7, 2);
    expect(maxAbsDiff(gram(X.data, 7, 3), matmul(X, X, { transA: true }).data)).toBeLessThan(1e-13);
    expect(
      maxAbsDiff(crossprod(X.data, Y.data, 7, 3, 2), matmul(X, Y, { transA: true }).data),
    ).toBeLessThan(1e-13);
    const y = r.normals(7);
    expect(maxAbsDiff(crossprod(X.data, y, 7, 3), matvec(X, y, true))).toBeLessThan(1e-13);
  });

  it('fromRows / toRows / identity / addDiagonal', () => {
    const A = fromRows([
      [1, 2],
      [3, 4],
    ]);
    expect(toRows(addDiagonal(A, 10))).toEqual([
      [11, 2],
      [3, 14],
    ]);
    expect(toRows(A)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(toRows(identity(2))).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(() => fromRows([[1, 2], [3]])).toThrow(/row 1/);
  });
});

describe('Cholesky', () => {
  it('factors a known matrix exactly', () => {
    // A classic worked example: A = L Lᵀ with L = [[2,0,0],[6,1,0],[-8,5,3]].
    const A = fromRows([
      [4, 12, -16],
      [12, 37, -43],
      [-16, -43, 98],
    ]);
    expect(toRows(cholesky(A))).toEqual([
      [2, 0, 0],
      [6, 1, 0],
      [-8, 5, 3],
    ]);
    expect(Array.from(solveSPD(A, new Float64Array([1, 2, 3])))).toEqual(
      Array.from(gaussSolve(A, new Float64Array([1, 2, 3]))).map((v) => expect.closeTo(v, 10)),
    );
  });

  it('round-trips random SPD systems against Gaussian elimination', () => {
    const r = new Random(3);
    for (const n of [1, 2, 5, 20, 60]) {
      const B = randomMatrix(r, n + 3, n);
      const A = addDiagonal(matmul(B, B, { transA: true }), 0.1);
      const L = cholesky(A);
      // L Lᵀ reproduces A.
      expect(maxAbsDiff(matmul(L, L, { transB: true }).data, A.data)).toBeLessThan(1e-10 * n);
      const b = r.normals(n);
      const x = solveSPD(A, b);
      expect(maxAbsDiff(matvec(A, x), b)).toBeLessThan(1e-9);
      expect(maxAbsDiff(x, gaussSolve(A, b))).toBeLessThan(1e-8);
      // Several right-hand sides at once.
      const Bm = randomMatrix(r, n, 3);
      const X = choleskySolve(L, Bm);
      expect(maxAbsDiff(matmul(A, X).data, Bm.data)).toBeLessThan(1e-9);
    }
  });

  it('refuses a matrix that is not positive definite, naming the pivot', () => {
    const A = fromRows([
      [1, 2],
      [2, 1],
    ]);
    let err: unknown;
    try {
      cholesky(A);
    } catch (e) {
      err = e;
    }
    expect(NotPositiveDefiniteError.isInstance(err)).toBe(true);
    expect((err as NotPositiveDefiniteError).pivot).toBe(1);
    expect((err as Error).message).toMatch(/pivot 1.*ridge/);
    // Singular (rank-deficient) PSD matrices are refused too.
    const B = fromRows([
      [1, 1],
      [1, 1],
    ]);
    expect(() => solveSPD(B, new Float64Array([1, 1]))).toThrow(NotPositiveDefiniteError);
  });

  it('refuses non-square, non-symmetric and non-finite input', () => {
    expect(() => cholesky(matrix(2, 3))).toThrow(/square/);
    expect(() =>
      cholesky(
        fromRows([
          [2, 1],
          [0, 2],
        ]),
      ),
    ).toThrow(/symmetric/);
    expect(() =>
      cholesky(
        fromRows([
          [Number.NaN, 0],
          [0, 1],
        ]),
      ),
    ).toThrow(/finite/);
    expect(() => choleskySolve(identity(2), new Float64Array(3))).toThrow(ValidationError);
  });
});

describe('Cholesky with jitter', () => {
  it('adds no jitter to a positive-definite matrix: the same solve as solveSPD, and Gaussian elimination', () => {
    const r = new Random(11);
    const X = randomMatrix(r, 9, 4);
    const A = matmul(X, X, { transA: true });
    const b = r.normals(4);
    const { x, jitter } = solveWithJitter(A.data, b, 4);
    expect(jitter).toBe(0);
    expect(Array.from(x)).toEqual(Array.from(solveSPD(A, b)));
    expect(maxAbsDiff(x, gaussSolve(A, b))).toBeLessThan(1e-12);
    const B = randomMatrix(r, 4, 3);
    const many = solveWithJitter(A.data, B.data, 4, 3);
    for (let c = 0; c < 3; c++) {
      const col = Float64Array.from({ length: 4 }, (_, i) => B.data[i * 3 + c]!);
      const want = gaussSolve(A, col);
      for (let i = 0; i < 4; i++) expect(many.x[i * 3 + c]).toBeCloseTo(want[i]!, 12);
    }
  });

  it('solves a singular PSD system as (A + jitter·I) x = b, jitter = max(max|A_ii|, 1)·1e-10·100^m', () => {
    // Rank 2 in R³: the third column is the sum of the first two.
    const X = fromRows([
      [1, 0, 1],
      [0, 1, 1],
      [2, 1, 3],
      [1, -1, 0],
    ]);
    const A = matmul(X, X, { transA: true });
    const b = Float64Array.from([1, 2, 3]);
    const { x, jitter } = solveWithJitter(A.data, b, 3);
    let scale = 0;
    for (let i = 0; i < 3; i++) scale = Math.max(scale, Math.abs(A.data[i * 4]!));
    const m = Math.log(jitter / (scale * 1e-10)) / Math.log(100);
    expect(jitter).toBeGreaterThan(0);
    expect(Math.abs(m - Math.round(m))).toBeLessThan(1e-9);
    const ridged = addDiagonal(A, jitter);
    expect(maxAbsDiff(x, gaussSolve(ridged, b))).toBeLessThan(
      1e-6 * Math.max(...Array.from(x, Math.abs)),
    );
    const { L } = choleskyWithJitter(A.data, 3);
    expect(maxAbsDiff(matmul(L, L, { transB: true }).data, ridged.data)).toBeLessThan(
      1e-12 * scale,
    );
  });

  it('throws NotPositiveDefiniteError with the failing pivot and its value when no jitter helps', () => {
    // Indefinite with a small diagonal: the jitter (relative to max|A_ii|) never reaches 1e20.
    const A = Float64Array.from([0, 1e20, 1e20, 0]);
    try {
      choleskyWithJitter(A, 2);
      expect.unreachable();
    } catch (e) {
      expect(NotPositiveDefiniteError.isInstance(e)).toBe(true);
      const err = e as NotPositiveDefiniteError;
      expect(err.pivot).toBe(1);
      expect(err.value).toBeLessThan(0);
      expect(err.fix).toMatch(/degenerate/);
    }
  });
});

describe('predictLinear', () => {
  it('is c + Fβ + Gγ row by row (brute force), and c + Xβ with an empty G', () => {
    const r = new Random(12);
    const n = 6;
    const F = r.normals(n * 3);
    const G = r.normals(n * 2);
    const beta = r.normals(3);
    const gamma = r.normals(2);
    const out = predictLinear(F, G, n, beta, gamma, 0.7);
    const Fb = matvec(matrix(n, 3, F), beta);
    const Gg = matvec(matrix(n, 2, G), gamma);
    for (let i = 0; i < n; i++) expect(out[i]).toBeCloseTo(0.7 + Fb[i]! + Gg[i]!, 13);
    const plain = predictLinear(F, new Float64Array(0), n, beta, new Float64Array(0), -1);
    for (let i = 0; i < n; i++) expect(plain[i]).toBeCloseTo(-1 + Fb[i]!, 13);
  });
});
