import {
  type MultiTaskDataset,
  Standardizer,
  type StandardizerJSON,
  type StandardizerOptions,
  type TaskValues,
} from '@hetmtl/data';
import {
  AbortError,
  describeReceived,
  NotFittedError,
  opt,
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
import { checkFamilyTarget, type Family, type FamilyName, familyOf, gaussian } from './family.js';
import { meanTaskDeviance, meanTaskRmse, metrics } from './metrics.js';
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
  /**
   * The response family (default `gaussian`: every number as before). `binomial` (0/1 targets,
   * logit link) and `poisson` (counts, log link, an optional offset per row): the target is not
   * standardised (the features are), predictions are probabilities / expected counts, validation
   * scores are the mean deviance, and `evaluate` returns the family's metrics.
   */
  readonly family?: FamilyName;
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
  /** Mean validation RMSE across tasks (units of y) at the chosen setting; null when nothing was chosen on validation rows (or the family is not gaussian). */
  readonly validationRmse: number | null;
  /** binomial, poisson: mean validation deviance across tasks at the chosen setting. */
  readonly validationDeviance?: number;
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
  /**
   * A weight per training row (finite, ≥ 0), per task: an array aligned with the tasks or a record
   * by task name. Kept with the rows (`dataset.withWeights`), so a split keeps each row's weight; it
   * replaces weights the dataset has (without it, the dataset's own are used). Weights of validation rows come with the
   * validation dataset.
   */
  readonly sampleWeight?: TaskValues;
  /** An offset per training row on the link scale (binomial, poisson: log exposure), as `sampleWeight`. */
  readonly offset?: TaskValues;
}

const FIT_OPTION_NAMES = ['validation', 'signal', 'onProgress', 'sampleWeight', 'offset'];

/** Options of a prediction. */
export interface PredictOptions {
  readonly task: string;
  /** binomial, poisson: the offset of each row (link scale; log exposure); default 0. */
  readonly offset?: ArrayLike<number>;
  /**
   * `response` (default): y (gaussian), probabilities (binomial), expected counts (poisson);
   * `link`: the linear predictor η (offset included); `class`: binomial 0/1 at probability 0.5.
   */
  readonly type?: 'response' | 'link' | 'class';
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
  /** The response family of the fit (gaussian unless the learner's `family` option says otherwise). */
  readonly family: Family;
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
    const family = familyOf(options.family ?? 'gaussian');
    if (!this.supportedFamilies().includes(family.name)) throw this.familyError(family.name);
  }

  /** A family the learner does not fit, named with the learner's explicit name (minifier-safe). */
  private familyError(family: FamilyName): ValidationError {
    return new ValidationError(`${this.learner} does not fit the ${family} family`, {
      expected: `family ${this.supportedFamilies()
        .map((f) => `"${f}"`)
        .join(' or ')}`,
      received: `"${family}"`,
      fix: 'Use a learner of that family (the ridge and mean-regularised baselines fit all three)',
    });
  }

  /** The families the learner fits (default: gaussian only). */
  protected supportedFamilies(): readonly FamilyName[] {
    return ['gaussian'];
  }

  /** Whether the learner fits weighted rows (default: no; a weighted dataset is then refused, not ignored). */
  protected supportsWeights(): boolean {
    return false;
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
    checkFitOptions(this.learner, fitOptions);
    const { signal, onProgress } = fitOptions ?? {};
    abortIfAborted(signal);
    let validation = fitOptions?.validation;
    const family = this.family;
    if (fitOptions?.sampleWeight !== undefined)
      dataset = dataset.withWeights(fitOptions.sampleWeight, 'sampleWeight');
    if (fitOptions?.offset !== undefined)
      dataset = dataset.withOffsets(fitOptions.offset, 'offset');
    if (validation !== undefined) checkSameShape(dataset, validation);
    if (family !== gaussian && this.options.logTarget)
      throw new ValidationError(`The log target with the ${family.name} family`, {
        expected: 'logTarget with the gaussian family only',
        received: `logTarget: true, family: "${family.name}"`,
        fix: [
          'Drop ',
          opt('logTarget', true),
          ` (the ${family.name} family models the mean on the ${family.link} scale already)`,
        ],
      });
    checkFamilyTarget(family, dataset, 'training');
    if (validation !== undefined) checkFamilyTarget(family, validation, 'validation');
    if (!this.supportsWeights() && (dataset.weights !== null || validation?.weights))
      throw new ValidationError(`${this.learner} does not take row weights`, {
        expected: 'a dataset without weights (no sampleWeight)',
        received: `weights on the ${dataset.weights !== null ? 'training' : 'validation'} rows`,
        fix: 'Fit it without weights, or use a learner that takes them (the ridge and mean-regularised baselines)',
      });
    if (this.options.logTarget) {
      if (validation !== undefined) checkSameShape(dataset, validation);
      dataset = logOfTarget(dataset, 'training');
      if (validation !== undefined) validation = logOfTarget(validation, 'validation');
    }
    this.checkInput(dataset, validation);
    if (validation !== undefined) checkSameShape(dataset, validation);
    const { splitSeed, rng } = seedStreams(this.options.seed);
    const scheme = this.validationFolds(dataset, validation, splitSeed);
    const folds = scheme.map((f) => standardizeFold(f, this.standardizerOptions()));
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
      family,
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
        standardizer = new Standardizer(this.standardizerOptions()).fit(all);
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

  /** The response family (the `family` option; gaussian by default). */
  get family(): Family {
    return familyOf(this.options.family ?? 'gaussian');
  }

  /** The statistics folds are standardised with: the target is standardised for the gaussian family only. */
  protected standardizerOptions(): StandardizerOptions {
    return this.family === gaussian ? {} : { target: 'none' };
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

  /**
   * Predictions for rows of one fitted task, in the units of y: for binomial the probabilities, for
   * poisson the expected counts (with `offset`: exposure · rate; without: offset 0); `type: 'link'`
   * gives η, `type: 'class'` (binomial) 0/1.
   */
  predict(X: FeatureRows, options: PredictOptions): Float64Array {
    const s = this.s;
    const r = this.taskIndexOf(options?.task);
    const p = s.featureNames.length;
    const rows = toRowMajor(X, p, options.task);
    const Xs = s.standardizer.transformX(rows, options.task);
    const out = s.standardizer.inverseTransformY(this.predictStandardized(s.model, r, Xs, p));
    const family = this.family;
    const type = options.type ?? 'response';
    if (type !== 'response' && type !== 'link' && type !== 'class')
      throw new ValidationError('Invalid prediction type', {
        expected: '"response", "link" or "class"',
        received: describeReceived(type),
      });
    if (type === 'class' && family.name !== 'binomial')
      throw new ValidationError('Class predictions of a model that is not binomial', {
        expected: `type "response" or "link" for the ${family.name} family`,
        received: '"class"',
      });
    if (family === gaussian) {
      if (options.offset !== undefined)
        throw new ValidationError('An offset with the gaussian family', {
          task: options.task,
          expected: 'no offset (offsets are on the link scale of binomial or poisson)',
          received: 'an offset per row',
        });
      if (this.options.logTarget && type !== 'link')
        for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]);
      this.checkPredictions(out, rows, Xs, options.task);
      return out;
    }
    const offset = options.offset;
    if (offset !== undefined) {
      if (offset.length !== out.length)
        throw new ValidationError('An offset of the wrong length', {
          task: options.task,
          column: 'offset',
          expected: `one offset per row (${out.length})`,
          received: `${offset.length} values`,
        });
      for (let i = 0; i < out.length; i++) {
        if (!Number.isFinite(offset[i]))
          throw new ValidationError('An offset that is not finite', {
            task: options.task,
            row: i + 1,
            column: 'offset',
            expected: 'a finite offset (the log of a positive exposure)',
            received: String(offset[i]),
          });
        out[i] += offset[i];
      }
    }
    if (type !== 'link') for (let i = 0; i < out.length; i++) out[i] = family.linkinv(out[i]);
    if (type === 'class') for (let i = 0; i < out.length; i++) out[i] = out[i] >= 0.5 ? 1 : 0;
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

  /**
   * The family's metrics per task and overall on a dataset with fitted tasks and the same features
   * (gaussian: RMSE, MAE, R²; binomial: log loss, Brier, AUC, accuracy; poisson: mean deviance,
   * RMSE); the dataset's row weights weigh them and its offsets enter the predictions.
   */
  evaluate(dataset: MultiTaskDataset): Evaluation {
    const s = this.s;
    checkDataset(dataset, 'dataset');
    if (dataset.numFeatures !== s.featureNames.length) checkFeatureCount(dataset, s.featureNames);
    const family = this.family;
    checkFamilyTarget(family, dataset, 'evaluation');
    return evaluatePredictions(
      dataset,
      (t) =>
        this.predict(t.X, {
          task: t.name,
          ...(t.offset !== undefined ? { offset: t.offset } : {}),
        }),
      family,
    );
  }

  /** R² over all rows of a dataset (binomial, poisson: D², the share of the null deviance explained). */
  score(dataset: MultiTaskDataset): number {
    const overall = this.evaluate(dataset).overall;
    return this.family === gaussian ? overall.r2 : (overall.d2 as number);
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

function checkFitOptions(learner: string, fitOptions: unknown): void {
  if (fitOptions === undefined || fitOptions === null) return;
  if (typeof fitOptions !== 'object' || Array.isArray(fitOptions))
    throw new ValidationError(`Invalid fit options for ${learner}`, {
      expected: 'an object',
      received: describeReceived(fitOptions),
    });
  for (const key of Object.keys(fitOptions))
    if (!FIT_OPTION_NAMES.includes(key))
      throw new ValidationError(`Unknown fit option ${key} for ${learner}`, {
        expected: `one of ${FIT_OPTION_NAMES.join(', ')}`,
        received: JSON.stringify(key),
        fix: 'Pass learner settings to the constructor; fit takes the data and these options only',
      });
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

/**
 * Mean validation RMSE across tasks of standardised predictions, in the units of y (with row
 * weights, of the per-task weighted RMSE).
 */
export function validationRmse(
  validation: StandardizedTasks,
  predict: (r: number, X: Float64Array) => Float64Array,
  yScale: number,
): number {
  const preds = validation.X.map((X, r) => predict(r, X));
  const w = validation.weights;
  if (w === undefined) return meanTaskRmse(validation.y, preds) * yScale;
  let s = 0;
  let k = 0;
  validation.y.forEach((y, r) => {
    if (y.length === 0) return;
    s += metrics(y, preds[r], w[r]).rmse;
    k++;
  });
  return (s / k) * yScale;
}

/**
 * The validation score of a family: gaussian, {@link validationRmse}; binomial and poisson, the
 * mean across tasks of each task's (row-weighted) mean deviance, from predictions on the link
 * scale without the offset (`predict` gives xᵀβ + c; the validation rows' offsets are added here).
 */
export function validationScore(
  family: Family,
  validation: StandardizedTasks,
  predict: (r: number, X: Float64Array) => Float64Array,
  yScale: number,
): number {
  if (family === gaussian) return validationRmse(validation, predict, yScale);
  const mus = validation.X.map((X, r) => {
    const eta = predict(r, X);
    const o = validation.offsets?.[r];
    return Float64Array.from(eta, (v, i) => family.linkinv(o ? v + o[i] : v));
  });
  return meanTaskDeviance(family, validation.y, mus, validation.weights ?? null);
}
