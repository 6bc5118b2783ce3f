import { meanTaskRmse, type StandardizedTasks } from '@hetmtl/estimator';
import {
  FusionPath,
  lambdaPath,
  type PathPoint,
  prepareFusion,
  type Penalty,
  solveAlongPath,
} from '@hetmtl/regularizers';
import { predictLinear } from '@hetmtl/tensor';
import type { PathRow } from '../types.js';
import {
  type CoefficientProblem,
  coefficientProblem,
  profiledIntercepts,
} from './coefficient-block.js';
import type { DualTrainer } from './trainer.js';

/** How the coefficient block is solved on the frozen encoders after the encoder phase. */
export interface PathSettings {
  readonly similarity: Penalty;
  readonly ridge: number;
  readonly numLambdas: number;
  /**
   * 'path': λ = 0, the grid and λ = ∞, chosen by `criterion`; a number: that λ alone, scored
   * (fit); `{ walkTo }`: that λ reached through the grid below it, not scored (refit).
   */
  readonly lambda: 'path' | number | { readonly walkTo: number };
  /**
   * How λ is chosen on the path: the modified BIC (method.md §5), the validation RMSE, or a given
   * point of the path (its index: λ = 0 first, then the grid ascending, λ = ∞ last; the last point
   * when the path is shorter) — the point chosen by the validation RMSE averaged over K folds.
   */
  readonly criterion: 'bic' | 'validation' | { readonly point: number };
  /** Validation rows scored at every point (none: the BIC chooses). */
  readonly validation?: StandardizedTasks;
  readonly weighted?: boolean;
}

export interface ScoredPoint extends PathPoint {
  /** Mean validation RMSE on the standardised scale (NaN without validation rows). */
  readonly score: number;
  readonly bic: number;
}

/**
 * The λ path of method.md §4 on the trainer's frozen encoders: one prepared fusion problem, its
 * points scored on validation rows and by the modified BIC, the best by the criterion. The trainer
 * is not changed.
 */
export async function coefficientPath(
  tr: DualTrainer,
  settings: PathSettings,
  signal?: AbortSignal,
): Promise<{ best: ScoredPoint; rows: PathRow[]; problem: CoefficientProblem }> {
  const problem = coefficientProblem(tr);
  const prepared = prepareFusion(problem.fusion, settings.similarity, { ridge: settings.ridge });
  const { lambda } = settings;
  const path =
    typeof lambda === 'object'
      ? new FusionPath(prepared, [
          await solveAlongPath(prepared, lambda.walkTo, {
            numLambdas: settings.numLambdas,
            signal,
          }),
        ])
      : await lambdaPath(prepared, {
          lambdas: lambda === 'path' ? 'grid' : [lambda],
          numLambdas: settings.numLambdas,
          signal,
        });
  // Each task keeps an intercept and K1 task-factor coefficients outside the fused β.
  const taskParameters = tr.K1 + 1;
  const va = settings.validation;
  const val = va ? tr.factorsFor(va.X) : null;
  // Validation predictions c_r + F_rβ_r + G_rγ_r with (c_r, γ_r) profiled on the training rows.
  const score = (beta: readonly Float64Array[]) => {
    if (!va || !val) return Number.NaN;
    const u = profiledIntercepts(problem, beta);
    const preds = va.X.map((x, r) =>
      predictLinear(val.F[r], val.G[r], x.length / tr.p, beta[r], u.gamma[r], u.c[r]),
    );
    return meanTaskRmse(va.y, preds, settings.weighted ?? false);
  };
  const scored: ScoredPoint[] = path.points.map((p) => ({
    ...p,
    score: score(p.beta),
    bic: path.bic(p, { taskParameters }),
  }));
  const chosen = settings.criterion;
  let best = scored[0];
  if (typeof chosen === 'object') best = scored[Math.min(chosen.point, scored.length - 1)];
  else {
    const criterion = (p: ScoredPoint) => (chosen === 'bic' || !va ? p.bic : p.score);
    for (const p of scored) if (criterion(p) < criterion(best)) best = p;
  }
  const rows = scored.map((p) => ({
    lambda: p.lambda,
    validationRmse: p.score,
    numGroups: p.numGroups,
    bic: p.bic,
    iterations: p.result?.iterations ?? 0,
  }));
  return { best, rows, problem };
}
