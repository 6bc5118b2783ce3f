/** One evaluation type for every hetmtl estimator (the model's `evaluate` returns it). */
export type { Evaluation } from '@hetmtl/estimator';
export { type ModelDocument, validateModelDocument } from './document.js';
export type { DualEncoderOptions, SelectionOptions } from './options.js';
export {
  type Candidate,
  DualEncoderRegressor,
  type FitOptions,
  type FitProgress,
  MODEL_FORMAT,
  MODEL_VERSION,
  type PathRow,
} from './regressor.js';
// The stages of one dual-encoder run (method.md §4), for benchmarks and for composing a fit by hand:
// runDual is the sequence fit and refit use; the others are its steps.
export {
  type DualRun,
  type DualRunOptions,
  type DualTiming,
  type EncoderPhaseSettings,
  encoderPhase,
  runDual,
} from './dual/sequence.js';
export { DualTrainer, type TrainerConfig } from './dual/trainer.js';
export { start } from './dual/start.js';
export { encoderBlocks } from './dual/blocks.js';
export { objective, objectiveTensor } from './dual/objective.js';
export { coefficientPath, type PathSettings, type ScoredPoint } from './dual/path.js';
export { type CoefficientProblem, coefficientProblem } from './dual/coefficient-block.js';
export type { FittedDual } from './predictors/dual.js';
