import {
  checkDataset,
  checkSameShape,
  combineDatasets,
  type FeatureRows,
  type Metrics,
  meanTaskRmse,
  metrics,
  type MultiTaskDataset,
  Standardizer,
  type StandardizerJSON,
  type StandardisedTasks as TaskArrays,
  standardiseTasks,
  taskIndexOf,
  toRowMajor,
  trainTestSplit,
} from '@hetmtl/data';
import { throwIfAborted } from '@hetmtl/optimizer';
import {
  describeReceived,
  NotFittedError,
  Random,
  SerializationError,
  ValidationError,
} from '@hetmtl/tensor';
import { option } from './input-checks.js';
import { decodeNumber, encodeNumber, type JsonNumber } from './json-numbers.js';

/** The version of every document this package writes. */
export const BASELINE_VERSION = 1;

/** Options every learner of this package takes. */
export interface CommonOptions {
  /**
   * Share of each task's rows held out (stratified by task) to choose λ or the stopping epoch when
   * `fit` gets no `validation` set. Default 0.2.
   */
  readonly validationFraction?: number;
  /** After selection, refit on training + validation rows with the chosen setting. Default true. */
  readonly refit?: boolean;
  /** One seed determines the validation split and every initial weight. Default 0. */
  readonly seed?: number;
}

export interface ResolvedCommonOptions {
  readonly validationFraction: number;
  readonly refit: boolean;
  readonly seed: number;
}

export const COMMON_OPTION_NAMES = ['validationFraction', 'refit', 'seed'] as const;

export function resolveCommonOptions(o: CommonOptions): ResolvedCommonOptions {
  return {
    validationFraction: option.fraction('validationFraction', o.validationFraction, 0.2),
    refit: option.boolean('refit', o.refit, true),
    seed: option.seed(o.seed),
  };
}

export interface BaselineProgress {
  readonly phase: 'selection' | 'refit' | 'done';
  /** Rough share of the fit done, in [0, 1]. */
  readonly fraction: number;
  readonly lambda?: number;
  readonly epoch?: number;
  /** Mean validation RMSE across tasks, in the units of y. */
  readonly validationRmse?: number;
}

export interface BaselineFitOptions {
  /**
   * Validation rows (same tasks in the same order, same features) for choosing λ or the stopping
   * epoch; default: a stratified share (`validationFraction`) of the training rows.
   */
  readonly validation?: MultiTaskDataset;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: BaselineProgress) => void;
}

export interface Evaluation {
  readonly overall: Metrics;
  readonly tasks: Readonly<Record<string, Metrics>>;
  /** Mean of the per-task RMSE. */
  readonly meanTaskRmse: number;
}

/** How the fitted setting was chosen. */
export interface Selection {
  /** Mean validation RMSE across tasks (units of y) at the chosen setting; null when nothing was chosen on validation rows. */
  readonly validationRmse: number | null;
  /** The chosen λ (linear learners). */
  readonly lambda?: number;
  /** Validation RMSE at every λ tried (linear learners). */
  readonly path?: readonly { readonly lambda: number; readonly validationRmse: number }[];
  /** The epoch with the best validation loss (neural learners: one per task for the per-task MLP, else one). */
  readonly bestEpochs?: readonly number[];
  /** Epochs run before early stopping (neural learners). */
  readonly epochs?: number;
  /** Whether the final model was refitted on training + validation rows. */
  readonly refitted: boolean;
  /** Caveats of the fit, e.g. an iteration cap reached (absent when there are none). */
  readonly notes?: readonly string[];
}

interface SelectionJSON {
  readonly validationRmse: number | null;
  readonly lambda?: JsonNumber;
  readonly path?: { lambda: JsonNumber; validationRmse: number }[];
  readonly bestEpochs?: number[];
  readonly epochs?: number;
  readonly refitted: boolean;
  readonly notes?: string[];
}

/** The JSON document of a fitted learner (`toJSON`). */
export interface BaselineDocument {
  readonly format: string;
  readonly version: number;
  readonly options: Record<string, unknown>;
  readonly taskNames: string[];
  readonly featureNames: string[];
  readonly preprocessing: StandardizerJSON;
  readonly selection: SelectionJSON;
  readonly model: unknown;
}

interface FittedState<M> {
  readonly taskNames: readonly string[];
  readonly featureNames: readonly string[];
  readonly standardizer: Standardizer;
  readonly model: M;
  readonly selection: Selection;
}

/** What a learner's selection step returns: the model fitted on the training part, and what it chose. */
export interface Selected<M> {
  readonly model: M;
  readonly selection: Omit<Selection, 'refitted'>;
}

/** What the fit template hands to a learner. */
export interface FitContext {
  readonly signal: AbortSignal | undefined;
  /** Seed of the initial weights (the same in the selection fit and the refit). */
  readonly initSeed: number;
  /** The pooled standard deviation of y on the training part: multiplies standardised RMSE into units of y. */
  readonly yScale: number;
  /** Progress within the current phase (selection or refit): `fraction` in [0, 1] of that phase. */
  readonly report: (event: Omit<BaselineProgress, 'phase'>) => void;
  /** Records a caveat of the fit (an iteration cap reached, …), kept in `selection.notes`. */
  readonly note: (message: string) => void;
}

/**
 * The estimator contract shared by every learner (the contract of `DualEncoderRegressor`): the
 * constructor validates and stores options; `fit` standardises features and target with pooled
 * training statistics, chooses its setting on validation rows, refits on all rows, and returns the
 * learner; `predict`, `evaluate` and `score` refuse an unfitted learner; `toJSON` / `fromJSON`
 * round-trip a fitted learner through a versioned document.
 */
export abstract class BaselineRegressor<M, O extends ResolvedCommonOptions> {
  readonly options: Readonly<O>;
  protected state: FittedState<M> | null = null;

  protected constructor(options: O) {
    this.options = Object.freeze(options);
  }

  /** The class name, for messages. */
  protected abstract get learner(): string;
  /** The document's format tag, e.g. `hetmtl/ridge-regressor`. */
  protected abstract get format(): string;
  /** Whether fit needs validation rows (a grid of λ, early stopping). */
  protected abstract needsValidation(): boolean;
  /** Fits on the (standardised) training part, choosing the setting on the validation part when there is one. */
  protected abstract select(
    train: TaskArrays,
    validation: TaskArrays | null,
    ctx: FitContext,
  ): Promise<Selected<M>>;
  /** Fits on all rows with the setting chosen by {@link select}. */
  protected abstract refitAll(data: TaskArrays, selected: Selected<M>, ctx: FitContext): Promise<M>;
  /** Predictions of task r for standardised rows (standardised scale). */
  protected abstract predictStandardised(
    model: M,
    task: number,
    X: Float64Array,
    p: number,
  ): Float64Array;
  protected abstract modelToJSON(model: M): unknown;
  /** Options as plain JSON data that the constructor accepts back. */
  protected abstract optionsToJSON(): Record<string, unknown>;

  get fitted(): boolean {
    return this.state !== null;
  }

  protected get s(): FittedState<M> {
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

  /** How the fitted setting was chosen (λ and its validation path, or the early-stopping epochs). */
  get selection(): Selection {
    return this.s.selection;
  }

  /**
   * Learns from a multi-task dataset and returns the learner. On error or abort the learner is left
   * as it was, with no tensors leaked.
   */
  async fit(dataset: MultiTaskDataset, fitOptions: BaselineFitOptions = {}): Promise<this> {
    checkDataset(dataset, 'dataset');
    const { signal, onProgress, validation } = fitOptions ?? {};
    throwIfAborted(signal);
    if (validation !== undefined) checkSameShape(dataset, validation);
    // The model's split: the same seed gives the same validation rows as DualEncoderRegressor.
    const rng = new Random(this.options.seed);
    const splitSeed = rng.seed31();
    const initSeed = rng.seed31();
    let train = dataset;
    let val: MultiTaskDataset | null = null;
    if (this.needsValidation()) {
      if (validation !== undefined) val = validation;
      else {
        const split = trainTestSplit(dataset, {
          test: this.options.validationFraction,
          seed: splitSeed,
        });
        train = split.train;
        val = split.test;
      }
    } else if (validation !== undefined) train = combineDatasets(dataset, validation);
    const refit = val !== null && this.options.refit;
    const st = new Standardizer().fit(train);
    const yScale = st.targetScaling().scale;
    const share = refit ? 0.8 : 1;
    let phase: 'selection' | 'refit' = 'selection';
    const notes: string[] = [];
    const ctx: FitContext = {
      signal,
      initSeed,
      yScale,
      note: (message) => {
        if (!notes.includes(message)) notes.push(message);
      },
      report: (e) =>
        onProgress?.({
          ...e,
          phase,
          fraction: phase === 'selection' ? share * e.fraction : share + (1 - share) * e.fraction,
        }),
    };
    const tr = standardiseTasks(train, st);
    const selected = await this.select(
      tr,
      val ? standardiseTasks(val, st, train.taskNames) : null,
      ctx,
    );
    let model = selected.model;
    let standardizer = st;
    if (refit && val) {
      throwIfAborted(signal);
      phase = 'refit';
      const all = combineDatasets(train, val);
      standardizer = new Standardizer().fit(all);
      model = await this.refitAll(standardiseTasks(all, standardizer), selected, ctx);
    }
    this.releaseModel();
    this.state = {
      taskNames: [...dataset.taskNames],
      featureNames: [...dataset.featureNames],
      standardizer,
      model,
      selection: { ...selected.selection, refitted: refit, ...(notes.length > 0 ? { notes } : {}) },
    };
    onProgress?.({ phase: 'done', fraction: 1 });
    return this;
  }

  /** Predictions for rows of one fitted task, in the units of y. */
  predict(X: FeatureRows, options: { readonly task: string }): Float64Array {
    const s = this.s;
    const r = this.taskIndexOf(options?.task);
    const p = s.featureNames.length;
    const Xs = s.standardizer.transformX(toRowMajor(X, p, options.task));
    return s.standardizer.inverseTransformY(this.predictStandardised(s.model, r, Xs, p));
  }

  /** Per-task and overall RMSE, MAE and R² on a dataset with fitted tasks and the same features. */
  evaluate(dataset: MultiTaskDataset): Evaluation {
    const s = this.s;
    checkDataset(dataset, 'dataset');
    if (dataset.numFeatures !== s.featureNames.length) {
      throw new ValidationError('The dataset has a different number of features', {
        expected: `${s.featureNames.length}`,
        received: `${dataset.numFeatures}`,
      });
    }
    const tasks: Record<string, Metrics> = {};
    const ys: Float64Array[] = [];
    const preds: Float64Array[] = [];
    for (const t of dataset.tasks()) {
      const pred = this.predict(t.X, { task: t.name });
      tasks[t.name] = metrics(t.y, pred);
      ys.push(t.y);
      preds.push(pred);
    }
    const allY = concat(ys);
    const allP = concat(preds);
    return { overall: metrics(allY, allP), tasks, meanTaskRmse: meanTaskRmse(ys, preds) };
  }

  /** R² over all rows of a dataset. */
  score(dataset: MultiTaskDataset): number {
    return this.evaluate(dataset).overall.r2;
  }

  /** One versioned JSON document: options, preprocessing, task and feature names, what was chosen, the fitted model. */
  toJSON(): BaselineDocument {
    const s = this.s;
    const sel = s.selection;
    return {
      format: this.format,
      version: BASELINE_VERSION,
      options: this.optionsToJSON(),
      taskNames: [...s.taskNames],
      featureNames: [...s.featureNames],
      preprocessing: s.standardizer.toJSON(),
      selection: {
        validationRmse: sel.validationRmse,
        ...(sel.lambda !== undefined ? { lambda: encodeNumber(sel.lambda) } : {}),
        ...(sel.path
          ? {
              path: sel.path.map((q) => ({
                lambda: encodeNumber(q.lambda),
                validationRmse: q.validationRmse,
              })),
            }
          : {}),
        ...(sel.bestEpochs ? { bestEpochs: [...sel.bestEpochs] } : {}),
        ...(sel.epochs !== undefined ? { epochs: sel.epochs } : {}),
        refitted: sel.refitted,
        ...(sel.notes ? { notes: [...sel.notes] } : {}),
      },
      model: this.modelToJSON(s.model),
    };
  }

  /** Frees what the learner holds; it is unfitted afterwards. */
  dispose(): void {
    this.releaseModel();
    this.state = null;
  }

  /** Frees the fitted model's resources (none for the learners here: fitted state is plain arrays). */
  protected releaseModel(): void {}

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
  protected static restore<L extends BaselineRegressor<M, ResolvedCommonOptions>, M>(
    json: unknown,
    format: string,
    learner: string,
    create: (options: Record<string, unknown>) => L,
    readModel: (raw: unknown, shape: { readonly R: number; readonly p: number }) => M,
  ): L {
    let doc: BaselineDocument;
    try {
      doc = (typeof json === 'string' ? JSON.parse(json) : json) as BaselineDocument;
    } catch (cause) {
      throw new SerializationError('The document is not valid JSON', {
        cause,
        fix: `Pass the text written by JSON.stringify(${lowerFirst(learner)})`,
      });
    }
    if (typeof doc !== 'object' || doc === null || doc.format !== format) {
      throw new SerializationError(`Not a ${learner} document`, {
        expected: `format "${format}"`,
        received: describeReceived((doc as { format?: unknown } | null)?.format),
        fix: 'Load it with the class that saved it (loadBaseline picks it from the format tag)',
      });
    }
    if (doc.version !== BASELINE_VERSION) {
      throw new SerializationError('Unsupported document version', {
        expected: `version ${BASELINE_VERSION}`,
        received: String(doc.version),
        fix: 'Load it with the hetmtl version that saved it',
      });
    }
    const names = (x: unknown) =>
      Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'string');
    if (!names(doc.taskNames) || !names(doc.featureNames)) {
      throw new SerializationError('Corrupt document: task or feature names', {
        expected: 'non-empty arrays of strings taskNames and featureNames',
      });
    }
    try {
      const instance = create((doc.options ?? {}) as Record<string, unknown>);
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
      const model = readModel(doc.model, { R: doc.taskNames.length, p: doc.featureNames.length });
      const sel = (doc.selection ?? {}) as SelectionJSON;
      instance.state = {
        taskNames: [...doc.taskNames],
        featureNames: [...doc.featureNames],
        standardizer,
        model,
        selection: {
          validationRmse: typeof sel.validationRmse === 'number' ? sel.validationRmse : null,
          ...(sel.lambda !== undefined
            ? { lambda: decodeNumber(sel.lambda, 'selection.lambda') }
            : {}),
          ...(Array.isArray(sel.path)
            ? {
                path: sel.path.map((q) => ({
                  lambda: decodeNumber(q.lambda, 'selection.path'),
                  validationRmse: q.validationRmse,
                })),
              }
            : {}),
          ...(Array.isArray(sel.bestEpochs) ? { bestEpochs: [...sel.bestEpochs] } : {}),
          ...(typeof sel.epochs === 'number' ? { epochs: sel.epochs } : {}),
          refitted: sel.refitted === true,
          ...(Array.isArray(sel.notes) ? { notes: sel.notes.map(String) } : {}),
        },
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

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
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

/** Mean validation RMSE across tasks of standardised predictions, in the units of y. */
export function validationRmse(
  validation: TaskArrays,
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
