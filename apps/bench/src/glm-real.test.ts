// hetmtl-bench real --family: the GLM roster and the table of a binomial / poisson run.
import { describe, expect, it } from 'vitest';
import { glmMethods } from './glm-roster.js';
import { glmMarkdown, type RealResults } from './real.js';

const score = (method: string, logLoss: number, auc: number) => ({
  method,
  rmse: 0.4,
  overall: { n: 10, rmse: 0.4, mae: 0.3, r2: 0.1, logLoss, auc, brier: 0.2, accuracy: 0.6 },
  taskRmse: [0.4],
  meanTaskDeviance: 2 * logLoss,
  taskDeviance: [2 * logLoss],
  seconds: 1,
});

describe('the GLM roster', () => {
  it('has hetmtl, the GLM baselines and xgboost of the family; centre shrinkage is listed as not run', () => {
    const ids = glmMethods('poisson').map((m) => m.id);
    expect(ids).toEqual([
      'hetmtl',
      'glm-task',
      'glm-pooled',
      'mean-regularized',
      'centre-shrinkage',
      'xgboost',
    ]);
    const centre = glmMethods('binomial').find((m) => m.id === 'centre-shrinkage');
    expect(centre?.available?.()).toMatch(/no binomial form/);
    expect(glmMethods('binomial').find((m) => m.id === 'xgboost')?.label).toMatch(
      /binary:logistic/,
    );
  });
});

describe('the table of a binomial run', () => {
  it('marks the best log loss and AUC and counts the splits hetmtl won', () => {
    const r: RealResults = {
      dataset: 'toy',
      command: 'hetmtl-bench real toy.csv --family binomial',
      machine: 'm',
      backend: 'cpu',
      date: '2026-12-02',
      repeats: 2,
      test: 0.3,
      family: 'binomial',
      taskNames: ['a'],
      taskRows: [10],
      numFeatures: 1,
      methods: [
        { id: 'hetmtl', label: 'hetmtl', kind: 'method' },
        { id: 'glm-pooled', label: 'pooled', kind: 'baseline' },
      ],
      splits: [
        [score('hetmtl', 0.5, 0.7), score('glm-pooled', 0.6, 0.8)],
        [score('hetmtl', 0.7, 0.7), score('glm-pooled', 0.6, 0.8)],
      ],
    };
    const md = glmMarkdown(r, 'binomial');
    expect(md).toMatch(
      /\| method \| log loss \| AUC \| Brier \| accuracy \| mean task deviance \|/,
    );
    // hetmtl: mean log loss 0.6 = pooled's 0.6 (both bold); AUC 0.7 < 0.8 (pooled bold).
    expect(md).toMatch(/\| hetmtl \| \*\*0\.600 ± 0\.141\*\* \| 0\.700 ± 0\.000 \|/);
    expect(md).toMatch(/\| pooled \| \*\*0\.600 ± 0\.000\*\* \| \*\*0\.800 ± 0\.000\*\* \|/);
    expect(md).toMatch(/lower test log loss: pooled 1\/2\./);
  });
});
