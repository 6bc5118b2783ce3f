import type { Standardizer } from '@hetmtl/data';
import type { EstimatorFitOptions, EstimatorSelection } from '@hetmtl/estimator';
import type { TraceEntry } from '@hetmtl/optimizer';
import type { TaskPredictor } from './predictors/predictor.js';

export interface FitProgress {
  readonly phase: 'encoders' | 'path' | 'linear' | 'refit' | 'done';
  /** 1-based index of the candidate being fitted, and how many there are. */
  readonly candidate: number;
  readonly candidates: number;
  readonly round?: number;
  readonly maxRounds?: number;
  readonly validationRmse?: number;
  /** Rough share of the fit done, in [0, 1]. */
  readonly fraction: number;
}

/** Validation rows (same tasks and features; default: a stratified share of the training rows), an abort signal, a progress callback. */
export type FitOptions = EstimatorFitOptions<FitProgress>;

/** One candidate of model selection, with its validation score. */
export interface Candidate {
  readonly id: string;
  readonly kind: 'dual' | 'linear';
  readonly settings: Readonly<Record<string, number | string>>;
  /** The λ chosen on the path (Infinity: one common β). */
  readonly lambda: number;
  /**
   * Mean validation RMSE across tasks, on the original scale of y (binomial, poisson: the mean
   * validation deviance across tasks — the candidate's validation score, lower is better).
   */
  readonly validationRmse: number;
  /** The validation RMSE of the two-stage start (dual candidates). */
  readonly startValidationRmse?: number;
  /**
   * The validation RMSE at the end of the encoder phase (unfused coefficients), never above the
   * start: the phase keeps its best state. The λ chosen on the path may then trade a little
   * validation RMSE for fewer groups (BIC).
   */
  readonly encoderValidationRmse?: number;
  readonly numGroups: number;
  readonly rounds?: number;
  readonly bestRound?: number;
  /** The chosen candidate (with model averaging, the heaviest component). */
  readonly chosen: boolean;
  /** Its weight in the averaged model (selection.average; 0: not in it). */
  readonly weight?: number;
}

export interface PathRow {
  readonly lambda: number;
  readonly validationRmse: number;
  readonly numGroups: number;
  /** The modified BIC of method.md §5 (dual candidates). */
  readonly bic?: number;
  /** ADMM iterations at this λ (dual candidates; 0 for closed-form points). */
  readonly iterations?: number;
}

/** Per-task and overall metrics (the kit's one evaluation type). */
export type { Evaluation } from '@hetmtl/estimator';

/** The fitted model proper (the estimator skeleton's model): its predictor, λ and task groups. */
export interface FittedModel {
  readonly predictor: TaskPredictor;
  readonly lambda: number;
  readonly groups: number[];
}

/** How the fitted model was chosen (the estimator skeleton's selection). */
export interface ModelSelection extends EstimatorSelection {
  readonly candidates: Candidate[];
  /** The λ path of the chosen candidate (empty after fromJSON). */
  readonly path: PathRow[];
  /** The chosen candidate's encoder-phase trace (empty after fromJSON). */
  readonly trace: readonly TraceEntry[];
  /** Validation folds used in model selection (1: one split or the given validation set). */
  readonly folds: number;
}

/** Everything a fitted model holds (no training data), as one record: what the document stores. */
export interface FittedState
  extends FittedModel,
    Pick<ModelSelection, 'candidates' | 'path' | 'trace' | 'folds'> {
  readonly taskNames: string[];
  readonly featureNames: string[];
  readonly standardizer: Standardizer;
}
