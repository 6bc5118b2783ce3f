import {
  type CommonOptions,
  COMMON_OPTION_NAMES,
  type ResolvedCommonOptions,
  resolveCommonOptions,
} from './baseline-regressor.js';
import { solveSymmetric } from './dense.js';
import { checkKnownOptions, option } from './input-checks.js';
import { encodeNumber } from '@hetmtl/estimator';
import { LinearBaseline, type LinearSolver } from './linear-baseline.js';
import { type LinearDesign, type LinearFit, linearFit } from './linear-design.js';
import {
  fromEigenBasis,
  pseudoSolve,
  type SymmetricEigen,
  spectralMatrix,
  symmetricEigen,
  toEigenBasis,
} from './symmetric-eigen.js';

export const MEAN_REGULARIZED_FORMAT = 'hetmtl/mean-regularized-regressor';

/** The default λ grid: 0 (independent tasks), 1e-4 … 1e3 (two values per decade), ∞ (one common slope vector). */
export const DEFAULT_MEAN_REGULARIZED_LAMBDAS: readonly number[] = Object.freeze([
  0,
  ...Array.from({ length: 15 }, (_, k) => 1e-4 * 10 ** (k / 2)),
  Number.POSITIVE_INFINITY,
]);

export interface MeanRegularizedOptions extends CommonOptions {
  /** λ values to choose from (Infinity allowed: one common slope vector). Default {@link DEFAULT_MEAN_REGULARIZED_LAMBDAS}. */
  readonly lambdas?: readonly number[];
  /** The small ridge ρ on the shared part w₀ (default 1e-4). */
  readonly ridge?: number;
}

export interface ResolvedMeanRegularizedOptions extends ResolvedCommonOptions {
  readonly lambdas: readonly number[];
  readonly ridge: number;
}

/**
 * Mean-regularised linear multi-task learning (Evgeniou & Pontil 2004): each task's slopes are a
 * shared part plus a task deviation, β_r = w₀ + v_r, and on standardised data it minimises
 *
 *   (1/2N) Σ_r ‖y_r − c_r − X_r(w₀ + v_r)‖² + (λ/2) Σ_r ‖v_r‖² + (ρ/2)‖w₀‖²
 *
 * with unpenalised task intercepts c_r. Relative to a task's own loss, its deviation is penalised by
 * λN/n_r: small tasks are pulled harder toward w₀, as in a random-effects model. λ = 0 gives
 * per-task least squares (w₀ = 0), λ = ∞ one common slope vector with task intercepts (pooled ridge
 * with λ = ρ). Solved in closed form at each λ (block elimination of the v_r; see `solveMeanRegularized`).
 */
export class MeanRegularizedRegressor extends LinearBaseline<ResolvedMeanRegularizedOptions> {
  constructor(options: MeanRegularizedOptions = {}) {
    checkKnownOptions('MeanRegularizedRegressor', options, [
      'lambdas',
      'ridge',
      ...COMMON_OPTION_NAMES,
    ]);
    super({
      ...resolveCommonOptions(options),
      lambdas: option.lambdas(
        decodeInfinity(options.lambdas),
        DEFAULT_MEAN_REGULARIZED_LAMBDAS,
        true,
      ) as number[],
      ridge: option.number('ridge', options.ridge, 1e-4, { min: 0 }),
    });
  }

  protected get learner(): string {
    return 'MeanRegularizedRegressor';
  }

  protected get format(): string {
    return MEAN_REGULARIZED_FORMAT;
  }

  protected hasGrid(): boolean {
    return this.options.lambdas.length > 1;
  }

  protected lambdaGrid(): number[] {
    return [...this.options.lambdas];
  }

  protected solver(design: LinearDesign): LinearSolver {
    const prepared = prepareMeanRegularized(design);
    return (lambda) => solveMeanRegularized(prepared, lambda, this.options.ridge);
  }

  protected optionsToJSON(): Record<string, unknown> {
    const o = this.options;
    return {
      lambdas: o.lambdas.map(encodeNumber),
      ridge: o.ridge,
      validationFraction: o.validationFraction,
      refit: o.refit,
      seed: o.seed,
    };
  }

  static fromJSON(json: unknown): MeanRegularizedRegressor {
    return LinearBaseline.restore(
      json,
      MEAN_REGULARIZED_FORMAT,
      'MeanRegularizedRegressor',
      (o) => new MeanRegularizedRegressor(o),
      LinearBaseline.readLinearFit,
    );
  }
}

/** Saved documents store Infinity as "Infinity". */
function decodeInfinity(lambdas: unknown): unknown {
  return Array.isArray(lambdas)
    ? lambdas.map((v) => (v === 'Infinity' ? Number.POSITIVE_INFINITY : v))
    : lambdas;
}

interface PreparedMeanRegularized {
  readonly design: LinearDesign;
  /** Eigen-decomposition of each A_r = Z_rᵀZ_r. */
  readonly eigs: readonly SymmetricEigen[];
  /** U_rᵀ b_r. */
  readonly ub: readonly Float64Array[];
  readonly Asum: Float64Array;
  readonly bsum: Float64Array;
}

function prepareMeanRegularized(design: LinearDesign): PreparedMeanRegularized {
  const { q } = design;
  const eigs = design.A.map((A) => symmetricEigen(A, q));
  const ub = eigs.map((eig, r) => toEigenBasis(eig, design.b[r] as Float64Array));
  const Asum = new Float64Array(q * q);
  const bsum = new Float64Array(q);
  design.A.forEach((A, r) => {
    for (let i = 0; i < A.length; i++) Asum[i] = (Asum[i] as number) + (A[i] as number);
    const b = design.b[r] as Float64Array;
    for (let i = 0; i < q; i++) bsum[i] = (bsum[i] as number) + (b[i] as number);
  });
  return { design, eigs, ub, Asum, bsum };
}

/**
 * The closed form at one λ. With A_r = Z_rᵀZ_r, b_r = Z_rᵀy_r on task-centred data, μ = Nλ and
 * κ = Nρ, the stationarity conditions are
 *
 *   A_r(w₀ + v_r) − b_r + μ v_r = 0   (each r)      and      Σ_r [A_r(w₀ + v_r) − b_r] + κ w₀ = 0.
 *
 * The first gives β_r = w₀ + v_r = (A_r + μI)⁻¹(b_r + μ w₀); putting it in the second and using
 * I − μ(A_r + μI)⁻¹ = (A_r + μI)⁻¹A_r eliminates the v_r block:
 *
 *   [κI + Σ_r μ(A_r + μI)⁻¹A_r] w₀ = Σ_r μ(A_r + μI)⁻¹ b_r,
 *
 * a q×q system. With A_r = U_r Λ_r U_rᵀ, μ(A_r + μI)⁻¹A_r = U_r diag(μΛ/(Λ + μ)) U_rᵀ, which tends to
 * A_r as μ → ∞ without cancellation (the pooled limit), and to 0 as μ → 0 (then w₀ = 0).
 */
export function solveMeanRegularized(
  prepared: PreparedMeanRegularized,
  lambda: number,
  ridge: number,
): LinearFit {
  const { design, eigs, ub } = prepared;
  const { q, N } = design;
  const kappa = N * ridge;
  if (lambda === Number.POSITIVE_INFINITY) {
    const A = prepared.Asum.slice();
    for (let i = 0; i < q; i++) A[i * q + i] = (A[i * q + i] as number) + kappa;
    const w0 = q === 0 ? new Float64Array(0) : solveSymmetric(A, prepared.bsum, q);
    return linearFit(
      design,
      design.n.map(() => w0),
      w0,
    );
  }
  const mu = N * lambda;
  if (mu === 0) {
    const beta = eigs.map((eig, r) => pseudoSolve(eig, 0, design.b[r] as Float64Array));
    return linearFit(design, beta, new Float64Array(q));
  }
  const M = new Float64Array(q * q);
  const rhs = new Float64Array(q);
  eigs.forEach((eig, r) => {
    spectralMatrix(
      eig,
      Float64Array.from(eig.values, (v) => (mu * Math.max(v, 0)) / (Math.max(v, 0) + mu)),
      M,
    );
    const u = ub[r] as Float64Array;
    const coord = Float64Array.from(
      eig.values,
      (v, j) => ((u[j] as number) * mu) / (Math.max(v, 0) + mu),
    );
    const add = fromEigenBasis(eig, coord);
    for (let i = 0; i < q; i++) rhs[i] = (rhs[i] as number) + (add[i] as number);
  });
  for (let i = 0; i < q; i++) M[i * q + i] = (M[i * q + i] as number) + kappa;
  const w0 = q === 0 ? new Float64Array(0) : solveSymmetric(M, rhs, q);
  const beta = eigs.map((eig, r) => {
    const u = ub[r] as Float64Array;
    const uw = toEigenBasis(eig, w0);
    return fromEigenBasis(
      eig,
      Float64Array.from(
        eig.values,
        (v, j) => ((u[j] as number) + mu * (uw[j] as number)) / (Math.max(v, 0) + mu),
      ),
    );
  });
  return linearFit(design, beta, w0);
}
