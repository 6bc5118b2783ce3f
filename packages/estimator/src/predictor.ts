import type { MultiTaskDataset } from '@hetmtl/data';
import type { FeatureRows } from './estimator-input.js';
import { type Family, type FamilyName, gaussian } from './family.js';
import { familyMetrics, type Metrics, meanTaskRmse } from './metrics.js';

/**
 * What `evaluate` returns: the family's metrics (gaussian: RMSE, MAE and R²; binomial adds log
 * loss, Brier score, AUC and accuracy; poisson the mean deviance) over all rows and per task, and
 * their means over tasks. Row weights of the dataset weigh every mean.
 */
export interface Evaluation {
  /** The family the predictions are of (absent: gaussian). */
  readonly family?: FamilyName;
  readonly overall: Metrics;
  readonly tasks: Readonly<Record<string, Metrics>>;
  /** Mean of the per-task RMSE (on the response scale). */
  readonly meanTaskRmse: number;
  /** binomial, poisson: mean of the per-task mean deviance. */
  readonly meanTaskDeviance?: number;
  /** binomial: mean of the per-task log loss. */
  readonly meanTaskLogLoss?: number;
  /** binomial: mean of the per-task AUC over the tasks where it is defined (null: none). */
  readonly meanTaskAuc?: number | null;
  /** Caveats: tasks whose AUC is undefined (one class among their rows). */
  readonly notes?: readonly string[];
}

/**
 * A fitted multi-task predictor: what the model (`DualEncoderRegressor`) and every baseline
 * implement, so that code evaluating or comparing them needs no switch on what they are.
 */
export interface Predictor {
  readonly fitted: boolean;
  /** The fitted tasks, in order. */
  readonly taskNames: readonly string[];
  /** Predictions for rows of one fitted task, in the units of y. */
  predict(X: FeatureRows, options: { readonly task: string }): Float64Array;
  /** Per-task and overall RMSE, MAE and R² on a dataset with fitted tasks and the same features. */
  evaluate(dataset: MultiTaskDataset): Evaluation;
  /** R² over all rows of a dataset (`evaluate(dataset).overall.r2`). */
  score(dataset: MultiTaskDataset): number;
}

/** Predictions for every task of a dataset, by task name (the predictor must know each task). */
export function predictDataset(
  predictor: Pick<Predictor, 'predict'>,
  dataset: MultiTaskDataset,
): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const t of dataset.tasks()) out[t.name] = predictor.predict(t.X, { task: t.name });
  return out;
}

/**
 * The evaluation of per-task predictions: `predict(task)` gives the predictions of the rows of
 * each task of the dataset, in task order; overall metrics pool every row.
 */
export function evaluatePredictions(
  dataset: MultiTaskDataset,
  predict: (task: {
    readonly name: string;
    readonly X: Float64Array | Float32Array;
    readonly y: Float64Array;
    readonly offset?: Float64Array;
  }) => Float64Array,
  family: Family = gaussian,
): Evaluation {
  const tasks: Record<string, Metrics> = {};
  const ys: Float64Array[] = [];
  const preds: Float64Array[] = [];
  const ws: Float64Array[] = [];
  const weighted = dataset.weights !== null;
  for (const t of dataset.tasks()) {
    const pred = predict(t);
    tasks[t.name] = familyMetrics(family, t.y, pred, t.weight ?? null);
    ys.push(t.y);
    preds.push(pred);
    if (t.weight) ws.push(t.weight);
  }
  const overall = familyMetrics(family, concat(ys), concat(preds), weighted ? concat(ws) : null);
  const list = Object.values(tasks);
  const mean = (f: (m: Metrics) => number) => list.reduce((a, m) => a + f(m), 0) / list.length;
  const base = {
    overall,
    tasks,
    meanTaskRmse: weighted ? mean((m) => m.rmse) : meanTaskRmse(ys, preds),
  };
  if (family.name === 'gaussian') return base;
  const deviance = {
    family: family.name,
    ...base,
    meanTaskDeviance: mean((m) => m.meanDeviance as number),
  };
  if (family.name === 'poisson') return deviance;
  const oneClass = dataset.taskNames.filter((name) => tasks[name].auc === null);
  const defined = list.filter((m) => m.auc !== null);
  return {
    ...deviance,
    meanTaskLogLoss: mean((m) => m.logLoss as number),
    meanTaskAuc:
      defined.length > 0
        ? defined.reduce((a, m) => a + (m.auc as number), 0) / defined.length
        : null,
    ...(oneClass.length > 0
      ? {
          notes: [
            `AUC undefined for ${oneClass.length} of ${list.length} tasks with one class among their rows (${oneClass.slice(0, 5).join(', ')}${oneClass.length > 5 ? ', …' : ''}): left out of the mean task AUC`,
          ],
        }
      : {}),
  };
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
