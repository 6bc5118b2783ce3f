import { NumericError, ValidationError } from './errors.js';
import { nativeFloat64 } from './float64-kernels.js';
import { matmul, matrix, matvec } from './linalg.js';
import type { Random } from './random.js';

/**
 * Float64 eigen-solvers for symmetric matrices (row-major), for two jobs:
 * - {@link symmetricEigen}: the whole decomposition (Householder + implicit QL), for closed forms
 *   that reuse it across a λ grid ({@link pseudoSolve}, {@link spectralMatrix}, …);
 * - {@link topEigen}: the top k eigenvectors of a PSD matrix by subspace iteration with Rayleigh–Ritz,
 *   for a PCA start (k ≪ p, random start from a seeded {@link Random}).
 */

/** Eigen-decomposition of a symmetric matrix: A = V diag(values) Vᵀ. */
export interface SymmetricEigen {
  readonly n: number;
  /** Eigenvalues, increasing. */
  readonly values: Float64Array;
  /** Orthonormal eigenvectors as the columns of a row-major n×n matrix (column j ↔ values[j]). */
  readonly vectors: Float64Array;
}

/**
 * Eigenvalues and eigenvectors of a symmetric n×n matrix (row-major; the lower triangle is read):
 * Householder reduction to tridiagonal form, then the implicit QL iteration with Wilkinson shifts
 * (the EISPACK tred2 / tql2 algorithm, as in JAMA). Float64, O(n³).
 */
export function symmetricEigen(A: Float64Array, n: number): SymmetricEigen {
  if (A.length !== n * n) {
    throw new ValidationError('symmetricEigen: wrong matrix size', {
      expected: `${n * n} entries`,
      received: `${A.length}`,
    });
  }
  // V starts as the lower triangle mirrored: V[i][j] = A[max(i,j)][min(i,j)].
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = A[i * n + j];
      if (!Number.isFinite(v))
        throw new NumericError('symmetricEigen: non-finite matrix entry', {
          row: i,
          column: j,
          received: String(v),
        });
      V[i * n + j] = v;
      V[j * n + i] = v;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { n, values: d, vectors: V };
  const native = nativeFloat64('syevd', n);
  if (native) {
    const W = V.slice();
    // A LAPACK failure (no convergence) falls back to the JavaScript iteration below.
    if (native(n, W, d) === 0) return { n, values: d, vectors: W };
    d.fill(0);
  }
  tridiagonalize(V, d, e, n);
  implicitQl(V, d, e, n);
  return { n, values: d, vectors: V };
}

/** Householder reduction: on return V holds the accumulated transformation, d the diagonal, e the subdiagonal (e[0] = 0). */
function tridiagonalize(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const at = (i: number, j: number) => V[i * n + j];
  for (let j = 0; j < n; j++) d[j] = at(n - 1, j);
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = at(i - 1, j);
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      // The Householder vector, scaled against under/overflow.
      for (let k = 0; k < i; k++) {
        d[k] = d[k] / scale;
        h += d[k] ** 2;
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // Apply the similarity transformation to the remaining columns.
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + at(j, j) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += at(k, j) * d[k];
          e[k] = e[k] + at(k, j) * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j] / h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j] - hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k * n + j] = at(k, j) - (f * e[k] + g * d[k]);
        d[j] = at(i - 1, j);
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = at(i, i);
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = at(k, i + 1) / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += at(k, i + 1) * at(k, j);
        for (let k = 0; k <= i; k++) V[k * n + j] = at(k, j) - g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = at(n - 1, j);
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e), accumulating rotations into V; sorts increasingly. */
function implicitQl(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let shift = 0;
  let norm = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    norm = Math.max(norm, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n && Math.abs(e[m]) > eps * norm) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 300)
          throw new NumericError('symmetricEigen: the QL iteration did not converge', {
            fix: 'Check the matrix for extreme values',
          });
        // Wilkinson shift.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] = d[i] - h;
        shift += h;
        // The implicit QL sweep.
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            const a = V[k * n + i + 1];
            const b = V[k * n + i];
            V[k * n + i + 1] = s * b + c * a;
            V[k * n + i] = c * b - s * a;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * norm);
    }
    d[l] = d[l] + shift;
    e[l] = 0;
  }
  // Selection sort of the eigenvalues (and their vectors), increasing.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      for (let j = 0; j < n; j++) {
        const t = V[j * n + i];
        V[j * n + i] = V[j * n + k];
        V[j * n + k] = t;
      }
    }
  }
}

/** Uᵀv: the coordinates of v in the eigenvector basis. */
export function toEigenBasis(eig: SymmetricEigen, v: Float64Array): Float64Array {
  const { n, vectors: U } = eig;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const vi = v[i];
    if (vi === 0) continue;
    for (let j = 0; j < n; j++) out[j] = out[j] + U[i * n + j] * vi;
  }
  return out;
}

/** Uc: the vector with eigen-coordinates c. */
export function fromEigenBasis(eig: SymmetricEigen, c: Float64Array): Float64Array {
  return matvec(matrix(eig.n, eig.n, eig.vectors), c);
}

/** U diag(weights) Uᵀ v, without forming the matrix (2n² operations). */
export function applySpectral(
  eig: SymmetricEigen,
  weights: Float64Array,
  v: Float64Array,
): Float64Array {
  const t = toEigenBasis(eig, v);
  for (let j = 0; j < eig.n; j++) t[j] = t[j] * weights[j];
  return fromEigenBasis(eig, t);
}

/** The matrix U diag(weights) Uᵀ (n×n), added into `into` when given. */
export function spectralMatrix(
  eig: SymmetricEigen,
  weights: Float64Array,
  into = new Float64Array(eig.n * eig.n),
): Float64Array {
  const { n, vectors: U } = eig;
  const W = new Float64Array(n * n); // U diag(w), row-major
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) W[i * n + j] = U[i * n + j] * weights[j];
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += W[i * n + j] * U[k * n + j];
      into[i * n + k] = into[i * n + k] + s;
      if (k !== i) into[k * n + i] = into[k * n + i] + s;
    }
  }
  return into;
}

/**
 * (A + shift·I)⁺ b for A = U diag(values) Uᵀ: eigen-directions where A + shift·I is below 1e-10 of
 * its largest eigenvalue are dropped (the minimum-norm solution when it is singular).
 */
export function pseudoSolve(eig: SymmetricEigen, shift: number, b: Float64Array): Float64Array {
  const { n, values } = eig;
  let top = 0;
  for (let j = 0; j < n; j++) top = Math.max(top, values[j] + shift);
  const tol = 1e-10 * top;
  const w = Float64Array.from(values, (v) =>
    v + shift > tol && v + shift > 0 ? 1 / (v + shift) : 0,
  );
  return applySpectral(eig, w, b);
}

/**
 * The top-k eigenvectors of a symmetric PSD p×p matrix, as a p×k row-major array with orthonormal
 * columns, and their eigenvalues (descending). Subspace iteration with Rayleigh–Ritz on a block of
 * b = min(p, 2k) columns: the k columns of a random start (p·k normals from `rng`) and C times
 * them (a Krylov block, so the extra columns cost no draws). Each iteration is Q ← orth(C Q), the
 * Ritz pairs of QᵀCQ, and the residuals ‖C v_j − θ_j v_j‖; it stops when every one of the top k is
 * below `tol`·θ_1 (so the vectors are accurate to about tol·θ_1 / gap), or after `maxIter`. With
 * b = p (small p) the first Ritz step is the exact decomposition.
 */
export function topEigen(
  C: Float64Array,
  p: number,
  k: number,
  rng: Random,
  maxIter = 500,
  tol = 1e-12,
): { vectors: Float64Array; values: Float64Array } {
  const kk = Math.min(k, p);
  const b = Math.min(p, 2 * kk);
  const Cm = matrix(p, p, C);
  const start = new Float64Array(p * kk);
  for (let i = 0; i < p * kk; i++) start[i] = rng.normal();
  // Q = orth([start, C·start]) restricted to b columns.
  const CS = matmul(Cm, matrix(p, kk, start)).data;
  let Q: Float64Array = new Float64Array(p * b);
  for (let a = 0; a < p; a++) {
    for (let j = 0; j < kk; j++) Q[a * b + j] = start[a * kk + j];
    for (let j = kk; j < b; j++) Q[a * b + j] = CS[a * kk + (j - kk)];
  }
  orthonormalize(Q, p, b);
  let V: Float64Array = new Float64Array(p * b);
  let values: Float64Array = new Float64Array(b);
  for (let it = 0; it < maxIter; it++) {
    const CQ = matmul(Cm, matrix(p, b, Q)).data;
    // Rayleigh–Ritz: T = Qᵀ C Q (b×b), T = S Θ Sᵀ; Ritz vectors V = Q S, C V = (C Q) S.
    const T = new Float64Array(b * b);
    for (let i = 0; i < b; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let a = 0; a < p; a++) s += Q[a * b + i] * CQ[a * b + j];
        T[i * b + j] = s;
        T[j * b + i] = s;
      }
    }
    const ritz = symmetricEigen(T, b);
    const S = new Float64Array(b * b);
    for (let i = 0; i < b; i++)
      for (let j = 0; j < b; j++) S[i * b + j] = ritz.vectors[i * b + (b - 1 - j)];
    values = Float64Array.from({ length: b }, (_, j) => ritz.values[b - 1 - j]);
    V = matmul(matrix(p, b, Q), matrix(b, b, S)).data;
    const CV = matmul(matrix(p, b, CQ), matrix(b, b, S)).data;
    let worst = 0;
    for (let j = 0; j < kk; j++) {
      let r = 0;
      for (let a = 0; a < p; a++) r += (CV[a * b + j] - values[j] * V[a * b + j]) ** 2;
      worst = Math.max(worst, Math.sqrt(r));
    }
    if (b === p || worst <= tol * Math.max(Math.abs(values[0]), 1e-300)) break;
    // Next block: C V, orthonormalised (the Ritz vectors ordered by θ, so the top ones lead).
    Q = CV;
    orthonormalize(Q, p, b);
  }
  // The top k, signs fixed (largest-magnitude entry positive) for reproducibility.
  const vectors = new Float64Array(p * kk);
  for (let j = 0; j < kk; j++) {
    let big = 0;
    for (let a = 0; a < p; a++) if (Math.abs(V[a * b + j]) > Math.abs(big)) big = V[a * b + j];
    const sign = big < 0 ? -1 : 1;
    for (let a = 0; a < p; a++) vectors[a * kk + j] = sign * V[a * b + j];
  }
  return { vectors, values: values.slice(0, kk) };
}

/** Modified Gram–Schmidt on the columns of a row-major p×k array, in place. */
export function orthonormalize(Q: Float64Array, p: number, k: number): void {
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let a = 0; a < p; a++) dot += Q[a * k + i] * Q[a * k + j];
      for (let a = 0; a < p; a++) Q[a * k + j] = Q[a * k + j] - dot * Q[a * k + i];
    }
    let norm = 0;
    for (let a = 0; a < p; a++) norm += Q[a * k + j] ** 2;
    norm = Math.sqrt(norm);
    if (norm < 1e-300) {
      // A degenerate direction: replace by a unit vector orthogonal to the others.
      for (let a = 0; a < p; a++) Q[a * k + j] = a === j % p ? 1 : 0;
      j--;
      continue;
    }
    for (let a = 0; a < p; a++) Q[a * k + j] = Q[a * k + j] / norm;
  }
}
