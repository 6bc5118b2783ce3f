import { type RowSpace, type RowSpaceOptions, rowSpace } from '@hetmtl/tensor';

/**
 * The linear learners' view of task data (the model's linear floor and the ridge baselines): each
 * task centred on its own means, so unpenalised task intercepts are profiled out exactly, and — when
 * there are more features than the centred rows can span (p > N − R) — in an orthonormal basis Q
 * (p×q) of their row space (@hetmtl/tensor's `rowSpace`). Losses that see β only through X̃β with
 * Euclidean-norm penalties have their solution in that span, so solving in q ≤ N − R coordinates γ
 * and mapping back β = Qγ gives the same fit (the minimum-norm one when it is not unique) in O(N²p)
 * work and O(Np) memory: the dual (kernel) form, with no p×p array.
 */
export interface CentredDesign {
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
}

/** Internal: force the solve in the features ('primal') or in the row space ('dual', with its way). */
export interface CentredDesignOptions {
  readonly form?: 'auto' | 'primal' | 'dual';
  readonly rowSpace?: RowSpaceOptions;
}

/** Task-centred rows (row-major n_r × p per task), reduced to their row space when p > N − R unless forced. */
export function centredDesign(
  X: readonly ArrayLike<number>[],
  y: readonly ArrayLike<number>[],
  p: number,
  options: CentredDesignOptions = {},
): CentredDesign {
  const R = y.length;
  const n = y.map((v) => v.length);
  const N = n.reduce((a, b) => a + b, 0);
  const xMean: Float64Array[] = [];
  const yMean = new Float64Array(R);
  const Xc: Float64Array[] = [];
  const yc: Float64Array[] = [];
  X.forEach((Xr, r) => {
    const nr = n[r];
    const yr = y[r];
    const m = new Float64Array(p);
    let my = 0;
    for (let i = 0; i < nr; i++) {
      my += yr[i];
      for (let a = 0; a < p; a++) m[a] = m[a] + Xr[i * p + a];
    }
    my /= nr;
    for (let a = 0; a < p; a++) m[a] = m[a] / nr;
    const xc = new Float64Array(nr * p);
    for (let i = 0; i < nr; i++) for (let a = 0; a < p; a++) xc[i * p + a] = Xr[i * p + a] - m[a];
    xMean.push(m);
    yMean[r] = my;
    Xc.push(xc);
    yc.push(Float64Array.from(yr, (v) => v - my));
  });
  const form = options.form ?? 'auto';
  const dual = form === 'dual' || (form === 'auto' && p > N - R);
  const space = dual ? rowSpace(Xc, n, p, options.rowSpace) : null;
  return {
    p,
    q: space ? space.q : p,
    N,
    n,
    xMean,
    yMean,
    Z: space ? space.coords : Xc,
    y: yc,
    space,
  };
}

/** β = Qγ (a copy of γ when the design is not reduced). */
export function expandCoordinates(design: CentredDesign, gamma: Float64Array): Float64Array {
  return design.space ? design.space.expand(gamma) : gamma.slice();
}
