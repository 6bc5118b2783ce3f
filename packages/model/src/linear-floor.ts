import { meanTaskRmse } from '@hetmtl/estimator';
import type { Pacer } from '@hetmtl/tensor';
import type { StandardizedTasks } from '@hetmtl/estimator';
import { taskWeightsOf } from './dual/trainer.js';
import { fitLinearMtl, type LinearDesignOptions, linearDesign } from './linear-mtl.js';
import { LinearPredictor } from './predictors/linear.js';
import type { PathRow } from './types.js';

/** The λ values of the linear floor: 0, 13 log-spaced values from 1e-3 to 1e3, and ∞. */
export const LINEAR_FLOOR_LAMBDAS: readonly number[] = [
  0,
  ...Array.from({ length: 13 }, (_, i) => 1e-3 * 10 ** (i / 2)),
  Number.POSITIVE_INFINITY,
];

/** The floor's design: primal (p×p) when p ≤ N − R, else the dual (row-space) form; see linear-mtl.ts. */
const tasksOf = (data: StandardizedTasks, options?: LinearDesignOptions) =>
  linearDesign(data.X, data.y, data.p, options);

/** The linear MTL floor (mean-regularised MTL, method.md §5) at one λ on all given rows. */
export function fitLinearFloor(
  data: StandardizedTasks,
  lambda: number,
  ridge: number,
  taskWeights: 'size' | 'equal',
  options?: LinearDesignOptions,
): LinearPredictor {
  const fit = fitLinearMtl(tasksOf(data, options), taskWeightsOf(data, taskWeights), lambda, ridge);
  return new LinearPredictor(fit.beta, fit.intercept);
}

/** The closed-form linear MTL floor: λ on {@link LINEAR_FLOOR_LAMBDAS} scored on validation rows. */
export async function linearFloorPath(
  tr: StandardizedTasks,
  va: StandardizedTasks,
  ridge: number,
  weighted: boolean,
  pacer: Pacer,
  options?: LinearDesignOptions,
): Promise<{ path: PathRow[]; best: { score: number; lambda: number; fit: LinearPredictor } }> {
  const tasks = tasksOf(tr, options);
  const w = taskWeightsOf(tr, 'size');
  const path: PathRow[] = [];
  let best: { score: number; lambda: number; fit: LinearPredictor } | null = null;
  for (const lambda of LINEAR_FLOOR_LAMBDAS) {
    await pacer.turn();
    const m = fitLinearMtl(tasks, w, lambda, ridge);
    const fit = new LinearPredictor(m.beta, m.intercept);
    const score = meanTaskRmse(
      va.y,
      va.X.map((X, r) => fit.predict(r, X)),
      weighted,
    );
    path.push({
      lambda,
      validationRmse: score,
      numGroups: lambda === Number.POSITIVE_INFINITY ? 1 : tr.X.length,
    });
    if (best === null || score < best.score) best = { score, lambda, fit };
  }
  return { path, best: best as NonNullable<typeof best> };
}
