export {
  BASELINE_VERSION,
  type BaselineDocument,
  type BaselineFitOptions,
  type BaselineProgress,
  BaselineRegressor,
  type CommonOptions,
  type Evaluation,
  type Selection,
} from './baseline-regressor.js';
export { LinearBaseline, type LinearCoefficients } from './linear-baseline.js';
export { DEFAULT_RIDGE_LAMBDAS, RIDGE_FORMAT, RidgeRegressor, type RidgeOptions } from './ridge.js';
export {
  DEFAULT_MEAN_REGULARIZED_LAMBDAS,
  MEAN_REGULARIZED_FORMAT,
  MeanRegularizedRegressor,
  type MeanRegularizedOptions,
} from './mean-regularized.js';
export {
  CENTRE_SHRINKAGE_FORMAT,
  CentreShrinkageRegressor,
  type CentreShrinkageOptions,
} from './centre-shrinkage.js';
export { MLP_FORMAT, MlpRegressor, type MlpOptions } from './mlp-regressor.js';
export {
  HARD_SHARING_FORMAT,
  HardSharingRegressor,
  type HardSharingOptions,
} from './hard-sharing.js';
export { NeuralBaseline, type NeuralOptions } from './neural-baseline.js';
export type { Activation } from './dense-layers.js';
export { type AnyBaseline, loadBaseline } from './load-baseline.js';
