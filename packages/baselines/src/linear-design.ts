import {
  type CentredDesign,
  type CentredDesignOptions,
  centredDesign,
  expandCoordinates,
  type LinearFit,
  type StandardizedTasks as TaskArrays,
} from '@hetmtl/estimator';
import { crossprod, gram, predictLinear as linearPredictor } from '@hetmtl/tensor';

/**
 * The linear learners' design: `@hetmtl/estimator`'s centred design (each task centred on its own
 * means, reduced to the centred rows' row space when p > N − R — the dual form, see `centredDesign`),
 * with each task's normal equations in the solve's coordinates.
 */
export interface LinearDesign extends CentredDesign {
  readonly R: number;
  /** Z_rᵀZ_r (q×q), not divided by n_r. */
  readonly A: readonly Float64Array[];
  /** Z_rᵀy_r (q), not divided by n_r. */
  readonly b: readonly Float64Array[];
}

/** What a linear learner keeps (owned by `@hetmtl/estimator`, shared with the model's GLM floor). */
export type { LinearFit };

export type LinearDesignOptions = CentredDesignOptions;

/** The design of the linear learners; the row-space (dual) form when p > N − R unless forced. */
export function linearDesign(data: TaskArrays, options: LinearDesignOptions = {}): LinearDesign {
  const d = centredDesign(data.X, data.y, data.p, options);
  return {
    ...d,
    R: data.y.length,
    A: d.Z.map((z, r) => gram(z, d.n[r], d.q)),
    b: d.Z.map((z, r) => crossprod(z, d.y[r], d.n[r], d.q)),
  };
}

/** β = Qγ (a copy of γ when the design is not reduced). */
export const expand = expandCoordinates;

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
