import { MeanRegularizedSolver } from '@hetmtl/regularizers';
import {
  COMMON_OPTION_NAMES,
  type CommonOptions,
  commonOptionsToJSON,
  resolveCommonOptions,
  type ResolvedCommonOptions,
} from './baseline-regressor.js';
import { checkKnownOptions, option } from './input-checks.js';
import { encodeNumber, type GlmForm } from '@hetmtl/estimator';
import { LinearBaseline, type LinearSolver } from './linear-baseline.js';
import { type LinearDesign, linearFit } from './linear-design.js';

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
 * with λ = ρ). Solved in closed form at each λ by @hetmtl/regularizers' `MeanRegularizedSolver`
 * (block elimination of the v_r): on A_r = Z_rᵀZ_r, b_r = Z_rᵀy_r of the task-centred data and
 * scaled by N, it is loss weights 1, pull weights N (μ = Nλ) and a centre ridge κ = Nρ.
 *
 * With `family: 'binomial'` or `'poisson'` (or weighted rows) the squared error becomes the
 * (weighted) mean deviance: mean-regularised logistic / Poisson regression, by Newton's method
 * with step-halving (`solveGlm` of @hetmtl/estimator), λ chosen by the mean task deviance of the validation rows.
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

  protected override glmForm(): GlmForm {
    return { kind: 'mean-regularized', ridge: this.options.ridge };
  }

  protected hasGrid(): boolean {
    return this.options.lambdas.length > 1;
  }

  protected lambdaGrid(): number[] {
    return [...this.options.lambdas];
  }

  protected solver(design: LinearDesign): LinearSolver {
    return meanRegularizedSolver(design, this.options.ridge);
  }

  protected override optionsToJSON(): Record<string, unknown> {
    const o = this.options;
    return {
      lambdas: o.lambdas.map(encodeNumber),
      ridge: o.ridge,
      ...commonOptionsToJSON(o),
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

/** The solver of one design: β_r = w₀ + v_r at any λ, the centre w₀. */
function meanRegularizedSolver(design: LinearDesign, ridge: number): LinearSolver {
  const { N } = design;
  const solver = new MeanRegularizedSolver(
    { A: design.A, b: design.b, dim: design.q },
    { pullWeights: design.n.map(() => N), centreRidge: N * ridge },
  );
  return (lambda) => {
    const { beta, centre } = solver.solve(lambda);
    return linearFit(design, beta, centre);
  };
}
