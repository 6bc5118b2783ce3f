// The estimator contract (shared with the model): @hetmtl/testing's estimator conformance suite on
// every baseline — options stored and unknown ones rejected, NotFittedError before fit, fit returns
// the learner, predictions (rows = Float64Array), score = pooled R², input errors at their place, same
// seed → same predictions, save → load, refused documents, no tensor leaks.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { trainTestSplit } from '@hetmtl/data';
import { useBackend } from '@hetmtl/tensor';
import { describeEstimatorConformance } from '@hetmtl/testing/vitest';
import { beforeAll } from 'vitest';
import { CentreShrinkageRegressor } from './centre-shrinkage.js';
import { HardSharingRegressor } from './hard-sharing.js';
import { MeanRegularizedRegressor } from './mean-regularized.js';
import { MlpRegressor } from './mlp-regressor.js';
import { RidgeRegressor } from './ridge.js';
import { makeTasks } from './test-fixtures/linear-data.js';

const quick = { hidden: [8], maxEpochs: 40, patience: 10 } as const;
const { data } = makeTasks({ sizes: [30, 25, 40], p: 4, seed: 51, noise: 0.5 });
const { train, test } = trainTestSplit(data, { test: 0.25, seed: 1 });

beforeAll(async () => {
  await useBackend(cpuBackend());
});

type Options = Record<string, unknown>;
// Breaks the learned part of a saved document, whatever the learner keeps.
const corrupt = (doc: Record<string, unknown>) => {
  const model = doc.model as {
    slopes?: number[][];
    heads?: unknown[];
    trunk?: unknown;
    layers?: { W: number[] }[][];
  };
  if (model.slopes) model.slopes[0]?.pop();
  else if (model.trunk) model.heads?.pop();
  else model.layers?.[0]?.[0]?.W.pop();
  return doc;
};

const subjects = [
  ['RidgeRegressor per-task', (o: Options) => new RidgeRegressor(o), RidgeRegressor],
  [
    'RidgeRegressor pooled',
    (o: Options) => new RidgeRegressor({ mode: 'pooled', ...o }),
    RidgeRegressor,
  ],
  [
    'MeanRegularizedRegressor',
    (o: Options) => new MeanRegularizedRegressor(o),
    MeanRegularizedRegressor,
  ],
  [
    'CentreShrinkageRegressor',
    (o: Options) => new CentreShrinkageRegressor({ numLambdas: 6, ...o }),
    CentreShrinkageRegressor,
  ],
  ['MlpRegressor per-task', (o: Options) => new MlpRegressor({ ...quick, ...o }), MlpRegressor],
  [
    'MlpRegressor pooled',
    (o: Options) => new MlpRegressor({ ...quick, mode: 'pooled', ...o }),
    MlpRegressor,
  ],
  [
    'HardSharingRegressor',
    (o: Options) => new HardSharingRegressor({ ...quick, ...o }),
    HardSharingRegressor,
  ],
] as const;

for (const [name, make, Cls] of subjects) {
  describeEstimatorConformance(
    {
      name,
      make: (o = {}) => make(o as Options),
      fromJSON: (json) => Cls.fromJSON(json as never),
      train,
      test,
    },
    { stored: { seed: 3, validationFraction: 0.25 }, corrupt },
  );
}
