import { type MultiTaskDataset, Standardizer } from '@hetmtl/data';
import {
  checkDataset,
  checkSameShape,
  Estimator,
  evaluatePredictions,
  type FamilyName,
  type FitContext,
  type Fold,
  metrics,
  type Selected,
  type StandardizedFold,
  type StandardizedTasks,
  taskIndexOf,
} from '@hetmtl/estimator';
import type { TraceEntry } from '@hetmtl/optimizer';
import { ValidationError } from '@hetmtl/tensor';
import { addTask } from './add-task.js';
import { MODEL_FORMAT, MODEL_VERSION } from './document.js';
import { checkPredictions, checkStandardizable, predictionError } from './finite.js';
import { glmFloorNote } from './glm-floor.js';
import { type DualEncoderOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { validationFolds } from './selection/folds.js';
import { refitChosen, selectCandidates } from './selection/select.js';
import { type ModelJSON, modelFromJSON, modelToJSON } from './serialization.js';
import type {
  Candidate,
  Evaluation,
  FitProgress,
  FittedModel,
  FittedState,
  ModelSelection,
  PathRow,
} from './types.js';

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
export class DualEncoderRegressor extends Estimator<
  FittedModel,
  ResolvedOptions,
  ModelSelection,
  FitProgress,
  ModelJSON
> {
  constructor(options: DualEncoderOptions = {}) {
    super(resolveOptions(options));
  }

  protected get learner(): string {
    return 'DualEncoderRegressor';
  }
  protected get format(): string {
    return MODEL_FORMAT;
  }
  protected get documentVersion(): number {
    return MODEL_VERSION;
  }
  protected needsValidation(): boolean {
    return true;
  }
  /** gaussian (every candidate); binomial and poisson by the GLM floor (glm-floor.ts). */
  protected override supportedFamilies(): readonly FamilyName[] {
    return ['gaussian', 'binomial', 'poisson'];
  }
  /** Row weights are honoured by the GLM floor, which is then the only candidate (glm-floor.ts). */
  protected override supportsWeights(): boolean {
    return true;
  }

  /** A value whose standardisation overflows is refused before any split, naming its task, row and column. */
  protected override checkInput(
    dataset: MultiTaskDataset,
    validation: MultiTaskDataset | undefined,
  ): void {
    const whole = new Standardizer().fit(dataset);
    checkStandardizable(dataset, whole);
    if (validation) {
      checkDataset(validation, 'validation');
      checkSameShape(dataset, validation);
      checkStandardizable(validation, whole);
    }
  }

  protected override validationFolds(
    dataset: MultiTaskDataset,
    validation: MultiTaskDataset | undefined,
    splitSeed: number,
  ): Fold[] {
    return validationFolds(this.options, dataset, validation, splitSeed);
  }

  protected select(folds: readonly StandardizedFold[], ctx: FitContext<FitProgress>) {
    return selectCandidates(this.options, folds, ctx);
  }

  protected refitAll(
    data: StandardizedTasks,
    selected: Selected<FittedModel, ModelSelection>,
    ctx: FitContext<FitProgress>,
  ) {
    return refitChosen(this.options, data, selected, ctx);
  }

  protected override doneEvent(selection: ModelSelection): FitProgress {
    const total = selection.candidates.length + (selection.refitted ? 1 : 0);
    return { phase: 'done', candidate: total, candidates: total, fraction: 1 };
  }

  protected override releaseModel(model: FittedModel): void {
    model.predictor.dispose();
  }

  protected predictStandardized(model: FittedModel, task: number, X: Float64Array): Float64Array {
    return model.predictor.predict(task, X);
  }

  protected override checkPredictions(
    out: Float64Array,
    rows: Float64Array,
    standardized: Float64Array,
    task: string,
  ): void {
    const s = this.s;
    checkPredictions(out, rows, standardized, s.featureNames, task, s.standardizer);
  }

  /** The state as one record (what the document, addTask and the accessors read). */
  private get record(): FittedState {
    const { taskNames, featureNames, standardizer, model, selection } = this.s;
    const { candidates, path, trace, folds } = selection;
    return {
      taskNames: [...taskNames],
      featureNames: [...featureNames],
      standardizer,
      ...model,
      candidates,
      path,
      trace,
      folds,
    };
  }

  private set record(r: FittedState) {
    const chosen = r.candidates.find((c) => c.chosen);
    this.state = {
      taskNames: r.taskNames,
      featureNames: r.featureNames,
      standardizer: r.standardizer,
      model: { predictor: r.predictor, lambda: r.lambda, groups: r.groups },
      selection: {
        // binomial, poisson: the candidates' scores are mean validation deviances
        ...(this.options.family === 'gaussian'
          ? { validationRmse: chosen?.validationRmse ?? null }
          : {
              validationRmse: null,
              ...(chosen ? { validationDeviance: chosen.validationRmse } : {}),
            }),
        refitted: this.options.refit || r.folds > 1,
        candidates: r.candidates,
        path: r.path,
        trace: r.trace,
        folds: r.folds,
      },
    };
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
    if (this.options.family !== 'gaussian')
      throw new ValidationError(`addTask on a ${this.options.family} model`, {
        expected: 'a gaussian model (new-task transfer for binomial and poisson is not built yet)',
        received: `family "${this.options.family}"`,
        fix: 'Refit the model with the new task among the tasks of the dataset',
      });
    this.record = addTask(this.record, this.options, name, data);
    return this;
  }

  /**
   * Per-task and overall RMSE, MAE and R² on a dataset with the same tasks and features (binomial:
   * log loss, Brier, AUC, accuracy; poisson: mean deviance, RMSE — the skeleton's, with offsets).
   */
  override evaluate(dataset: MultiTaskDataset): Evaluation {
    if (this.options.family !== 'gaussian') return super.evaluate(dataset);
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

  /** The learned task groups (tasks with fused β), each a list of task names. */
  groups(): string[][] {
    return groupsFromLabels(this.s.taskNames, this.s.model.groups);
  }

  /** Group label per task, aligned with `taskNames`. */
  groupLabels(): number[] {
    return [...this.s.model.groups];
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
    return { taskNames: this.s.taskNames, ...this.s.model.predictor.coefficients() };
  }

  /** The candidates of model selection with their validation scores (the chosen one marked). */
  candidates(): readonly Candidate[] {
    return this.s.selection.candidates;
  }

  /** The λ path of the chosen candidate: validation RMSE and number of groups per λ. */
  lambdaPath(): readonly PathRow[] {
    return this.s.selection.path;
  }

  /** The trace of the chosen candidate's encoder phase (objective and validation loss per block). */
  trace(): readonly TraceEntry[] {
    return this.s.selection.trace;
  }

  /**
   * Which model was chosen: the dual encoder, the linear MTL floor or a blend of candidates (model
   * averaging: λ and groups are then its heaviest component's), and at which λ.
   */
  summary(): {
    kind: 'dual' | 'linear' | 'blend';
    family: FamilyName;
    lambda: number;
    numGroups: number;
    folds: number;
    taskNames: readonly string[];
    /** Why the dual-encoder candidates were not fitted (binomial, poisson), when they were not. */
    note?: string;
  } {
    const { model, selection, taskNames } = this.s;
    const family = this.options.family;
    return {
      kind: model.predictor.kind,
      family,
      ...(family !== 'gaussian'
        ? {
            note: glmFloorNote(
              family,
              selection.candidates.some((c) => c.id === 'glm-dual'),
            ),
          }
        : {}),
      lambda: model.lambda,
      numGroups: new Set(model.groups).size,
      folds: selection.folds,
      taskNames,
    };
  }

  protected override taskIndexOf(task: unknown): number {
    return taskIndexOf(
      this.s.taskNames,
      task,
      'Use a task the model was fitted on, or add it with addTask(name, data)',
    );
  }

  /** One versioned JSON document: options, preprocessing, task names, encoders and weights. */
  override toJSON(): ModelJSON {
    return modelToJSON(this.options, this.record);
  }

  /**
   * Rebuilds a fitted model from {@link toJSON}'s document (or its JSON text). The document is
   * checked strictly first (`validateModelDocument`): every field, the shapes that must agree, no
   * unknown keys; any fault is a SerializationError naming the field path, never a half model.
   */
  static fromJSON(json: unknown): DualEncoderRegressor {
    const { model, state } = modelFromJSON(json, (o) => new DualEncoderRegressor(o));
    model.record = state;
    return model;
  }
}
