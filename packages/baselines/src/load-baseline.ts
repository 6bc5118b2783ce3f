import { parseDocument } from '@hetmtl/estimator';
import { describeReceived, SerializationError } from '@hetmtl/tensor';
import { CENTRE_SHRINKAGE_FORMAT, CentreShrinkageRegressor } from './centre-shrinkage.js';
import { HARD_SHARING_FORMAT, HardSharingRegressor } from './hard-sharing.js';
import { MEAN_REGULARIZED_FORMAT, MeanRegularizedRegressor } from './mean-regularized.js';
import { MLP_FORMAT, MlpRegressor } from './mlp-regressor.js';
import { RIDGE_FORMAT, RidgeRegressor } from './ridge.js';

/** Any learner of this package. */
export type AnyBaseline =
  | RidgeRegressor
  | MlpRegressor
  | HardSharingRegressor
  | MeanRegularizedRegressor
  | CentreShrinkageRegressor;

const LOADERS: Readonly<Record<string, (json: unknown) => AnyBaseline>> = {
  [RIDGE_FORMAT]: RidgeRegressor.fromJSON,
  [MLP_FORMAT]: MlpRegressor.fromJSON,
  [HARD_SHARING_FORMAT]: HardSharingRegressor.fromJSON,
  [MEAN_REGULARIZED_FORMAT]: MeanRegularizedRegressor.fromJSON,
  [CENTRE_SHRINKAGE_FORMAT]: CentreShrinkageRegressor.fromJSON,
};

/** Loads any learner's document (or its JSON text), choosing the class from its `format` tag. */
export function loadBaseline(json: unknown): AnyBaseline {
  const doc = parseDocument(json, 'Pass the text written by JSON.stringify(learner)');
  const format = (doc as { format?: unknown } | null)?.format;
  const load = typeof format === 'string' ? LOADERS[format] : undefined;
  if (!load) {
    throw new SerializationError('Not a hetmtl baseline document', {
      expected: `format ${Object.keys(LOADERS)
        .map((f) => `"${f}"`)
        .join(', ')}`,
      received: describeReceived(format),
    });
  }
  return load(doc);
}
