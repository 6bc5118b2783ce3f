import type { GlmForm } from '@hetmtl/estimator';
import { pseudoSolve, type SymmetricEigen, symmetricEigen } from '@hetmtl/tensor';
import {
  COMMON_OPTION_NAMES,
  type CommonOptions,
  commonOptionsToJSON,
  resolveCommonOptions,
  type ResolvedCommonOptions,
} from './baseline-regressor.js';
import { checkKnownOptions, option } from './input-checks.js';
import { LinearBaseline, type LinearSolver } from './linear-baseline.js';
import { type LinearDesign, linearFit } from './linear-design.js';

export const RIDGE_FORMAT = 'hetmtl/ridge-regressor';

/** The default λ grid of the ridge learners: 1e-4 … 1e3, two values per decade. */
export const DEFAULT_RIDGE_LAMBDAS: readonly number[] = Object.freeze(
  Array.from({ length: 15 }, (_, k) => 1e-4 * 10 ** (k / 2)),
);

export interface RidgeOptions extends CommonOptions {
  /**
   * 'per-task' (default): an independent ridge regression per task (one λ for all tasks);
   * 'pooled': one slope vector for all tasks with an unpenalised intercept per task.
   */
  readonly mode?: 'per-task' | 'pooled';
  /** λ values to choose from on validation rows (one value: no selection). Default {@link DEFAULT_RIDGE_LAMBDAS}. */
  readonly lambdas?: readonly number[];
}

export interface ResolvedRidgeOptions extends ResolvedCommonOptions {
  readonly mode: 'per-task' | 'pooled';
  readonly lambdas: readonly number[];
}

/**
 * Ridge regression, per task or pooled with task intercepts. On features standardised with pooled
 * training statistics (and a standardised y), with unpenalised intercepts, it minimises
 *
 * - per task r: (1/2n_r)‖y_r − c_r − X_r β_r‖² + (λ/2)‖β_r‖²;
 * - pooled: (1/2N) Σ_r ‖y_r − c_r − X_r β‖² + (λ/2)‖β‖².
 *
 * λ = 0 is least squares (the minimum-norm solution when it is not unique). Solved exactly through
 * an eigen-decomposition of the centred Gram matrix, once for the whole λ grid.
 *
 * With `family: 'binomial'` or `'poisson'` (or weighted rows, `fit(ds, { sampleWeight })`) the
 * squared error becomes the (weighted) mean deviance — penalised logistic / Poisson regression,
 * per task or pooled with task intercepts, intercepts unpenalised, offsets honoured — solved by
 * Newton's method with step-halving (`solveGlm` of @hetmtl/estimator) along the λ grid with warm starts; λ is chosen
 * by the mean task deviance of the validation rows.
 */
export class RidgeRegressor extends LinearBaseline<ResolvedRidgeOptions> {
  constructor(options: RidgeOptions = {}) {
    checkKnownOptions('RidgeRegressor', options, ['mode', 'lambdas', ...COMMON_OPTION_NAMES]);
    super({
      ...resolveCommonOptions(options),
      mode: option.oneOf('mode', options.mode, ['per-task', 'pooled'] as const, 'per-task'),
      lambdas: option.lambdas(options.lambdas, DEFAULT_RIDGE_LAMBDAS, false) as number[],
    });
  }

  protected get learner(): string {
    return 'RidgeRegressor';
  }

  protected get format(): string {
    return RIDGE_FORMAT;
  }

  protected override glmForm(): GlmForm {
    return { kind: this.options.mode };
  }

  protected hasGrid(): boolean {
    return this.options.lambdas.length > 1;
  }

  protected lambdaGrid(): number[] {
    return [...this.options.lambdas];
  }

  protected solver(design: LinearDesign): LinearSolver {
    if (this.options.mode === 'pooled') {
      const A = new Float64Array(design.q * design.q);
      const b = new Float64Array(design.q);
      design.A.forEach((Ar, r) => {
        for (let i = 0; i < A.length; i++) A[i] = A[i] + Ar[i];
        const br = design.b[r];
        for (let i = 0; i < b.length; i++) b[i] = b[i] + br[i];
      });
      const eig = symmetricEigen(A, design.q);
      return (lambda) => {
        const beta = pseudoSolve(eig, design.N * lambda, b);
        return linearFit(
          design,
          design.n.map(() => beta),
        );
      };
    }
    const eigs: SymmetricEigen[] = design.A.map((A) => symmetricEigen(A, design.q));
    return (lambda) =>
      linearFit(
        design,
        eigs.map((eig, r) => pseudoSolve(eig, design.n[r] * lambda, design.b[r])),
      );
  }

  protected override optionsToJSON(): Record<string, unknown> {
    const o = this.options;
    return {
      mode: o.mode,
      lambdas: [...o.lambdas],
      ...commonOptionsToJSON(o),
    };
  }

  /** Rebuilds a fitted learner from {@link RidgeRegressor.toJSON}'s document (or its JSON text). */
  static fromJSON(json: unknown): RidgeRegressor {
    return LinearBaseline.restore(
      json,
      RIDGE_FORMAT,
      'RidgeRegressor',
      (o) => new RidgeRegressor(o),
      LinearBaseline.readLinearFit,
    );
  }
}
