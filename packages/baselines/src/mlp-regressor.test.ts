import { cpuBackend } from '@hetmtl/backend-cpu';
import { Standardizer, trainTestSplit } from '@hetmtl/data';
import { buildEncoder, mlp } from '@hetmtl/encoders';
import { Random, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { layersFromWeights } from './dense-layers.js';
import { MlpRegressor } from './mlp-regressor.js';
import { trainPerTask } from './per-task-training.js';
import { standardizeTasks } from '@hetmtl/estimator';
import { makeTasks } from './test-fixtures/linear-data.js';

const sdOf = (y: ArrayLike<number>) => {
  const m = Array.from(y).reduce((a, b) => a + b, 0) / y.length;
  return Math.sqrt(Array.from(y).reduce((s, v) => s + (v - m) ** 2, 0) / y.length);
};

beforeAll(async () => {
  await useBackend(cpuBackend());
});

describe('MlpRegressor', () => {
  it('per task, reaches near-zero error on a noise-free linear target', async () => {
    const { data } = makeTasks({ sizes: [100, 80], p: 3, seed: 31, noise: 0 });
    const { train, test } = trainTestSplit(data, { test: 0.25, seed: 1 });
    const m = await new MlpRegressor({
      hidden: [8],
      maxEpochs: 1000,
      patience: 1000,
      learningRate: 0.03,
      weightDecay: 0,
    }).fit(train);
    const ev = m.evaluate(test);
    for (const t of test.tasks()) expect(ev.tasks[t.name]!.rmse).toBeLessThan(0.03 * sdOf(t.y));
    expect(ev.overall.r2).toBeGreaterThan(0.999);
  });

  it('early stopping keeps the best epoch: each task ends where its validation RMSE was lowest', async () => {
    // Few noisy rows and a wide network: the validation RMSE turns up, and training stops.
    const { data } = makeTasks({ sizes: [30, 24, 36], p: 6, seed: 32, noise: 2 });
    const { train, test: validation } = trainTestSplit(data, { test: 0.3, seed: 3 });
    const opts = {
      hidden: [32],
      learningRate: 0.01,
      maxEpochs: 600,
      patience: 30,
      refit: false,
      seed: 4,
    } as const;
    const m = await new MlpRegressor(opts).fit(train, { validation });
    const sel = m.selection;
    expect(sel.epochs).toBeLessThan(600);
    expect(sel.bestEpochs).toHaveLength(3);
    expect(Math.min(...sel.bestEpochs!)).toBeGreaterThan(0);
    expect(Math.max(...sel.bestEpochs!)).toBe(sel.epochs! - 30);
    // The restored weights give the best validation RMSE (float32 training, Float64 prediction).
    expect(m.evaluate(validation).meanTaskRmse).toBeCloseTo(sel.validationRmse!, 4);
    // A task trained for exactly its best number of epochs ends with the same weights.
    for (const [r, name] of train.taskNames.entries()) {
      const one = await new MlpRegressor({
        ...opts,
        maxEpochs: Math.max(1, sel.bestEpochs![r]!),
      }).fit(train, { validation });
      const X = validation.task(name).X as Float64Array;
      const a = m.predict(X, { task: name });
      const b = one.predict(X, { task: name });
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it('pooled: one network plus task intercepts fits tasks that differ only in level', async () => {
    const { data } = makeTasks({ sizes: [50, 50, 50], p: 3, seed: 33, noise: 0, spread: 0 });
    const { train, test } = trainTestSplit(data, { test: 0.25, seed: 5 });
    const pooled = await new MlpRegressor({
      mode: 'pooled',
      hidden: [8],
      maxEpochs: 1000,
      patience: 1000,
      learningRate: 0.03,
      weightDecay: 0,
    }).fit(train);
    const ev = pooled.evaluate(test);
    for (const t of test.tasks()) expect(ev.tasks[t.name]!.rmse).toBeLessThan(0.05 * sdOf(t.y));
    expect(pooled.selection.bestEpochs).toHaveLength(1);
    expect(pooled.selection.refitted).toBe(true);
  });

  it('is deterministic for a seed; the refit retrains on all rows for the chosen epochs', async () => {
    const { data } = makeTasks({ sizes: [30, 30], p: 3, seed: 34, noise: 0.5 });
    const opts = { hidden: [8], maxEpochs: 80, patience: 20, seed: 9 } as const;
    const a = await new MlpRegressor(opts).fit(data);
    const b = await new MlpRegressor(opts).fit(data);
    const c = await new MlpRegressor({ ...opts, refit: false }).fit(data);
    const X = data.task(0).X as Float64Array;
    expect(Array.from(a.predict(X, { task: 't1' }))).toEqual(
      Array.from(b.predict(X, { task: 't1' })),
    );
    expect(a.selection.bestEpochs).toEqual(c.selection.bestEpochs);
    expect(a.selection.notes).toBeUndefined();
    // 5 epochs are too few: the notes say so.
    const short = await new MlpRegressor({ ...opts, maxEpochs: 5 }).fit(data);
    expect(short.selection.notes).toEqual([
      expect.stringMatching(
        /reached maxEpochs \(5\) while the validation RMSE was still improving/,
      ),
    ]);
    expect(Array.from(a.predict(X, { task: 't1' }))).not.toEqual(
      Array.from(c.predict(X, { task: 't1' })),
    );
  });
});

describe('per-task training', () => {
  it('dropping finished tasks from the batch does not change any task', async () => {
    const { data } = makeTasks({
      sizes: [20, 30, 25, 40, 22, 35, 28, 26, 31, 24],
      p: 3,
      seed: 35,
      noise: 1.5,
    });
    const { train, test } = trainTestSplit(data, { test: 0.3, seed: 1 });
    const st = new Standardizer().fit(train);
    const enc = buildEncoder(mlp({ hidden: [8] }), {
      inputDim: 3,
      outputDim: 1,
      rng: new Random(3),
      tasks: 10,
    });
    const w = enc.getWeights();
    enc.dispose();
    const base = {
      activation: 'elu',
      train: standardizeTasks(train, st),
      validation: standardizeTasks(test, st),
      keepAt: null,
      maxEpochs: 400,
      patience: 15,
      learningRate: 0.02,
      weightDecay: 1e-4,
      signal: undefined,
    } as const;
    const initial = () => Array.from({ length: 10 }, (_, r) => layersFromWeights(w, r));
    const shrinking = await trainPerTask({ ...base, initial: initial() });
    const whole = await trainPerTask({
      ...base,
      initial: initial(),
      minShrinkBatch: Number.POSITIVE_INFINITY,
    });
    expect(new Set(shrinking.bestEpochs).size).toBeGreaterThan(3); // tasks stop at different epochs
    expect(shrinking.bestEpochs).toEqual(whole.bestEpochs);
    shrinking.layers.forEach((layers, r) =>
      layers.forEach((l, j) => {
        const o = whole.layers[r]![j]!;
        l.W.forEach((v, i) => expect(v).toBeCloseTo(o.W[i]!, 5));
      }),
    );
  });
});
