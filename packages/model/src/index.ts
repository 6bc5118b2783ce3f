export { type ModelDocument, validateModelDocument } from './document.js';
export type { DualEncoderOptions, SelectionOptions } from './options.js';
export {
  type Candidate,
  DualEncoderRegressor,
  type Evaluation,
  type FitOptions,
  type FitProgress,
  MODEL_FORMAT,
  MODEL_VERSION,
  type PathRow,
} from './regressor.js';
