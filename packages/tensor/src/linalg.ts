import { NotPositiveDefiniteError, ValidationError } from './errors.js';
import { nativeFloat64 } from './float64-kernels.js';

/**
 * Small dense Float64 linear algebra for the coefficient problems (a few hundred unknowns at most):
 * row-major matrices, products, Cholesky factor and solve (also with a growing jitter), and the
 * linear predictor c + Fβ + Gγ.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major entries: A[i, j] = data[i * cols + j]. */
  readonly data: Float64Array;
}

function checkDims(rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new ValidationError('Invalid matrix dimensions', {
      expected: 'non-negative integers',
      received: `${rows}×${cols}`,
    });
  }
}

/** A rows×cols matrix, zero-filled or wrapping `data` (not copied). */
export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  checkDims(rows, cols);
  if (data && data.length !== rows * cols) {
    throw new ValidationError('Matrix data has the wrong length', {
      expected: `${rows * cols} entries for ${rows}×${cols}`,
      received: `${data.length}`,
    });
  }
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/** A matrix from an array of equal-length rows. */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const out = matrix(r, c);
  rows.forEach((row, i) => {
    if (row.length !== c) {
      throw new ValidationError('Ragged matrix rows', {
        row: i,
        expected: `${c} entries`,
        received: `${row.length}`,
      });
    }
    out.data.set(row, i * c);
  });
  return out;
}

/** The rows of a matrix as plain arrays. */
export function toRows(a: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++)
    out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

export function identity(n: number): Matrix {
  const out = matrix(n, n);
  for (let i = 0; i < n; i++) out.data[i * n + i] = 1;
  return out;
}

export function transpose(a: Matrix): Matrix {
  const out = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j];
  return out;
}

export interface MatmulOptions {
  /** Use Aᵀ instead of A. */
  readonly transA?: boolean;
  /** Use Bᵀ instead of B. */
  readonly transB?: boolean;
}

/** op(A)·op(B), where op transposes when asked. */
export function matmul(a: Matrix, b: Matrix, options: MatmulOptions = {}): Matrix {
  const { transA = false, transB = false } = options;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb) {
    throw new ValidationError('Matrix product with incompatible shapes', {
      expected: `inner dimensions to agree`,
      received: `${m}×${k} times ${kb}×${n}`,
    });
  }
  const out = matrix(m, n);
  const native = nativeFloat64('gemm', Math.cbrt(m * n * k));
  if (native) {
    native(transA, transB, m, n, k, a.data, b.data, out.data);
    return out;
  }
  const A = a.data;
  const B = b.data;
  const C = out.data;
  const as = a.cols;
  const bs = b.cols;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = transA ? A[p * as + i] : A[i * as + p];
      if (aip === 0) continue;
      const row = i * n;
      if (transB) for (let j = 0; j < n; j++) C[row + j] = C[row + j] + aip * B[j * bs + p];
      else {
        const brow = p * bs;
        for (let j = 0; j < n; j++) C[row + j] = C[row + j] + aip * B[brow + j];
      }
    }
  }
  return out;
}

/** op(A)·x for a vector x. */
export function matvec(a: Matrix, x: Float64Array, transA = false): Float64Array {
  const n = transA ? a.rows : a.cols;
  if (x.length !== n) {
    throw new ValidationError('Matrix-vector product with incompatible shapes', {
      expected: `a vector of length ${n}`,
      received: `${x.length}`,
    });
  }
  const m = transA ? a.cols : a.rows;
  const out = new Float64Array(m);
  const A = a.data;
  if (transA) {
    for (let i = 0; i < a.rows; i++) {
      const xi = x[i];
      for (let j = 0; j < a.cols; j++) out[j] = out[j] + A[i * a.cols + j] * xi;
    }
  } else {
    for (let i = 0; i < a.rows; i++) {
      let s = 0;
      for (let j = 0; j < a.cols; j++) s += A[i * a.cols + j] * x[j];
      out[i] = s;
    }
  }
  return out;
}

/** A + c·I (a new matrix). */
export function addDiagonal(a: Matrix, c: number): Matrix {
  assertSquare(a, 'addDiagonal');
  const out = matrix(a.rows, a.cols, a.data.slice());
  for (let i = 0; i < a.rows; i++) out.data[i * a.cols + i] = out.data[i * a.cols + i] + c;
  return out;
}

function assertSquare(a: Matrix, what: string): void {
  if (a.rows !== a.cols) {
    throw new ValidationError(`${what} needs a square matrix`, {
      expected: 'rows = cols',
      received: `${a.rows}×${a.cols}`,
    });
  }
}

/**
 * Lower-triangular L with A = L·Lᵀ. Reads the lower triangle of A; throws
 * {@link NotPositiveDefiniteError} (naming the failing pivot) when A is not positive definite, and
 * {@link ValidationError} when A is not square, not finite or visibly not symmetric.
 */
export function cholesky(a: Matrix): Matrix {
  assertSquare(a, 'cholesky');
  const n = a.rows;
  const A = a.data;
  let scale = 0;
  for (let i = 0; i < n * n; i++) {
    const v = A[i];
    if (!Number.isFinite(v)) {
      throw new ValidationError('cholesky needs finite entries', {
        row: Math.floor(i / n),
        column: i % n,
        received: String(v),
      });
    }
    scale = Math.max(scale, Math.abs(v));
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const d = Math.abs(A[i * n + j] - A[j * n + i]);
      if (d > 1e-8 * Math.max(scale, 1)) {
        throw new ValidationError('cholesky needs a symmetric matrix', {
          row: i,
          column: j,
          expected: `A[${i},${j}] = A[${j},${i}]`,
          received: `${A[i * n + j]} and ${A[j * n + i]}`,
        });
      }
    }
  }
  const native = nativeFloat64('potrf', n);
  if (native) {
    const factor = nativeCholesky(native, A, n, scale);
    if (factor) return factor;
  }
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] ** 2;
    // Relative floor: a pivot lost to rounding counts as not positive definite.
    if (!(d > scale * n * Number.EPSILON)) throw new NotPositiveDefiniteError(j, d);
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return matrix(n, n, L);
}

/**
 * {@link cholesky}'s factor by a native potrf, with the same errors: the first pivot at or below the
 * relative floor (or the one LAPACK found not positive, with its value) is reported as the
 * JavaScript loop would. Undefined when the kernel reports an argument error (the JS loop then runs).
 */
function nativeCholesky(
  potrf: (n: number, A: Float64Array) => number,
  A: Float64Array,
  n: number,
  scale: number,
): Matrix | undefined {
  const L = A.slice();
  const info = potrf(n, L);
  if (info < 0) return undefined;
  const floor = scale * n * Number.EPSILON;
  const passed = info > 0 ? info - 1 : n;
  for (let j = 0; j < passed; j++) {
    const d = L[j * n + j] ** 2;
    if (!(d > floor)) throw new NotPositiveDefiniteError(j, d);
  }
  if (info > 0) throw new NotPositiveDefiniteError(info - 1, L[(info - 1) * n + info - 1]);
  return matrix(n, n, L);
}

function solveLowerInPlace(L: Matrix, b: Float64Array, stride: number, col: number): void {
  const n = L.rows;
  const l = L.data;
  for (let i = 0; i < n; i++) {
    let s = b[i * stride + col];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k * stride + col];
    b[i * stride + col] = s / l[i * n + i];
  }
}

function solveUpperTransposedInPlace(
  L: Matrix,
  b: Float64Array,
  stride: number,
  col: number,
): void {
  const n = L.rows;
  const l = L.data;
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i * stride + col];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k * stride + col];
    b[i * stride + col] = s / l[i * n + i];
  }
}

/** Solves (L·Lᵀ) x = b given the Cholesky factor L; b is a vector or a matrix of right-hand sides. */
export function choleskySolve(L: Matrix, b: Float64Array): Float64Array;
export function choleskySolve(L: Matrix, b: Matrix): Matrix;
export function choleskySolve(L: Matrix, b: Float64Array | Matrix): Float64Array | Matrix {
  const n = L.rows;
  const isVec = b instanceof Float64Array;
  const rows = isVec ? b.length : b.rows;
  if (rows !== n) {
    throw new ValidationError('choleskySolve: right-hand side has the wrong number of rows', {
      expected: `${n}`,
      received: `${rows}`,
    });
  }
  const cols = isVec ? 1 : b.cols;
  const x = (isVec ? b : b.data).slice();
  for (let c = 0; c < cols; c++) {
    solveLowerInPlace(L, x, cols, c);
    solveUpperTransposedInPlace(L, x, cols, c);
  }
  return isVec ? x : matrix(n, cols, x);
}

/** Solves A x = b for symmetric positive-definite A (throws NotPositiveDefiniteError otherwise). */
export function solveSPD(a: Matrix, b: Float64Array): Float64Array;
export function solveSPD(a: Matrix, b: Matrix): Matrix;
export function solveSPD(a: Matrix, b: Float64Array | Matrix): Float64Array | Matrix {
  const L = cholesky(a);
  return b instanceof Float64Array ? choleskySolve(L, b) : choleskySolve(L, b);
}

/**
 * XᵀX (p×p, row-major) of a row-major n×p array — the Gram matrix of least-squares problems —
 * without building a Matrix (one pass, upper triangle then mirrored).
 */
export function gram(X: ArrayLike<number>, n: number, p: number): Float64Array {
  const G = new Float64Array(p * p);
  const native =
    n > 0 && X.length >= n * p ? nativeFloat64('syrk', Math.cbrt(p * p * n)) : undefined;
  if (native) {
    native(true, p, n, X instanceof Float64Array ? X : Float64Array.from(X), G);
    return G;
  }
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let a = 0; a < p; a++) {
      const xa = X[o + a];
      if (xa === 0) continue;
      const ra = a * p;
      for (let b = a; b < p; b++) G[ra + b] = G[ra + b] + xa * X[o + b];
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) G[a * p + b] = G[b * p + a];
  return G;
}

/** XᵀY (p×q, row-major) of row-major n×p and n×q arrays; q = 1 gives Xᵀy. */
export function crossprod(
  X: ArrayLike<number>,
  Y: ArrayLike<number>,
  n: number,
  p: number,
  q = 1,
): Float64Array {
  const out = new Float64Array(p * q);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < p; a++) {
      const xa = X[i * p + a];
      if (xa === 0) continue;
      for (let b = 0; b < q; b++) out[a * q + b] = out[a * q + b] + xa * Y[i * q + b];
    }
  }
  return out;
}

/**
 * The Cholesky factor L of A + jitter·I for a symmetric positive semidefinite k×k row-major A,
 * adding a growing jitter to the diagonal until the factor exists (method.md §4's "pseudo-inverse
 * fallback": a near-singular system is solved as a slightly ridged one). The jitter is 0 first,
 * then max(max_i |A_ii|, 1)·1e-10, growing ×100 on each failure (at most 11 increases). Throws a
 * {@link NotPositiveDefiniteError} (the last pivot that failed, and its value) when none works.
 */
export function choleskyWithJitter(A: Float64Array, k: number): { L: Matrix; jitter: number } {
  let jitter = 0;
  let scale = 0;
  for (let i = 0; i < k; i++) scale = Math.max(scale, Math.abs(A[i * k + i]));
  let last: NotPositiveDefiniteError | undefined;
  for (let attempt = 0; attempt < 12; attempt++) {
    const M = matrix(k, k, A.slice());
    for (let i = 0; i < k; i++) M.data[i * k + i] = M.data[i * k + i] + jitter;
    try {
      return { L: cholesky(M), jitter };
    } catch (e) {
      if (!NotPositiveDefiniteError.isInstance(e)) throw e;
      last = e;
      jitter = jitter === 0 ? Math.max(scale, 1) * 1e-10 : jitter * 100;
    }
  }
  const failed = last as NotPositiveDefiniteError;
  throw new NotPositiveDefiniteError(failed.pivot, failed.value, {
    cause: failed,
    fix: 'The data are degenerate (constant or duplicated columns): remove them',
  });
}

/**
 * Solves (A + jitter·I) X = B for a symmetric positive semidefinite k×k A and a k×cols row-major
 * B (a vector when cols = 1), with the jitter of {@link choleskyWithJitter} (returned).
 */
export function solveWithJitter(
  A: Float64Array,
  B: Float64Array,
  k: number,
  cols = 1,
): { x: Float64Array; jitter: number } {
  const { L, jitter } = choleskyWithJitter(A, k);
  const x =
    cols === 1 ? choleskySolve(L, B.slice()) : choleskySolve(L, matrix(k, cols, B.slice())).data;
  return { x, jitter };
}

/**
 * The linear predictor c + Fβ + Gγ for n rows, F (n×K0) and G (n×K1) row-major; pass an empty G
 * and γ for c + Xβ.
 */
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
    for (let k = 0; k < K0; k++) s += F[i * K0 + k] * beta[k];
    for (let k = 0; k < K1; k++) s += G[i * K1 + k] * gamma[k];
    out[i] = s;
  }
  return out;
}
