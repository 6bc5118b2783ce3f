// λ chosen by validation with K folds: the path point with the lowest validation RMSE averaged over
// the folds (the grid is a fixed ratio of each fold's λ_max), and the refit on all rows at that
// point — before, each fold chose its own λ and the refit chose again by the BIC.
import { wasmBackend } from '@hetmtl/backend-wasm';
import { simulateFactor } from '@hetmtl/data';
import { countTensors, Random, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DualEncoderRegressor } from '../regressor.js';
import type { PathRow } from '../types.js';
import { pathByFolds } from './select.js';

beforeAll(async () => {
  await useBackend(wasmBackend());
});

const row = (validationRmse: number): PathRow => ({ lambda: 0, validationRmse, numGroups: 1 });

describe('pathByFolds', () => {
  it('is the argmin over points of the mean over folds of RMSE × y scale (brute force)', () => {
    const rng = new Random(5);
    for (let trial = 0; trial < 50; trial++) {
      const K = 2 + (trial % 4);
      const n = 3 + (trial % 7);
      const runs = Array.from({ length: K }, () => ({
        ySd: 0.5 + rng.uniform(),
        path: Array.from({ length: n }, () => row(rng.uniform())),
      }));
      let point = -1;
      let score = Number.POSITIVE_INFINITY;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (const r of runs) s += r.path[j].validationRmse * r.ySd;
        if (s / K < score) [point, score] = [j, s / K];
      }
      const got = pathByFolds(runs);
      expect(got?.point).toBe(point);
      expect(got?.score).toBeCloseTo(score, 12);
    }
  });

  it('is null when the folds’ paths differ in length', () => {
    expect(
      pathByFolds([
        { ySd: 1, path: [row(1), row(2)] },
        { ySd: 1, path: [row(1)] },
      ]),
    ).toBe(null);
  });
});

describe('lambdaSelection: validation with K folds', () => {
  it('scores the candidate by the fold-averaged path and reports that path', async () => {
    const sim = simulateFactor({ seed: 3, numTasks: 4, n: 30, p: 8, testRows: 5 });
    const before = countTensors();
    const options = {
      K0: 3,
      K1: 1,
      maxRounds: 3,
      stepsPerBlock: 5,
      numLambdas: 8,
      selection: { folds: 3, linearFloor: false, trunk: false },
      seed: 2,
    } as const;
    const m = await new DualEncoderRegressor({ ...options, lambdaSelection: 'validation' }).fit(
      sim.train,
    );
    const chosen = m.candidates().find((c) => c.chosen);
    const path = m.lambdaPath();
    const best = path.reduce((a, b, j) => (b.validationRmse < path[a].validationRmse ? j : a), 0);
    expect(chosen?.validationRmse).toBeCloseTo(path[best].validationRmse, 12);
    expect(chosen?.lambda).toBe(path[best].lambda);
    expect(chosen?.numGroups).toBe(path[best].numGroups);
    m.dispose();
    expect(countTensors()).toBe(before);
  });
});
