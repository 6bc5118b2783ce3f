import { CentreShrinkageSolver } from '@hetmtl/regularizers';
import {
  COMMON_OPTION_NAMES,
  type CommonOptions,
  commonOptionsToJSON,
  type FitContext,
  resolveCommonOptions,
  type ResolvedCommonOptions,
} from './baseline-regressor.js';
import { checkKnownOptions, option } from './input-checks.js';
import { LinearBaseline, type LinearSolver } from './linear-baseline.js';
import { type LinearDesign, linearFit } from './linear-design.js';

export const CENTRE_SHRINKAGE_FORMAT = 'hetmtl/centre-shrinkage-regressor';

export interface CentreShrinkageOptions extends CommonOptions {
  /**
   * λ values to choose from. Default: 0 and `numLambdas − 1` values from `lambdaMinRatio`·λ_max to
   * λ_max on a log scale, λ_max being the smallest λ at which every task sits on the centre.
   */
  readonly lambdas?: readonly number[];
  /** Size of the default grid (default 12). */
  readonly numLambdas?: number;
  /** Smallest positive λ of the default grid relative to λ_max (default 1e-3). */
  readonly lambdaMinRatio?: number;
  /** Ridge ρ on every β_r (default 1e-4): keeps a task with more features than rows well posed. */
  readonly ridge?: number;
  /** Relative tolerance of the ADMM residuals (default 1e-7). */
  readonly tolerance?: number;
  /** ADMM iteration cap per λ (default 5000). */
  readonly maxIterations?: number;
}

export interface ResolvedCentreShrinkageOptions extends ResolvedCommonOptions {
  readonly lambdas: readonly number[] | null;
  readonly numLambdas: number;
  readonly lambdaMinRatio: number;
  readonly ridge: number;
  readonly tolerance: number;
  readonly maxIterations: number;
}

/**
 * ARMUL-style linear centre shrinkage (adaptive and robust multi-task learning, Duan & Wang 2023):
 * on standardised data, with unpenalised task intercepts c_r, w_r = n_r/N and p features,
 *
 *   Σ_r w_r [ (1/2n_r)‖y_r − c_r − X_r β_r‖² + (ρ/2)‖β_r‖² + λ √(p/n_r) ‖β_r − β̄‖ ]
 *
 * over the task slopes β_r and a free centre β̄. The penalty is a norm, not its square: tasks close
 * to the others are shrunk exactly onto the centre, distant ones are left nearly unbiased. λ = 0
 * gives per-task ridge (ρ); λ ≥ λ_max gives one common slope vector with task intercepts (pooled
 * ridge with λ = ρ). Solved by ADMM in Float64 along an increasing λ path with warm starts
 * (@hetmtl/regularizers' `CentreShrinkageSolver`, per-task eigen solves), scaled by N: on
 * A_r = Z_rᵀZ_r, b_r = Z_rᵀy_r of the task-centred data, ridge ρ_r = n_r ρ and penalty weights
 * t_r = √(p n_r).
 */
export class CentreShrinkageRegressor extends LinearBaseline<ResolvedCentreShrinkageOptions> {
  constructor(options: CentreShrinkageOptions = {}) {
    checkKnownOptions('CentreShrinkageRegressor', options, [
      'lambdas',
      'numLambdas',
      'lambdaMinRatio',
      'ridge',
      'tolerance',
      'maxIterations',
      ...COMMON_OPTION_NAMES,
    ]);
    super({
      ...resolveCommonOptions(options),
      lambdas: option.lambdas(options.lambdas, null, false),
      numLambdas: option.number('numLambdas', options.numLambdas, 12, { integer: true, min: 2 }),
      lambdaMinRatio: option.number('lambdaMinRatio', options.lambdaMinRatio, 1e-3, {
        exclusiveMin: 0,
        max: 1,
      }),
      ridge: option.number('ridge', options.ridge, 1e-4, { min: 0 }),
      tolerance: option.number('tolerance', options.tolerance, 1e-7, { exclusiveMin: 0, max: 0.1 }),
      maxIterations: option.number('maxIterations', options.maxIterations, 5000, {
        integer: true,
        min: 1,
      }),
    });
  }

  protected get learner(): string {
    return 'CentreShrinkageRegressor';
  }

  protected get format(): string {
    return CENTRE_SHRINKAGE_FORMAT;
  }

  protected hasGrid(): boolean {
    return this.options.lambdas === null || this.options.lambdas.length > 1;
  }

  protected lambdaGrid(design: LinearDesign): number[] {
    if (this.options.lambdas) return [...this.options.lambdas];
    const top = this.newSolver(design).lambdaMax();
    const { numLambdas: k, lambdaMinRatio: lo } = this.options;
    if (!(top > 0)) return [0];
    return [
      0,
      ...Array.from({ length: k - 1 }, (_, i) => top * lo ** (1 - i / Math.max(k - 2, 1))),
    ];
  }

  /** One solver per design (the grid needs λ_max before the path is solved). */
  private readonly solvers = new WeakMap<LinearDesign, CentreShrinkageSolver>();

  private newSolver(design: LinearDesign): CentreShrinkageSolver {
    let solver = this.solvers.get(design);
    if (!solver) {
      const { ridge, tolerance, maxIterations } = this.options;
      solver = new CentreShrinkageSolver(
        {
          A: design.A,
          b: design.b,
          dim: design.q,
          taskRidge: design.n.map((n) => n * ridge),
          penaltyWeights: design.n.map((n) => Math.sqrt(design.p * n)),
        },
        { tolerance, maxIterations },
      );
      this.solvers.set(design, solver);
    }
    return solver;
  }

  protected solver(design: LinearDesign, ctx: FitContext): LinearSolver {
    const solver = this.newSolver(design);
    return (lambda) => {
      const sol = solver.solve(lambda);
      if (!sol.converged) {
        ctx.note(
          `ADMM reached maxIterations (${this.options.maxIterations}) before the tolerance at λ = ${lambda.toPrecision(4)}: raise maxIterations for a more exact solution`,
        );
      }
      return linearFit(design, sol.beta, sol.centre);
    };
  }

  /** Whether each task's slopes were shrunk exactly onto the centre (aligned with `taskNames`). */
  onCentre(): boolean[] {
    const fit = this.s.model;
    const centre = fit.centre as Float64Array;
    return fit.slopes.map((b) => b.every((v, j) => v === centre[j]));
  }

  protected override optionsToJSON(): Record<string, unknown> {
    const o = this.options;
    return {
      ...(o.lambdas ? { lambdas: [...o.lambdas] } : {}),
      numLambdas: o.numLambdas,
      lambdaMinRatio: o.lambdaMinRatio,
      ridge: o.ridge,
      tolerance: o.tolerance,
      maxIterations: o.maxIterations,
      ...commonOptionsToJSON(o),
    };
  }

  static fromJSON(json: unknown): CentreShrinkageRegressor {
    return LinearBaseline.restore(
      json,
      CENTRE_SHRINKAGE_FORMAT,
      'CentreShrinkageRegressor',
      (o) => new CentreShrinkageRegressor(o),
      LinearBaseline.readLinearFit,
    );
  }
}
