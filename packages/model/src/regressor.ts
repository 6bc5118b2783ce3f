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
import { opt, ValidationError } from '@hetmtl/tensor';
import { addTask } from './add-task.js';
import { MODEL_FORMAT, MODEL_VERSION } from './document.js';
import { checkPredictions, checkStandardizable, predictionError } from './finite.js';
import { glmFloorNote } from './glm-floor.js';
import { type DualEncoderOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { validationFolds } from './selection/folds.js';
import { type Choice, refitChosen, selectCandidates } from './selection/select.js';
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
import type { FitOptions } from './types.js';

/**
 * What the refit of each fit needs of its chosen candidate (its encoder settings, rounds and path
 * point), keyed by the fit's candidates table: it stays with the model through addTask, and a
 * model read by fromJSON has none.
 */
const choices = new WeakMap<readonly Candidate[], Choice>();

/** log y of a new task's targets (logTarget); a target ≤ 0 is refused naming its 1-based row. */
function logTargets(y: ArrayLike<number>, task: string): Float64Array {
  return Float64Array.from(y, (v, i) => {
    if (!(v > 0))
      throw new ValidationError(
        'A target of the new task that is not positive, with the log target',
        {
          task,
          row: i + 1,
          expected: 'a target > 0 (its logarithm is fitted)',
          received: String(v),
          fix: [
            'Remove or correct the row, or add the task to a model fitted without ',
            opt('logTarget', true),
          ],
        },
      );
    return Math.log(v);
  });
}

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

  /** Set by {@link refit} while it runs: selection is skipped and this candidate refitted. */
  private pinned: { readonly selection: ModelSelection; readonly choice: Choice } | null = null;

  protected async select(folds: readonly StandardizedFold[], ctx: FitContext<FitProgress>) {
    const pinned = this.pinned;
    if (pinned === null) {
      const selected = await selectCandidates(this.options, folds, ctx);
      if (selected.choice !== undefined)
        choices.set(selected.selection.candidates, selected.choice);
      return selected;
    }
    // The streams selection drew (one per dual candidate and fold), so the refit draws the one
    // the fit's own refit drew.
    const duals = pinned.selection.candidates.filter((c) => c.kind === 'dual').length;
    for (let i = 0; i < duals * pinned.selection.folds; i++) ctx.rng.child();
    const { refitted: _, notes: __, ...selection } = pinned.selection;
    return { model: null, selection, choice: pinned.choice };
  }

  /**
   * Fits the candidate that model selection chose again, on `dataset` (the same tasks and
   * features, e.g. every row after a held-out report), without selecting again: the same encoder
   * settings, rounds and λ (with K folds, λ as the fit's own refit chooses it), the same seed.
   * The candidates table stays the fit's. Refitting on the fit's own rows gives the fitted model
   * again. Needs a model fitted in this program (not one read by fromJSON) with `refit` on.
   */
  async refit(dataset: MultiTaskDataset, fitOptions: FitOptions = {}): Promise<this> {
    const s = this.s;
    const choice = choices.get(s.selection.candidates);
    if (choice === undefined)
      throw new ValidationError('This model cannot be refitted', {
        expected: 'a model fitted by fit() in this program',
        received: 'a model read by fromJSON (it keeps no record of how its candidate was fitted)',
        fix: 'Fit the model again with fit(dataset)',
      });
    if (!this.options.refit)
      throw new ValidationError('refit() with the option refit: false', {
        expected: 'refit: true (the default)',
        received: 'refit: false',
        fix: 'Construct the model without refit: false, or fit it on the rows with fit(dataset)',
      });
    checkDataset(dataset, 'dataset');
    for (const [what, have, got] of [
      ['tasks', s.taskNames, dataset.taskNames],
      ['features', s.featureNames, dataset.featureNames],
    ] as const) {
      if (have.length !== got.length || have.some((v, i) => v !== got[i]))
        throw new ValidationError(`refit() on other ${what} than the fit`, {
          expected: `the ${what} of the fit, in its order (${have.length}: ${have.slice(0, 5).join(', ')}${have.length > 5 ? ', …' : ''})`,
          received: `${got.length}: ${got.slice(0, 5).join(', ')}${got.length > 5 ? ', …' : ''}`,
          fix: 'Refit on a dataset with the same tasks and features, or fit a new model',
        });
    }
    // The linear floor keeps the groups of its fit (after addTask, the added tasks' too).
    const pinnedChoice: Choice =
      choice.kind === 'linear' ? { ...choice, groups: [...s.model.groups] } : choice;
    this.pinned = { selection: s.selection, choice: pinnedChoice };
    try {
      await this.fit(dataset, fitOptions);
    } finally {
      this.pinned = null;
    }
    choices.set(this.s.selection.candidates, pinnedChoice);
    return this;
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
    // With logTarget the new task's targets are fitted on the log scale, as the fit's were.
    const y = this.options.logTarget ? logTargets(data?.y ?? [], name) : data?.y;
    this.record = addTask(this.record, this.options, name, { X: data?.X, y } as typeof data);
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
              this.options.selection.glmEncoderPhase,
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
