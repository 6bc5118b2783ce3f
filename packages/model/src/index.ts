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
