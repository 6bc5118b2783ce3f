import type { MultiTaskDataset } from '@hetmtl/data';
import type { FeatureRows } from './estimator-input.js';
import { type Metrics, meanTaskRmse, metrics } from './metrics.js';

/** What `evaluate` returns: RMSE, MAE and R² over all rows and per task, and the mean task RMSE. */
export interface Evaluation {
  readonly overall: Metrics;
  readonly tasks: Readonly<Record<string, Metrics>>;
  /** Mean of the per-task RMSE. */
  readonly meanTaskRmse: number;
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
  }) => Float64Array,
): Evaluation {
  const tasks: Record<string, Metrics> = {};
  const ys: Float64Array[] = [];
  const preds: Float64Array[] = [];
  for (const t of dataset.tasks()) {
    const pred = predict(t);
    tasks[t.name] = metrics(t.y, pred);
    ys.push(t.y);
    preds.push(pred);
  }
  return {
    overall: metrics(concat(ys), concat(preds)),
    tasks,
    meanTaskRmse: meanTaskRmse(ys, preds),
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
