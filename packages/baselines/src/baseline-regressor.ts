import {
  decodeNumber,
  Estimator,
  type EstimatorDocument,
  type EstimatorFitOptions,
  type EstimatorProgress,
  type EstimatorSelection,
  type FitContext as EstimatorFitContext,
  encodeNumber,
  type JsonNumber,
  type FamilyName,
  familyOf,
  type Selected as EstimatorSelected,
} from '@hetmtl/estimator';
import { option } from './input-checks.js';

export { type Evaluation, validationRmse } from '@hetmtl/estimator';

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
  /**
   * Fit log y and predict exp of the fitted log (the conditional median on the original scale), for
   * a positive, right-skewed response. Default false.
   */
  readonly logTarget?: boolean;
  /**
   * The response family: `gaussian` (default), `binomial` (0/1 target, logit link) or `poisson`
   * (counts, log link, offsets). The ridge and mean-regularised learners fit all three; the others
   * refuse the last two.
   */
  readonly family?: FamilyName;
}

export interface ResolvedCommonOptions {
  readonly validationFraction: number;
  readonly refit: boolean;
  readonly seed: number;
  readonly logTarget: boolean;
  readonly family: FamilyName;
}

export const COMMON_OPTION_NAMES = [
  'validationFraction',
  'refit',
  'seed',
  'logTarget',
  'family',
] as const;

export function resolveCommonOptions(o: CommonOptions): ResolvedCommonOptions {
  return {
    validationFraction: option.fraction('validationFraction', o.validationFraction, 0.2),
    refit: option.boolean('refit', o.refit, true),
    seed: option.seed(o.seed),
    logTarget: option.boolean('logTarget', o.logTarget, false),
    family: o.family === undefined ? 'gaussian' : familyOf(o.family).name,
  };
}

/** The common options as saved (logTarget and family only when set, so older documents read the same). */
export function commonOptionsToJSON(o: ResolvedCommonOptions): Record<string, unknown> {
  return {
    validationFraction: o.validationFraction,
    refit: o.refit,
    seed: o.seed,
    ...(o.logTarget ? { logTarget: true } : {}),
    ...(o.family !== 'gaussian' ? { family: o.family } : {}),
  };
}

export interface BaselineProgress extends EstimatorProgress {
  readonly lambda?: number;
  readonly epoch?: number;
  /** Mean validation RMSE across tasks, in the units of y. */
  readonly validationRmse?: number;
  /** binomial, poisson: mean validation deviance across tasks. */
  readonly validationDeviance?: number;
}

/**
 * Validation rows (same tasks in the same order, same features) for choosing λ or the stopping
 * epoch, default: a stratified share (`validationFraction`) of the training rows; an abort signal;
 * a progress callback.
 */
export type BaselineFitOptions = EstimatorFitOptions<BaselineProgress>;

/** How the fitted setting was chosen. */
export interface Selection extends EstimatorSelection {
  /** The chosen λ (linear learners). */
  readonly lambda?: number;
  /** The validation score at every λ tried (linear learners): RMSE (gaussian) or mean deviance (binomial, poisson). */
  readonly path?: readonly PathPoint[];
  /** The epoch with the best validation loss (neural learners: one per task for the per-task MLP, else one). */
  readonly bestEpochs?: readonly number[];
  /** Epochs run before early stopping (neural learners). */
  readonly epochs?: number;
}

/** One λ of a linear learner's path and its validation score (RMSE for gaussian, mean deviance otherwise). */
export interface PathPoint {
  readonly lambda: number;
  readonly validationRmse?: number;
  readonly validationDeviance?: number;
}

interface SelectionJSON {
  readonly validationRmse: number | null;
  readonly validationDeviance?: number;
  readonly lambda?: JsonNumber;
  readonly path?: { lambda: JsonNumber; validationRmse?: number; validationDeviance?: number }[];
  readonly bestEpochs?: number[];
  readonly epochs?: number;
  readonly refitted: boolean;
  readonly notes?: string[];
}

/** The JSON document of a fitted learner (`toJSON`). */
export type BaselineDocument = EstimatorDocument<SelectionJSON>;

/** What a learner's selection step returns: the model fitted on the training part, and what it chose. */
export type Selected<M> = EstimatorSelected<M, Selection>;

/** What the fit template hands to a learner. */
export type FitContext = EstimatorFitContext<BaselineProgress>;

function pointScores(q: {
  validationRmse?: number | undefined;
  validationDeviance?: number | undefined;
}) {
  return {
    ...(typeof q.validationRmse === 'number' ? { validationRmse: q.validationRmse } : {}),
    ...(typeof q.validationDeviance === 'number'
      ? { validationDeviance: q.validationDeviance }
      : {}),
  };
}

function selectionToJSON(sel: Selection): SelectionJSON {
  return {
    validationRmse: sel.validationRmse,
    ...(sel.validationDeviance !== undefined ? { validationDeviance: sel.validationDeviance } : {}),
    ...(sel.lambda !== undefined ? { lambda: encodeNumber(sel.lambda) } : {}),
    ...(sel.path
      ? {
          path: sel.path.map((q) => ({
            lambda: encodeNumber(q.lambda),
            ...pointScores(q),
          })),
        }
      : {}),
    ...(sel.bestEpochs ? { bestEpochs: [...sel.bestEpochs] } : {}),
    ...(sel.epochs !== undefined ? { epochs: sel.epochs } : {}),
    refitted: sel.refitted,
    ...(sel.notes ? { notes: [...sel.notes] } : {}),
  };
}

function selectionFromJSON(raw: unknown): Selection {
  const sel = (raw ?? {}) as SelectionJSON;
  return {
    validationRmse: typeof sel.validationRmse === 'number' ? sel.validationRmse : null,
    ...(typeof sel.validationDeviance === 'number'
      ? { validationDeviance: sel.validationDeviance }
      : {}),
    ...(sel.lambda !== undefined ? { lambda: decodeNumber(sel.lambda, 'selection.lambda') } : {}),
    ...(Array.isArray(sel.path)
      ? {
          path: sel.path.map((q) => ({
            lambda: decodeNumber(q.lambda, 'selection.path'),
            ...pointScores(q),
          })),
        }
      : {}),
    ...(Array.isArray(sel.bestEpochs) ? { bestEpochs: [...sel.bestEpochs] } : {}),
    ...(typeof sel.epochs === 'number' ? { epochs: sel.epochs } : {}),
    refitted: sel.refitted === true,
    ...(Array.isArray(sel.notes) ? { notes: sel.notes.map(String) } : {}),
  };
}

/**
 * The estimator contract shared by every learner (the contract of `DualEncoderRegressor`), on the
 * skeleton of `@hetmtl/estimator`: the constructor validates and stores options; `fit`
 * standardises features and target with pooled training statistics, chooses its setting on
 * validation rows (the model's split: the same seed gives the same validation rows), refits on all
 * rows, and returns the learner; `predict`, `evaluate` and `score` refuse an unfitted learner;
 * `toJSON` / `fromJSON` round-trip a fitted learner through a versioned document.
 */
export abstract class BaselineRegressor<M, O extends ResolvedCommonOptions> extends Estimator<
  M,
  O,
  Selection,
  BaselineProgress,
  BaselineDocument
> {
  protected get documentVersion(): number {
    return BASELINE_VERSION;
  }

  protected override selectionToJSON(selection: Selection): SelectionJSON {
    return selectionToJSON(selection);
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
    return Estimator.restoreEstimator<L, M, Selection>(json, {
      format,
      version: BASELINE_VERSION,
      learner,
      formatFix: 'Load it with the class that saved it (loadBaseline picks it from the format tag)',
      create,
      readModel,
      readSelection: selectionFromJSON,
    });
  }
}
