// The GLM dual (glm-dual.ts) on planted groups: binomial tasks in 3 groups of equal β recovered
// (adjusted Rand index ≥ 0.8 on each of 5 seeds at n_r = 300), and the model keeps it among its
// candidates and frees every predictor it does not keep.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { fromTaskArrays } from '@hetmtl/data';
import {
  adjustedRandIndex,
  binomial,
  type StandardizedTasks,
  validationScore,
} from '@hetmtl/estimator';
import { mcp } from '@hetmtl/regularizers';
import { Random, tf, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DualEncoderRegressor } from '../regressor.js';
import { runGlmDual } from './glm-dual.js';
import { trainerConfig } from '../test-fixtures/trainer-config.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

const GROUP_BETA = [
  [1.5, -1, 0.5],
  [-1.2, 1, 0.8],
  [0.2, 0.3, -1.5],
];

/** 6 tasks in 3 groups (labels 0,0,1,1,2,2) of logistic responses; train and validation rows. */
function planted(seed: number, n: number) {
  const rng = new Random(seed);
  const labels = [0, 0, 1, 1, 2, 2];
  const draw = (m: number) => {
    const X: Float64Array[] = [];
    const y: Float64Array[] = [];
    for (const g of labels) {
      const x = rng.normals(m * 3);
      X.push(x);
      y.push(
        Float64Array.from({ length: m }, (_, i) => {
          let eta = 0;
          for (let k = 0; k < 3; k++) eta += x[i * 3 + k] * GROUP_BETA[g][k];
          return rng.uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
        }),
      );
    }
    return { X, y, p: 3 } as StandardizedTasks;
  };
  return { labels, train: draw(n), validation: draw(Math.round(n / 4)) };
}

const config = trainerConfig({ specific: null, K0: 3, K1: 0, mu: 0.1, tau: 1e-3, nu: 1e-4 });

describe('the GLM dual (start encoders, IRLS coefficient block on the λ path)', () => {
  it('recovers 3 planted binomial groups (ARI ≥ 0.8 on 5 seeds, n_r = 300)', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { labels, train, validation } = planted(seed, 300);
      const run = await runGlmDual(config, train, new Random(seed), {
        family: binomial,
        similarity: mcp(),
        numLambdas: 12,
        validation,
        criterion: 'bic',
      });
      const groups = run.path[run.point].groups;
      run.fitted.dispose();
      expect(adjustedRandIndex(labels, groups)).toBeGreaterThanOrEqual(0.8);
      // the path runs from every task its own group to one group
      expect(run.path[0].numGroups).toBe(6);
      expect(run.path[run.path.length - 1].numGroups).toBe(1);
    }
  });

  it('with the encoder phase on the deviance: still ARI ≥ 0.8, test deviance no worse than the PCA start', async () => {
    const log: string[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const { labels, train, validation } = planted(seed, 300);
      const test = planted(seed + 100, 300).train;
      const out: Record<string, { ari: number; dev: number }> = {};
      for (const mode of ['start', 'phase'] as const) {
        const run = await runGlmDual(config, train, new Random(seed), {
          family: binomial,
          similarity: mcp(),
          numLambdas: 12,
          validation,
          criterion: 'bic',
          ...(mode === 'phase'
            ? { encoderPhase: { maxRounds: 30, patience: 3, tolerance: 1e-4 } }
            : {}),
        });
        const groups = run.path[run.point].groups;
        const dev = validationScore(binomial, test, (r, X) => run.fitted.predict(r, X), 1);
        run.fitted.dispose();
        out[mode] = { ari: adjustedRandIndex(labels, groups), dev };
        if (mode === 'phase') expect(run.phase?.rounds).toBeGreaterThan(0);
      }
      log.push(
        `seed ${seed}: ARI ${out.start.ari.toFixed(2)} → ${out.phase.ari.toFixed(2)}, test deviance ${out.start.dev.toFixed(4)} → ${out.phase.dev.toFixed(4)}`,
      );
      expect(out.phase.ari).toBeGreaterThanOrEqual(0.8);
      expect(out.phase.dev).toBeLessThanOrEqual(out.start.dev * 1.01);
    }
    console.log(log.join('\n'));
  });

  it('is a candidate of a binomial model; the model leaks no tensors', async () => {
    const { train } = planted(7, 80);
    const ds = fromTaskArrays(
      Object.fromEntries(
        train.y.map((y, r) => [
          `t${r}`,
          {
            X: Array.from({ length: y.length }, (_, i) =>
              Array.from(train.X[r].subarray(i * 3, i * 3 + 3)),
            ),
            y: Array.from(y),
          },
        ]),
      ),
    );
    const before = tf.memory().numTensors;
    const m = await new DualEncoderRegressor({ family: 'binomial', K0: 3, K1: 1, seed: 2 }).fit(ds);
    expect(m.candidates().map((c) => c.id)).toEqual(['glm-mtl', 'glm-pooled', 'glm-dual']);
    expect(m.summary().note).toMatch(/PCA start/);
    const back = DualEncoderRegressor.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    const X = [[0.1, -0.2, 0.3]];
    expect(Array.from(back.predict(X, { task: 't0' }))).toEqual(
      Array.from(m.predict(X, { task: 't0' })),
    );
    back.dispose();
    m.dispose();
    // selection.linearFloor: false leaves the GLM dual alone
    const alone = await new DualEncoderRegressor({
      family: 'binomial',
      K0: 3,
      K1: 1,
      seed: 2,
      selection: { linearFloor: false },
    }).fit(ds);
    expect(alone.candidates().map((c) => c.id)).toEqual(['glm-dual']);
    expect(alone.summary().kind).toBe('dual');
    alone.dispose();
    // selection.glmEncoderPhase: the candidate's encoders trained on the deviance
    const trained = await new DualEncoderRegressor({
      family: 'binomial',
      K0: 3,
      K1: 1,
      seed: 2,
      maxRounds: 4,
      selection: { linearFloor: false, glmEncoderPhase: true },
    }).fit(ds);
    expect(String(trained.candidates()[0].settings.encoderPhase)).toMatch(/^deviance, \d+ rounds$/);
    expect(trained.summary().note).toMatch(/trained on the deviance/);
    trained.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
