import { MeanRegularizedRegressor, RidgeRegressor } from '@hetmtl/baselines';
import type { FamilyName } from '@hetmtl/estimator';
import { DualEncoderRegressor } from '@hetmtl/model';
import { PythonPeer, peerAvailability } from './python-peer.js';
import type { MethodEntry } from './roster.js';

/**
 * `hetmtl-bench real --family binomial|poisson`'s roster (issue #15): hetmtl with the family, the
 * family's baselines that have a GLM form — per-task and pooled (task intercepts) penalised GLM,
 * mean-regularised GLM — and the xgboost peer with the family's objective (binary:logistic /
 * count:poisson, the offset as base_margin). Centre shrinkage has no GLM form
 * (CentreShrinkageRegressor fits the gaussian family only): it is listed as not run.
 */
export function glmMethods(family: Exclude<FamilyName, 'gaussian'>): readonly MethodEntry[] {
  const name = family === 'binomial' ? 'logistic' : 'Poisson';
  return Object.freeze([
    {
      id: 'hetmtl',
      label: `hetmtl (${family})`,
      kind: 'method',
      make: (seed, quick) =>
        new DualEncoderRegressor({
          family,
          seed,
          jobs: Number(process.env.HETMTL_BENCH_JOBS) || 1,
          ...(quick ? { maxRounds: 1, numLambdas: 4 } : {}),
        }),
    },
    {
      id: 'glm-task',
      label: `single-task ${name}`,
      kind: 'baseline',
      make: (seed) => new RidgeRegressor({ mode: 'per-task', family, seed }),
    },
    {
      id: 'glm-pooled',
      label: `pooled ${name} + task intercepts`,
      kind: 'baseline',
      make: (seed) => new RidgeRegressor({ mode: 'pooled', family, seed }),
    },
    {
      id: 'mean-regularized',
      label: `mean-regularised ${name}`,
      kind: 'baseline',
      make: (seed) => new MeanRegularizedRegressor({ family, seed }),
    },
    {
      id: 'centre-shrinkage',
      label: 'centre shrinkage',
      kind: 'baseline',
      make: () => {
        throw new Error('centre shrinkage has no GLM form');
      },
      available: () => `no ${family} form (CentreShrinkageRegressor fits the gaussian family only)`,
    },
    {
      id: 'xgboost',
      label: `xgboost (${family === 'binomial' ? 'binary:logistic' : 'count:poisson'}, task as a category)`,
      kind: 'baseline',
      make: (seed, quick) => new PythonPeer('xgboost_peer.py', seed, quick, family),
      available: () => peerAvailability(['xgboost', 'pandas', 'numpy']),
    },
  ] satisfies MethodEntry[]);
}
