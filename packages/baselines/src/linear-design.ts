import type { StandardizedTasks as TaskArrays } from '@hetmtl/estimator';
import {
  crossprod,
  gram,
  matmul,
  matrix,
  matvec,
  predictLinear as linearPredictor,
} from '@hetmtl/tensor';

/**
 * The linear learners' view of standardised task data: each task centred on its own means (so the
 * unpenalised task intercepts are profiled out exactly), and — when there are more features than
 * the centred rows can span (p > N − R) — expressed in an orthonormal basis Q (p×q) of the row space
 * of the centred rows. Every penalty of this package is a Euclidean norm, invariant under rotations,
 * and the losses see β only through X̃β, so the solution lies in that row space: solving in q ≤ N − R
 * coordinates γ and mapping back β = Qγ gives the same fit (the minimum-norm one when it is not
 * unique) at a fraction of the cost when p ≫ N.
 */
export interface LinearDesign {
  readonly R: number;
  readonly p: number;
  /** Coordinates of the solve: p, or the rank of the centred rows when reduced. */
  readonly q: number;
  readonly N: number;
  readonly n: readonly number[];
  readonly xMean: readonly Float64Array[];
  readonly yMean: Float64Array;
  /** Centred (and reduced) features of each task, row-major n_r × q. */
  readonly Z: readonly Float64Array[];
  /** Centred targets of each task. */
  readonly y: readonly Float64Array[];
  /** Q (p×q, row-major, orthonormal columns), or null when the solve uses the features themselves. */
  readonly basis: Float64Array | null;
  /** Z_rᵀZ_r (q×q), not divided by n_r. */
  readonly A: readonly Float64Array[];
  /** Z_rᵀy_r (q), not divided by n_r. */
  readonly b: readonly Float64Array[];
}

/** What a linear learner keeps: slopes and intercepts per task on the standardised scale. */
export interface LinearFit {
  readonly slopes: readonly Float64Array[];
  readonly intercepts: Float64Array;
  /** The shared part (w₀ of mean regularisation, β̄ of centre shrinkage), when the learner has one. */
  readonly centre: Float64Array | null;
}

export function linearDesign(data: TaskArrays): LinearDesign {
  const { p } = data;
  const R = data.y.length;
  const n = data.y.map((y) => y.length);
  const N = n.reduce((a, b) => a + b, 0);
  const xMean: Float64Array[] = [];
  const yMean = new Float64Array(R);
  const Xc: Float64Array[] = [];
  const yc: Float64Array[] = [];
  data.X.forEach((X, r) => {
    const nr = n[r];
    const m = new Float64Array(p);
    for (let i = 0; i < nr; i++) for (let a = 0; a < p; a++) m[a] = m[a] + X[i * p + a];
    for (let a = 0; a < p; a++) m[a] = m[a] / nr;
    const y = data.y[r];
    let my = 0;
    for (let i = 0; i < nr; i++) my += y[i];
    my /= nr;
    const xc = new Float64Array(nr * p);
    for (let i = 0; i < nr; i++) for (let a = 0; a < p; a++) xc[i * p + a] = X[i * p + a] - m[a];
    xMean.push(m);
    yMean[r] = my;
    Xc.push(xc);
    yc.push(Float64Array.from(y, (v) => v - my));
  });
  const basis = p > N - R ? rowSpaceBasis(Xc, n, p) : null;
  const q = basis ? basis.length / p : p;
  const Z = basis ? Xc.map((xc, r) => matmul(matrix(n[r], p, xc), matrix(p, q, basis)).data) : Xc;
  return {
    R,
    p,
    q,
    N,
    n,
    xMean,
    yMean,
    Z,
    y: yc,
    basis,
    A: Z.map((z, r) => gram(z, n[r], q)),
    b: Z.map((z, r) => crossprod(z, yc[r], n[r], q)),
  };
}

/** β = Qγ (a copy of γ when the design is not reduced). */
export function expand(design: LinearDesign, gamma: Float64Array): Float64Array {
  const { basis, p, q } = design;
  if (!basis) return gamma.slice();
  return matvec(matrix(p, q, basis), gamma);
}

/** Slopes β_r = Qγ_r and intercepts c_r = ȳ_r − x̄_rᵀβ_r from the solve's coordinates. */
export function linearFit(
  design: LinearDesign,
  gammas: readonly Float64Array[],
  centre: Float64Array | null = null,
): LinearFit {
  const slopes = gammas.map((g) => expand(design, g));
  const intercepts = Float64Array.from(slopes, (b, r) => {
    const m = design.xMean[r];
    let c = design.yMean[r];
    for (let a = 0; a < design.p; a++) c -= m[a] * b[a];
    return c;
  });
  return { slopes, intercepts, centre: centre ? expand(design, centre) : null };
}

/** c_r + Xβ_r for rows of task r (standardised scale). */
export function predictLinear(fit: LinearFit, r: number, X: Float64Array, p: number): Float64Array {
  const none = new Float64Array(0);
  const slopes = fit.slopes[r];
  return linearPredictor(X, none, X.length / p, slopes, none, fit.intercepts[r]);
}

/**
 * An orthonormal basis (p×q, row-major) of the span of the rows of the centred task matrices, by
 * modified Gram–Schmidt with one re-orthogonalisation; rows that add less than 1e-9 of their norm
 * are dropped.
 */
function rowSpaceBasis(Xc: readonly Float64Array[], n: readonly number[], p: number): Float64Array {
  const vectors: Float64Array[] = [];
  let maxNorm = 0;
  Xc.forEach((X, r) => {
    for (let i = 0; i < n[r]; i++) maxNorm = Math.max(maxNorm, rowNorm(X, i, p));
  });
  const tol = 1e-9 * maxNorm;
  Xc.forEach((X, r) => {
    for (let i = 0; i < n[r]; i++) {
      const v = X.slice(i * p, (i + 1) * p);
      const before = rowNorm(v, 0, p);
      if (before <= tol) continue;
      for (let pass = 0; pass < 2; pass++) {
        for (const u of vectors) {
          let dot = 0;
          for (let a = 0; a < p; a++) dot += u[a] * v[a];
          for (let a = 0; a < p; a++) v[a] = v[a] - dot * u[a];
        }
      }
      const after = rowNorm(v, 0, p);
      if (after <= 1e-9 * before || after <= tol) continue;
      for (let a = 0; a < p; a++) v[a] = v[a] / after;
      vectors.push(v);
      if (vectors.length === p) return;
    }
  });
  const q = vectors.length;
  const Q = new Float64Array(p * q);
  vectors.forEach((u, k) => {
    for (let a = 0; a < p; a++) Q[a * q + k] = u[a];
  });
  return Q;
}

function rowNorm(X: ArrayLike<number>, i: number, p: number): number {
  let s = 0;
  for (let a = 0; a < p; a++) s += X[i * p + a] ** 2;
  return Math.sqrt(s);
}
