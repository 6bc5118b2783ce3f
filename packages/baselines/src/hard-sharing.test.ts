import { cpuBackend } from '@hetmtl/backend-cpu';
import { fromTaskArrays, trainTestSplit } from '@hetmtl/data';
import { Random, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { HardSharingRegressor } from './hard-sharing.js';
import { MlpRegressor } from './mlp-regressor.js';
import { makeTasks } from './test-fixtures/linear-data.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

describe('HardSharingRegressor', () => {
  it('with one task is an MLP: the same weights give the same predictions, and both fit a linear target', async () => {
    const { data } = makeTasks({ sizes: [90], p: 3, seed: 41, noise: 0 });
    const { train, test } = trainTestSplit(data, { test: 0.25, seed: 2 });
    const opts = {
      hidden: [8],
      maxEpochs: 800,
      patience: 800,
      learningRate: 0.03,
      weightDecay: 0,
    } as const;
    const mlpModel = await new MlpRegressor(opts).fit(train);
    const shared = await new HardSharingRegressor(opts).fit(train);
    const X = test.task(0).X as Float64Array;
    // Hard sharing's trunk + head are the MLP's hidden and output layers: move the MLP's weights over.
    const mlpDoc = JSON.parse(JSON.stringify(mlpModel));
    const sharedDoc = JSON.parse(JSON.stringify(shared));
    const [hiddenLayer, outputLayer] = mlpDoc.model.layers[0];
    const transplanted = HardSharingRegressor.fromJSON({
      ...sharedDoc,
      preprocessing: mlpDoc.preprocessing,
      model: { trunk: [hiddenLayer], heads: [outputLayer] },
    });
    expect(Array.from(transplanted.predict(X, { task: 't1' }))).toEqual(
      Array.from(mlpModel.predict(X, { task: 't1' })),
    );
    // Trained from their own initial weights, both reach near-zero error.
    const sd = Math.sqrt(
      test
        .task(0)
        .y.reduce((s, v, _, a) => s + (v - a.reduce((x, y) => x + y, 0) / a.length) ** 2, 0) /
        test.task(0).n,
    );
    expect(shared.evaluate(test).overall.rmse).toBeLessThan(0.05 * sd);
    expect(mlpModel.evaluate(test).overall.rmse).toBeLessThan(0.05 * sd);
  });

  it('learns a shared nonlinear feature with task-specific heads', async () => {
    // y_r = a_r·tanh(x₁ + x₂) + c_r: one shared feature, very different task weights.
    const rng = new Random(42);
    const a = [2, -1.5, 0.5, 3];
    const list = a.map((ar, r) => {
      const n = 60;
      const X = new Float64Array(n * 2);
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        X[2 * i] = rng.normal();
        X[2 * i + 1] = rng.normal();
        y[i] = ar * Math.tanh(X[2 * i]! + X[2 * i + 1]!) + r;
      }
      return { name: `t${r}`, X, y };
    });
    const ds = fromTaskArrays(list);
    const { train, test } = trainTestSplit(ds, { test: 0.25, seed: 1 });
    const m = await new HardSharingRegressor({
      hidden: [16],
      activation: 'tanh',
      maxEpochs: 800,
      patience: 100,
      learningRate: 0.02,
    }).fit(train);
    const ev = m.evaluate(test);
    expect(ev.overall.r2).toBeGreaterThan(0.97);
    expect(m.selection.refitted).toBe(true);
  });

  it('needs at least one shared hidden layer', () => {
    expect(() => new HardSharingRegressor({ hidden: [] })).toThrow(
      /Invalid option hidden: expected an array of at least 1 positive integers/,
    );
  });
});
