import { type MultiTaskDataset, Standardizer } from '@hetmtl/data';
import {
  checkDataset,
  checkSameShape,
  evaluatePredictions,
  metrics,
  seedStreams,
  taskIndexOf,
  toRowMajor,
} from '@hetmtl/estimator';
import { throwIfAborted, type TraceEntry } from '@hetmtl/optimizer';
import { NotFittedError } from '@hetmtl/tensor';
import { addTask } from './add-task.js';
import { MODEL_FORMAT, MODEL_VERSION } from './document.js';
import { checkPredictions, checkStandardizable, predictionError } from './finite.js';
import { type DualEncoderOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { selectModel } from './selection/select.js';
import { type ModelJSON, modelFromJSON, modelToJSON } from './serialization.js';
import type { Candidate, Evaluation, FitOptions, FittedState, PathRow } from './types.js';

export { MODEL_FORMAT, MODEL_VERSION };
export type { Candidate, Evaluation, FitOptions, FitProgress, PathRow } from './types.js';

function groupsFromLabels(names: readonly string[], labels: readonly number[]): string[][] {
  const out: string[][] = [];
  labels.forEach((g, r) => {
    (out[g] ??= []).push(names[r]);
  });
  return out.filter((g) => g !== undefined);
}

/**
 * The dual-encoder multi-task regressor of method.md: a shared encoder and task-specific encoders
 * build each task's latent factors; the coefficients on the shared factors are fused across tasks
 * by a coefficient-similarity penalty (tasks with equal β form a group); an alternating optimizer
 * learns encoders and coefficients. Model selection compares it with its nested special cases and
 * the closed-form linear MTL model on validation rows.
 *
 * One fit: the validation folds (selection/folds.ts) → the candidates (selection/candidates.ts),
 * each run as start → encoder phase → λ path (dual/sequence.ts) and the linear floor
 * (linear-floor.ts) → the best kept → the refit on all rows (selection/select.ts).
 */
export class DualEncoderRegressor {
  readonly options: ResolvedOptions;
  private state: FittedState | null = null;

  constructor(options: DualEncoderOptions = {}) {
    this.options = resolveOptions(options);
  }

  get fitted(): boolean {
    return this.state !== null;
  }

  private get s(): FittedState {
    if (!this.state) throw new NotFittedError('DualEncoderRegressor');
    return this.state;
  }

  get taskNames(): readonly string[] {
    return this.s.taskNames;
  }

  /**
   * Learns from a multi-task dataset; returns the model. On error or abort the model is left as it
   * was (unfitted if it was), with no tensors leaked.
   */
  async fit(dataset: MultiTaskDataset, fitOptions: FitOptions = {}): Promise<this> {
    checkDataset(dataset, 'dataset');
    throwIfAborted(fitOptions.signal);
    // A value whose standardisation overflows is refused here, naming its task, row and column.
    const whole = new Standardizer().fit(dataset);
    checkStandardizable(dataset, whole);
    if (fitOptions.validation) {
      checkDataset(fitOptions.validation, 'validation');
      checkSameShape(dataset, fitOptions.validation);
      checkStandardizable(fitOptions.validation, whole);
    }
    const fitted = await selectModel(
      this.options,
      dataset,
      fitOptions,
      seedStreams(this.options.seed),
    );
    this.state?.predictor.dispose();
    this.state = {
      ...fitted,
      taskNames: [...dataset.taskNames],
      featureNames: [...dataset.featureNames],
    };
    return this;
  }

  /**
   * Adds a new task (method.md §6): the shared encoder and every fitted task stay as they are; the
   * new task gets its own factors and coefficients, β pulled toward the nearest learned group.
   */
  addTask(
    name: string,
    data: {
      readonly X: Float64Array | Float32Array | readonly (readonly number[])[];
      readonly y: ArrayLike<number>;
    },
  ): this {
    this.state = addTask(this.s, this.options, name, data);
    return this;
  }

  /** Predictions for rows of one task (original scale of y). */
  predict(
    X: Float64Array | Float32Array | readonly (readonly number[])[],
    options: { task: string },
  ): Float64Array {
    const s = this.s;
    const r = this.taskIndexOf(options?.task);
    const rows = toRowMajor(X, s.featureNames.length, options.task);
    const Xs = s.standardizer.transformX(rows, options.task);
    const out = s.standardizer.inverseTransformY(s.predictor.predict(r, Xs));
    checkPredictions(out, rows, Xs, s.featureNames, options.task, s.standardizer);
    return out;
  }

  /** Per-task and overall RMSE, MAE and R² on a dataset with the same tasks and features. */
  evaluate(dataset: MultiTaskDataset): Evaluation {
    const s = this.s;
    checkDataset(dataset, 'dataset');
    return evaluatePredictions(dataset, (t) => {
      if (!s.taskNames.includes(t.name)) this.taskIndexOf(t.name);
      const pred = this.predict(t.X as Float64Array, { task: t.name });
      if (!Number.isFinite(metrics(t.y, pred).rmse)) {
        // Finite predictions whose errors overflow: name the row with the largest prediction.
        let i = 0;
        for (let k = 1; k < pred.length; k++) if (Math.abs(pred[k]) > Math.abs(pred[i])) i = k;
        const rows = Float64Array.from(t.X);
        throw predictionError(
          i,
          rows,
          s.standardizer.transformX(rows),
          s.featureNames,
          t.name,
          s.standardizer,
          pred[i],
        );
      }
      return pred;
    });
  }

  /** R² over all rows of a dataset. */
  score(dataset: MultiTaskDataset): number {
    return this.evaluate(dataset).overall.r2;
  }

  /** The learned task groups (tasks with fused β), each a list of task names. */
  groups(): string[][] {
    return groupsFromLabels(this.s.taskNames, this.s.groups);
  }

  /** Group label per task, aligned with `taskNames`. */
  groupLabels(): number[] {
    return [...this.s.groups];
  }

  /** Pairwise distances ‖β_r − β_s‖ (R × R). */
  similarity(): number[][] {
    const beta = this.coefficients().beta;
    return beta.map((a) =>
      beta.map((b) => Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0))),
    );
  }

  /** β_r (on the standardised shared factors; for the linear model, on standardised features), γ_r and c_r. */
  coefficients(): {
    taskNames: readonly string[];
    beta: number[][];
    gamma: number[][];
    intercept: number[];
  } {
    return { taskNames: this.s.taskNames, ...this.s.predictor.coefficients() };
  }

  /** The candidates of model selection with their validation scores (the chosen one marked). */
  candidates(): readonly Candidate[] {
    return this.s.candidates;
  }

  /** The λ path of the chosen candidate: validation RMSE and number of groups per λ. */
  lambdaPath(): readonly PathRow[] {
    return this.s.path;
  }

  /** The trace of the chosen candidate's encoder phase (objective and validation loss per block). */
  trace(): readonly TraceEntry[] {
    return this.s.trace;
  }

  /** Which model was chosen: the dual encoder or the linear MTL floor, and at which λ. */
  summary(): {
    kind: 'dual' | 'linear';
    lambda: number;
    numGroups: number;
    folds: number;
    taskNames: readonly string[];
  } {
    const s = this.s;
    return {
      kind: s.predictor.kind,
      lambda: s.lambda,
      numGroups: new Set(s.groups).size,
      folds: s.folds,
      taskNames: s.taskNames,
    };
  }

  private taskIndexOf(task: unknown): number {
    return taskIndexOf(
      this.s.taskNames,
      task,
      'Use a task the model was fitted on, or add it with addTask(name, data)',
    );
  }

  /** One versioned JSON document: options, preprocessing, task names, encoders and weights. */
  toJSON(): ModelJSON {
    return modelToJSON(this.options, this.s);
  }

  /**
   * Rebuilds a fitted model from {@link toJSON}'s document (or its JSON text). The document is
   * checked strictly first (`validateModelDocument`): every field, the shapes that must agree, no
   * unknown keys; any fault is a SerializationError naming the field path, never a half model.
   */
  static fromJSON(json: unknown): DualEncoderRegressor {
    const { model, state } = modelFromJSON(json, (o) => new DualEncoderRegressor(o));
    model.state = state;
    return model;
  }

  /** Frees the model's tensors; the model is unfitted afterwards. */
  dispose(): void {
    this.state?.predictor.dispose();
    this.state = null;
  }
}
