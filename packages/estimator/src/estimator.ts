import { type MultiTaskDataset, Standardizer, type StandardizerJSON } from '@hetmtl/data';
import {
  AbortError,
  NotFittedError,
  Random,
  SerializationError,
  ValidationError,
} from '@hetmtl/tensor';
import { checkEnvelope, parseDocument } from './document.js';
import {
  checkDataset,
  checkSameShape,
  type FeatureRows,
  type StandardizedTasks,
  standardizeTasks,
  taskIndexOf,
  toRowMajor,
} from './estimator-input.js';
import { meanTaskRmse } from './metrics.js';
import { type Evaluation, evaluatePredictions, type Predictor } from './predictor.js';
import { logOfTarget } from './log-target.js';
import { seedStreams } from './splits.js';
import {
  defaultFolds,
  type Fold,
  type StandardizedFold,
  standardizeFold,
} from './validation-scheme.js';

/** The options the skeleton reads (resolved: every value given). */
export interface EstimatorOptions {
  /** Share of each task's rows held out to choose the setting when `fit` gets no validation set. */
  readonly validationFraction: number;
  /** After selection, refit on training + validation rows with the chosen setting. */
  readonly refit: boolean;
  /** One seed determines the validation split and every initial weight. */
  readonly seed: number;
  /**
   * Fit log y instead of y (a positive, right-skewed response) and predict exp of the fitted log:
   * the conditional median of y on the original scale (for a log-normal response; the mean is
   * exp(σ²/2) times it). A target ≤ 0 is refused, naming its task and row.
   */
  readonly logTarget?: boolean;
}

/**
 * Progress of a fit: its phase and the rough share done, in [0, 1]; learners add their own fields.
 * The skeleton's phases are `selection`, `refit` and `done`; a learner with its own progress
 * arithmetic (`FitContext.emit`) names its own.
 */
export interface EstimatorProgress {
  readonly phase: string;
  readonly fraction: number;
}

/** What a fit chose, as far as the skeleton knows it; learners add their own fields. */
export interface EstimatorSelection {
  /** Mean validation RMSE across tasks (units of y) at the chosen setting; null when nothing was chosen on validation rows. */
  readonly validationRmse: number | null;
  /** Whether the final model was refitted on training + validation rows. */
  readonly refitted: boolean;
  /** Caveats of the fit, e.g. an iteration cap reached (absent when there are none). */
  readonly notes?: readonly string[];
}

export interface EstimatorFitOptions<P extends EstimatorProgress = EstimatorProgress> {
  /**
   * Validation rows (same tasks in the same order, same features) for choosing the setting;
   * default: a stratified share (`validationFraction`) of the training rows.
   */
  readonly validation?: MultiTaskDataset;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: P) => void;
}

/**
 * What a learner's selection step returns: the model fitted on the training part (null when only a
 * refit makes one: K folds), what it chose, and what the refit needs beyond that (`choice`).
 */
export interface Selected<M, S extends EstimatorSelection = EstimatorSelection, C = unknown> {
  readonly model: M | null;
  readonly selection: Omit<S, 'refitted'>;
  readonly choice?: C;
}

/** What the fit skeleton hands to a learner. */
export interface FitContext<P extends EstimatorProgress = EstimatorProgress> {
  readonly signal: AbortSignal | undefined;
  /** The seed stream after the validation split's seed was drawn (seedStreams): draw from it in a fixed order. */
  readonly rng: Random;
  /** The stream's first 31-bit draw, not consumed: the seed of one set of initial weights, the same in the selection fit and the refit. */
  readonly initSeed: number;
  /** The first fold's (for one split: the only fold's) y scale, {@link StandardizedFold.yScale}. */
  readonly yScale: number;
  /** Progress within the current phase (selection or refit): `fraction` in [0, 1] of that phase. */
  readonly report: (event: Omit<P, 'phase'>) => void;
  /** A progress event as the learner computes it (phase and fraction its own), passed on unchanged. */
  readonly emit: (event: P) => void;
  /** Records a caveat of the fit (an iteration cap reached, …), kept in `selection.notes`. */
  readonly note: (message: string) => void;
}

/** The JSON document of a fitted estimator (`toJSON`). */
export interface EstimatorDocument<SJ = unknown> {
  readonly format: string;
  readonly version: number;
  readonly options: Record<string, unknown>;
  readonly taskNames: string[];
  readonly featureNames: string[];
  readonly preprocessing: StandardizerJSON;
  readonly selection: SJ;
  readonly model: unknown;
}

interface FittedState<M, S> {
  readonly taskNames: readonly string[];
  readonly featureNames: readonly string[];
  readonly standardizer: Standardizer;
  readonly model: M;
  readonly selection: S;
}

/** How {@link Estimator.restoreEstimator} reads a document into a learner. */
export interface RestoreSpec<L, M, S> {
  readonly format: string;
  readonly version: number;
  /** The class name, for messages. */
  readonly learner: string;
  /** The remedy when the format tag is another one. */
  readonly formatFix?: string;
  /** A new unfitted learner from the saved options (throws on invalid ones). */
  readonly create: (options: Record<string, unknown>) => L;
  /** The fitted model from its JSON (throws SerializationError on corrupt content). */
  readonly readModel: (raw: unknown, shape: { readonly R: number; readonly p: number }) => M;
  /** What was chosen, from its JSON (`undefined` when the document has none). */
  readonly readSelection: (raw: unknown) => S;
}

function abortIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}

/**
 * The estimator skeleton every hetmtl learner shares: the constructor stores resolved options;
 * `fit` checks its input, makes the validation folds by the one seed protocol (seedStreams →
 * `validationFolds`: one hold-out split by default), standardises each fold with pooled statistics
 * of its training rows, lets the learner choose its setting on them (`select`), refits on all rows
 * with new statistics (`refitAll`), and returns the learner; `predict`, `evaluate` and `score` refuse an unfitted learner; `toJSON`
 * and {@link Estimator.restoreEstimator} round-trip a fitted learner through a versioned document.
 */
export abstract class Estimator<
  M,
  O extends EstimatorOptions,
  S extends EstimatorSelection = EstimatorSelection,
  P extends EstimatorProgress = EstimatorProgress,
  D = EstimatorDocument,
> implements Predictor
{
  readonly options: Readonly<O>;
  protected state: FittedState<M, S> | null = null;

  protected constructor(options: O) {
    this.options = Object.freeze(options);
  }

  /** The class name, for messages. */
  protected abstract get learner(): string;
  /** The document's format tag, e.g. `hetmtl/ridge-regressor`. */
  protected abstract get format(): string;
  /** The version of the document `toJSON` writes. */
  protected abstract get documentVersion(): number;
  /** Whether fit needs validation rows (a grid of λ, early stopping). */
  protected abstract needsValidation(): boolean;
  /**
   * Fits on the folds' (standardised) training rows, choosing the setting on their validation rows
   * when there are any. One fold (a hold-out split, the given validation rows, or every row when the
   * learner needs no validation) unless {@link validationFolds} gives K.
   */
  protected abstract select(
    folds: readonly StandardizedFold[],
    ctx: FitContext<P>,
  ): Promise<Selected<M, S>>;
  /** Fits on all rows with the setting chosen by {@link select}. */
  protected abstract refitAll(
    data: StandardizedTasks,
    selected: Selected<M, S>,
    ctx: FitContext<P>,
  ): Promise<M>;
  /** Predictions of task r for standardised rows (standardised scale). */
  protected abstract predictStandardized(
    model: M,
    task: number,
    X: Float64Array,
    p: number,
  ): Float64Array;
  /** The fitted model as JSON data (default: the model itself, for a model of plain data). */
  protected modelToJSON(model: M): unknown {
    return model;
  }
  /** Options as plain JSON data that the constructor accepts back (default: a copy of the options). */
  protected optionsToJSON(): Record<string, unknown> {
    return { ...this.options };
  }
  /** What was chosen, as JSON data (default: the selection itself). */
  protected selectionToJSON(selection: S): unknown {
    return selection;
  }
  /** The progress event of a phase, from a learner's event (the skeleton sets phase and fraction). */
  protected progressEvent(event: Omit<P, 'phase'>, phase: P['phase'], fraction: number): P {
    return { ...event, phase, fraction } as unknown as P;
  }

  get fitted(): boolean {
    return this.state !== null;
  }

  protected get s(): FittedState<M, S> {
    if (!this.state) throw new NotFittedError(this.learner);
    return this.state;
  }

  /** The fitted tasks, in order. */
  get taskNames(): readonly string[] {
    return this.s.taskNames;
  }

  get featureNames(): readonly string[] {
    return this.s.featureNames;
  }

  /** How the fitted setting was chosen. */
  get selection(): S {
    return this.s.selection;
  }

  /**
   * Learns from a multi-task dataset and returns the learner. On error or abort the learner is left
   * as it was, with no tensors leaked.
   */
  async fit(dataset: MultiTaskDataset, fitOptions: EstimatorFitOptions<P> = {}): Promise<this> {
    checkDataset(dataset, 'dataset');
    const { signal, onProgress } = fitOptions ?? {};
    abortIfAborted(signal);
    let validation = fitOptions?.validation;
    if (this.options.logTarget) {
      if (validation !== undefined) checkSameShape(dataset, validation);
      dataset = logOfTarget(dataset, 'training');
      if (validation !== undefined) validation = logOfTarget(validation, 'validation');
    }
    this.checkInput(dataset, validation);
    if (validation !== undefined) checkSameShape(dataset, validation);
    const { splitSeed, rng } = seedStreams(this.options.seed);
    const scheme = this.validationFolds(dataset, validation, splitSeed);
    const folds = scheme.map(standardizeFold);
    const refit = folds.length > 1 || (folds[0].validation !== null && this.options.refit);
    const share = refit ? 0.8 : 1;
    let phase: 'selection' | 'refit' = 'selection';
    const notes: string[] = [];
    const ctx: FitContext<P> = {
      signal,
      rng,
      // The stream's first draw, read without consuming it (learners that seed one set of weights).
      initSeed: Random.fromState(rng.state()).seed31(),
      yScale: folds[0].yScale,
      note: (message) => {
        if (!notes.includes(message)) notes.push(message);
      },
      report: (e) =>
        onProgress?.(
          this.progressEvent(
            e,
            phase,
            phase === 'selection' ? share * e.fraction : share + (1 - share) * e.fraction,
          ),
        ),
      emit: (event) => onProgress?.(event),
    };
    const selected = await this.select(folds, ctx);
    let model = selected.model;
    let standardizer = folds[0].standardizer;
    try {
      if (refit) {
        abortIfAborted(signal);
        phase = 'refit';
        const all = scheme[0].all;
        standardizer = new Standardizer().fit(all);
        const refitted = await this.refitAll(standardizeTasks(all, standardizer), selected, ctx);
        if (model !== null) this.releaseModel(model);
        model = refitted;
      }
    } catch (e) {
      if (model !== null) this.releaseModel(model);
      throw e;
    }
    if (model === null) throw new Error('select returned no model and there was no refit');
    if (this.state) this.releaseModel(this.state.model);
    const selection = {
      ...selected.selection,
      refitted: refit,
      ...(notes.length > 0 ? { notes } : {}),
    } as unknown as S;
    this.state = {
      taskNames: [...dataset.taskNames],
      featureNames: [...dataset.featureNames],
      standardizer,
      model,
      selection,
    };
    onProgress?.(this.doneEvent(selection));
    return this;
  }

  /** Checks of the input beyond the skeleton's (shape, tasks, features), before any split. */
  protected checkInput(
    _dataset: MultiTaskDataset,
    _validation: MultiTaskDataset | undefined,
  ): void {}

  /**
   * The validation scheme: the folds the setting is chosen on (validation-scheme.ts `defaultFolds`:
   * the given validation rows, else one hold-out split by the seed protocol). A learner with K folds
   * overrides it; with more than one fold the skeleton always refits on all rows.
   */
  protected validationFolds(
    dataset: MultiTaskDataset,
    validation: MultiTaskDataset | undefined,
    splitSeed: number,
  ): Fold[] {
    return defaultFolds(dataset, validation, {
      needsValidation: this.needsValidation(),
      fraction: this.options.validationFraction,
      seed: splitSeed,
    });
  }

  /** The last progress event of a fit. */
  protected doneEvent(_selection: S): P {
    return this.progressEvent({} as Omit<P, 'phase'>, 'done', 1);
  }

  /** Predictions for rows of one fitted task, in the units of y. */
  predict(X: FeatureRows, options: { readonly task: string }): Float64Array {
    const s = this.s;
    const r = this.taskIndexOf(options?.task);
    const p = s.featureNames.length;
    const rows = toRowMajor(X, p, options.task);
    const Xs = s.standardizer.transformX(rows, options.task);
    const out = s.standardizer.inverseTransformY(this.predictStandardized(s.model, r, Xs, p));
    if (this.options.logTarget) for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]);
    this.checkPredictions(out, rows, Xs, options.task);
    return out;
  }

  /** Checks of predictions (units of y) against the rows that made them; none by default. */
  protected checkPredictions(
    _out: Float64Array,
    _rows: Float64Array,
    _standardized: Float64Array,
    _task: string,
  ): void {}

  /** Per-task and overall RMSE, MAE and R² on a dataset with fitted tasks and the same features. */
  evaluate(dataset: MultiTaskDataset): Evaluation {
    const s = this.s;
    checkDataset(dataset, 'dataset');
    if (dataset.numFeatures !== s.featureNames.length) checkFeatureCount(dataset, s.featureNames);
    return evaluatePredictions(dataset, (t) => this.predict(t.X, { task: t.name }));
  }

  /** R² over all rows of a dataset. */
  score(dataset: MultiTaskDataset): number {
    return this.evaluate(dataset).overall.r2;
  }

  /**
   * One versioned JSON document: options, preprocessing, task and feature names, what was chosen,
   * the fitted model (the kit's envelope; a learner with its own document layout overrides it).
   */
  toJSON(): D {
    const s = this.s;
    const doc: EstimatorDocument = {
      format: this.format,
      version: this.documentVersion,
      options: this.optionsToJSON(),
      taskNames: [...s.taskNames],
      featureNames: [...s.featureNames],
      preprocessing: s.standardizer.toJSON(),
      selection: this.selectionToJSON(s.selection),
      model: this.modelToJSON(s.model),
    };
    return doc as D;
  }

  /** Frees what the learner holds; it is unfitted afterwards. */
  dispose(): void {
    if (this.state) this.releaseModel(this.state.model);
    this.state = null;
  }

  /** Frees a fitted model's resources (none by default: fitted state is plain arrays). */
  protected releaseModel(_model: M): void {}

  protected taskIndexOf(task: unknown): number {
    return taskIndexOf(
      this.s.taskNames,
      task,
      'Use a task the learner was fitted on, or refit it with the new task',
    );
  }

  /**
   * Reads a document written by `toJSON` (or its JSON text) into a new fitted learner: checks the
   * format tag and version, rebuilds the learner from its options, and reads the model with
   * `readModel` (which throws SerializationError on corrupt content).
   */
  protected static restoreEstimator<
    L extends Estimator<M, EstimatorOptions, S, EstimatorProgress, unknown>,
    M,
    S extends EstimatorSelection,
  >(json: unknown, spec: RestoreSpec<L, M, S>): L {
    const doc = parseDocument(
      json,
      `Pass the text written by JSON.stringify(${lowerFirst(spec.learner)})`,
    ) as EstimatorDocument;
    checkEnvelope(doc, {
      format: spec.format,
      version: spec.version,
      name: spec.learner,
      ...(spec.formatFix !== undefined ? { formatFix: spec.formatFix } : {}),
    });
    const names = (x: unknown) =>
      Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'string');
    if (!names(doc.taskNames) || !names(doc.featureNames)) {
      throw new SerializationError('Corrupt document: task or feature names', {
        expected: 'non-empty arrays of strings taskNames and featureNames',
      });
    }
    try {
      const instance = spec.create(doc.options ?? {});
      const standardizer = Standardizer.fromJSON(doc.preprocessing);
      if (standardizer.featureNames.length !== doc.featureNames.length) {
        throw new SerializationError(
          'Corrupt document: the preprocessing does not match the features',
          {
            expected: `${doc.featureNames.length} features`,
            received: `${standardizer.featureNames.length}`,
          },
        );
      }
      const model = spec.readModel(doc.model, {
        R: doc.taskNames.length,
        p: doc.featureNames.length,
      });
      instance.state = {
        taskNames: [...doc.taskNames],
        featureNames: [...doc.featureNames],
        standardizer,
        model,
        selection: spec.readSelection(doc.selection),
      };
      return instance;
    } catch (e) {
      if (SerializationError.isInstance(e)) throw e;
      throw new SerializationError('The document could not be loaded', {
        cause: e,
        fix: `Check the document; the cause says what failed (${(e as Error).message})`,
      });
    }
  }
}

function checkFeatureCount(dataset: MultiTaskDataset, featureNames: readonly string[]): never {
  throw new ValidationError('The dataset has a different number of features', {
    expected: `${featureNames.length}`,
    received: `${dataset.numFeatures}`,
  });
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Mean validation RMSE across tasks of standardised predictions, in the units of y. */
export function validationRmse(
  validation: StandardizedTasks,
  predict: (r: number, X: Float64Array) => Float64Array,
  yScale: number,
): number {
  return (
    meanTaskRmse(
      validation.y,
      validation.X.map((X, r) => predict(r, X)),
    ) * yScale
  );
}
