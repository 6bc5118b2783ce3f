import type { StandardizedTasks as TaskArrays } from '@hetmtl/estimator';
import {
  crossprod,
  gram,
  predictLinear as linearPredictor,
  type RowSpace,
  type RowSpaceOptions,
  rowSpace,
} from '@hetmtl/tensor';

/**
 * The linear learners' view of standardised task data: each task centred on its own means (so the
 * unpenalised task intercepts are profiled out exactly), and — when there are more features than
 * the centred rows can span (p > N − R) — expressed in an orthonormal basis Q (p×q) of the row space
 * of the centred rows (@hetmtl/tensor's `rowSpace`: the eigen-decomposition of the N×N Gram matrix
 * of the centred rows, or Gram–Schmidt when that is ill-conditioned). Every penalty of this package
 * is a Euclidean norm, invariant under rotations, and the losses see β only through X̃β, so the
 * solution lies in that row space: solving in q ≤ N − R coordinates γ and mapping back β = Qγ gives
 * the same fit (the minimum-norm one when it is not unique) at O(N²p) cost and O(Np) memory — no
 * p×p array — when p ≫ N. Centring each task first keeps the task intercepts unpenalised exactly.
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
  /** The row space (β = Qγ), or null when the solve uses the features themselves. */
  readonly space: RowSpace | null;
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

/** Internal: force the solve in the features ('primal') or in the row space ('dual', with its way). */
export interface LinearDesignOptions {
  readonly form?: 'auto' | 'primal' | 'dual';
  readonly rowSpace?: RowSpaceOptions;
}

/** The design of the linear learners; the row-space (dual) form when p > N − R unless forced. */
export function linearDesign(data: TaskArrays, options: LinearDesignOptions = {}): LinearDesign {
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
  const form = options.form ?? 'auto';
  const dual = form === 'dual' || (form === 'auto' && p > N - R);
  const space = dual ? rowSpace(Xc, n, p, options.rowSpace) : null;
  const q = space ? space.q : p;
  const Z = space ? space.coords : Xc;
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
    space,
    A: Z.map((z, r) => gram(z, n[r], q)),
    b: Z.map((z, r) => crossprod(z, yc[r], n[r], q)),
  };
}

/** β = Qγ (a copy of γ when the design is not reduced). */
export function expand(design: LinearDesign, gamma: Float64Array): Float64Array {
  return design.space ? design.space.expand(gamma) : gamma.slice();
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
