import { throwIfAborted, yieldToEventLoop } from '@hetmtl/optimizer';
import { SerializationError } from '@hetmtl/tensor';
import {
  BaselineRegressor,
  type FitContext,
  type ResolvedCommonOptions,
  type Selected,
  validationRmse,
} from './baseline-regressor.js';
import {
  decodeVector,
  decodeVectors,
  type FamilyName,
  type GlmForm,
  gaussian,
  solveGlm,
  validationScore,
} from '@hetmtl/estimator';
import { type LinearDesign, type LinearFit, linearDesign, predictLinear } from './linear-design.js';
import type { StandardizedFold, StandardizedTasks as TaskArrays } from '@hetmtl/estimator';

/** Slopes and intercepts of every task (and the shared part, when the learner has one). */
export interface LinearCoefficients {
  readonly taskNames: readonly string[];
  readonly featureNames: readonly string[];
  /** 'original': in the units of the features and of y; 'standardised': on the pooled standardised scale the learner fits on. */
  readonly scale: 'original' | 'standardised';
  /** β_r, one vector of p slopes per task. */
  readonly slopes: number[][];
  /** c_r, one intercept per task. */
  readonly intercepts: number[];
  /** The shared slopes (w₀ of mean regularisation, β̄ of centre shrinkage), or null. */
  readonly centre: number[] | null;
}

/** A solver prepared on one design: call it at increasing λ (it may warm-start from the previous call). */
export type LinearSolver = (lambda: number) => LinearFit;

/**
 * The closed-form / convex linear learners: λ from a grid scored by mean validation RMSE across tasks
 * (the smallest λ wins ties), then a refit at that λ on all rows.
 */
export abstract class LinearBaseline<O extends ResolvedCommonOptions> extends BaselineRegressor<
  LinearFit,
  O
> {
  /** Whether the λ grid has more than one value (so fit holds out validation rows). */
  protected abstract hasGrid(): boolean;
  /** The λ values to try, increasing. */
  protected abstract lambdaGrid(design: LinearDesign): number[];
  protected abstract solver(design: LinearDesign, ctx: FitContext): LinearSolver;
  protected needsValidation(): boolean {
    return this.hasGrid();
  }
  /**
   * The learner as a penalised GLM (`solveGlm` of @hetmtl/estimator), used for the binomial and poisson families and
   * for weighted rows (of every family: for the gaussian the same objective, solved by one Newton
   * step); null when it has no such form (then it fits the gaussian family without weights only).
   */
  protected glmForm(): GlmForm | null {
    return null;
  }
  protected override supportedFamilies(): readonly FamilyName[] {
    return this.glmForm() === null ? ['gaussian'] : ['gaussian', 'binomial', 'poisson'];
  }
  protected override supportsWeights(): boolean {
    return this.glmForm() !== null;
  }
  /** Whether a fit takes the GLM path: a family other than gaussian, or weighted rows. */
  private usesGlm(data: TaskArrays): boolean {
    return this.family !== gaussian || data.weights !== undefined;
  }
  /** The penalised-GLM fit at λ (warm-started from `start`), with a note when Newton hit its cap. */
  private glmFit(data: TaskArrays, lambda: number, start: LinearFit | null, ctx: FitContext) {
    const sol = solveGlm(this.family, data, this.glmForm() as GlmForm, lambda, { start });
    if (!sol.converged)
      ctx.note(
        `Newton (IRLS) stopped at its cap of 100 steps before the tolerance at λ = ${lambda}`,
      );
    return sol.fit;
  }

  /** The chosen λ. */
  get lambda(): number {
    return this.s.selection.lambda as number;
  }

  protected async select(
    [{ train, validation, yScale }]: readonly StandardizedFold[],
    ctx: FitContext,
  ): Promise<Selected<LinearFit>> {
    if (this.usesGlm(train)) return this.selectGlm(train, validation, yScale, ctx);
    const design = linearDesign(train);
    const lambdas = this.lambdaGrid(design);
    const solve = this.solver(design, ctx);
    if (validation === null) {
      const lambda = lambdas[0];
      return { model: solve(lambda), selection: { validationRmse: null, lambda } };
    }
    const path: { lambda: number; validationRmse: number }[] = [];
    let best: { fit: LinearFit; lambda: number; score: number } | null = null;
    for (let i = 0; i < lambdas.length; i++) {
      throwIfAborted(ctx.signal);
      const lambda = lambdas[i];
      const fit = solve(lambda);
      const score = validationRmse(validation, (r, X) => predictLinear(fit, r, X, train.p), yScale);
      path.push({ lambda, validationRmse: score });
      if (best === null || score < best.score) best = { fit, lambda, score };
      ctx.report({
        fraction: (i + 1) / lambdas.length,
        lambda,
        validationRmse: score,
      });
      await yieldToEventLoop();
    }
    const b = best as NonNullable<typeof best>;
    return { model: b.fit, selection: { validationRmse: b.score, lambda: b.lambda, path } };
  }

  /** λ from the grid by the family's validation score (mean task deviance; weighted RMSE for gaussian), warm starts along it. */
  private async selectGlm(
    train: TaskArrays,
    validation: TaskArrays | null,
    yScale: number,
    ctx: FitContext,
  ): Promise<Selected<LinearFit>> {
    const lambdas = this.lambdaGrid(linearDesign(train));
    const deviance = this.family !== gaussian;
    if (validation === null) {
      const lambda = lambdas[0];
      return {
        model: this.glmFit(train, lambda, null, ctx),
        selection: { validationRmse: null, lambda },
      };
    }
    const path: { lambda: number; validationRmse?: number; validationDeviance?: number }[] = [];
    let best: { fit: LinearFit; lambda: number; score: number } | null = null;
    let start: LinearFit | null = null;
    for (let i = 0; i < lambdas.length; i++) {
      throwIfAborted(ctx.signal);
      const lambda = lambdas[i];
      const fit = this.glmFit(train, lambda, start, ctx);
      start = lambda === Number.POSITIVE_INFINITY ? null : fit;
      const score = validationScore(
        this.family,
        validation,
        (r, X) => predictLinear(fit, r, X, train.p),
        yScale,
      );
      path.push(
        deviance ? { lambda, validationDeviance: score } : { lambda, validationRmse: score },
      );
      if (best === null || score < best.score) best = { fit, lambda, score };
      ctx.report({
        fraction: (i + 1) / lambdas.length,
        lambda,
        ...(deviance ? { validationDeviance: score } : { validationRmse: score }),
      });
      await yieldToEventLoop();
    }
    const b = best as NonNullable<typeof best>;
    return {
      model: b.fit,
      selection: deviance
        ? { validationRmse: null, validationDeviance: b.score, lambda: b.lambda, path }
        : { validationRmse: b.score, lambda: b.lambda, path },
    };
  }

  protected async refitAll(
    data: TaskArrays,
    selected: Selected<LinearFit>,
    ctx: FitContext,
  ): Promise<LinearFit> {
    if (this.usesGlm(data)) {
      const fit = this.glmFit(data, selected.selection.lambda as number, selected.model, ctx);
      ctx.report({ fraction: 1 });
      return fit;
    }
    const fit = this.solver(linearDesign(data), ctx)(selected.selection.lambda as number);
    ctx.report({ fraction: 1 });
    return fit;
  }

  protected predictStandardized(
    model: LinearFit,
    task: number,
    X: Float64Array,
    p: number,
  ): Float64Array {
    return predictLinear(model, task, X, p);
  }

  protected override modelToJSON(model: LinearFit): unknown {
    return {
      slopes: model.slopes.map((b) => Array.from(b)),
      intercepts: Array.from(model.intercepts),
      centre: model.centre ? Array.from(model.centre) : null,
    };
  }

  /** Reads the `model` part of a document (SerializationError when it is corrupt). */
  protected static readLinearFit(
    raw: unknown,
    shape: { readonly R: number; readonly p: number },
  ): LinearFit {
    if (typeof raw !== 'object' || raw === null) {
      throw new SerializationError('Corrupt document: no fitted coefficients', {
        expected: 'model: { slopes, intercepts, centre }',
      });
    }
    const m = raw as { slopes?: unknown; intercepts?: unknown; centre?: unknown };
    return {
      slopes: decodeVectors(m.slopes, shape.R, shape.p, 'model.slopes'),
      intercepts: decodeVector(m.intercepts, shape.R, 'model.intercepts'),
      centre:
        m.centre === null || m.centre === undefined
          ? null
          : decodeVector(m.centre, shape.p, 'model.centre'),
    };
  }

  /**
   * The fitted slopes and intercepts: by default in the units of the features and of y (comparable
   * with an ordinary least-squares fit on the raw data), or on the standardised scale the penalties
   * act on.
   */
  coefficients(scale: 'original' | 'standardised' = 'original'): LinearCoefficients {
    const s = this.s;
    const fit = s.model;
    const base = { taskNames: s.taskNames, featureNames: s.featureNames, scale };
    if (scale === 'standardised') {
      return {
        ...base,
        slopes: fit.slopes.map((b) => Array.from(b)),
        intercepts: Array.from(fit.intercepts),
        centre: fit.centre ? Array.from(fit.centre) : null,
      };
    }
    const { mean: mx, scale: sx } = s.standardizer.featureScaling();
    const { mean: my, scale: sy } = s.standardizer.targetScaling();
    const slopes = (b: Float64Array) => Array.from(b, (v, j) => (sy * v) / sx[j]);
    return {
      ...base,
      slopes: fit.slopes.map(slopes),
      intercepts: Array.from(fit.intercepts, (c, r) => {
        const b = fit.slopes[r];
        let shift = 0;
        for (let j = 0; j < b.length; j++) shift += (b[j] * mx[j]) / sx[j];
        return my + sy * (c - shift);
      }),
      centre: fit.centre ? slopes(fit.centre) : null,
    };
  }
}
