// The estimator contract, the same suite as the baselines' (@hetmtl/testing): options stored and
// unknown ones rejected, NotFittedError before fit, fit returns the model, predictions, score =
// pooled R², input errors at their place, same seed → same predictions, save → load, refused
// documents, no tensor leaks. The model runs on the estimator skeleton of @hetmtl/estimator.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { simulateFactor, trainTestSplit } from '@hetmtl/data';
import { useBackend } from '@hetmtl/tensor';
import { describeEstimatorConformance } from '@hetmtl/testing/vitest';
import { beforeAll } from 'vitest';
import { DualEncoderRegressor } from './regressor.js';

const quick = { maxRounds: 3, stepsPerBlock: 5, numLambdas: 6 } as const;
const sim = simulateFactor({ seed: 12, numTasks: 3, n: 40, p: 6, testRows: 2 });
const { train, test } = trainTestSplit(sim.train, { test: 0.25, seed: 1 });

beforeAll(async () => {
  await useBackend(cpuBackend());
});

for (const [name, extra] of [
  ['DualEncoderRegressor (dual encoder only)', { selection: { linearFloor: false, trunk: false } }],
  ['DualEncoderRegressor (with the linear floor)', {}],
] as const) {
  describeEstimatorConformance(
    {
      name,
      make: (o = {}) => new DualEncoderRegressor({ ...quick, ...extra, ...o }),
      fromJSON: (json) => DualEncoderRegressor.fromJSON(json),
      train,
      test,
    },
    {
      stored: { seed: 3, validationFraction: 0.25 },
      corrupt: (doc) => {
        const d = doc as {
          dual: { beta?: number[][] } | null;
          linear: { beta: number[][] } | null;
        };
        if (d.dual) d.dual.beta?.[0]?.pop();
        else d.linear?.beta[0]?.pop();
        return doc;
      },
    },
  );
}
