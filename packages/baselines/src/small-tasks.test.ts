import { cpuBackend } from '@hetmtl/backend-cpu';
import { fromTaskArrays, trainTestSplit } from '@hetmtl/data';
import { useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { CentreShrinkageRegressor } from './centre-shrinkage.js';
import { HardSharingRegressor } from './hard-sharing.js';
import { MeanRegularizedRegressor } from './mean-regularized.js';
import { MlpRegressor } from './mlp-regressor.js';
import { RidgeRegressor } from './ridge.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

// Real data have tasks of one or two rows and tasks whose target is constant: every baseline fits
// them (they borrow from the other tasks, or keep their own mean) with finite predictions.
function data() {
  let s = 7;
  const r = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const tasks: Record<string, { X: number[][]; y: number[] }> = {};
  for (let t = 0; t < 4; t++) {
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 30; i++) {
      const a = r();
      const b = r();
      X.push([a, b]);
      y.push(a * t + b + 0.1 * r());
    }
    tasks[`t${t}`] = { X, y };
  }
  tasks.solo = { X: [[0.5, 0.5]], y: [3] };
  tasks.duo = {
    X: [
      [0.1, 0.2],
      [0.3, 0.1],
    ],
    y: [1, 2],
  };
  tasks.flat = {
    X: [
      [0.1, 0.2],
      [0.3, 0.1],
      [0.5, 0.9],
    ],
    y: [7, 7, 7],
  };
  return fromTaskArrays(tasks, { constantTarget: 'allow' });
}

describe('tiny and constant tasks', () => {
  const learners = {
    'per-task ridge': () => new RidgeRegressor({ mode: 'per-task', seed: 1 }),
    'pooled ridge': () => new RidgeRegressor({ mode: 'pooled', seed: 1 }),
    'mean-regularised': () => new MeanRegularizedRegressor({ seed: 1 }),
    'centre shrinkage': () => new CentreShrinkageRegressor({ seed: 1 }),
    // The neural baselines: a task of one training row has no validation row to stop on (it
    // gave "The validation RMSE became NaN at epoch 1" on ScotsSec and Chem97).
    'single-task MLP': () =>
      new MlpRegressor({ mode: 'per-task', seed: 1, hidden: [4], maxEpochs: 30 }),
    'pooled MLP': () => new MlpRegressor({ mode: 'pooled', seed: 1, hidden: [4], maxEpochs: 30 }),
    'hard sharing': () => new HardSharingRegressor({ seed: 1, hidden: [4], maxEpochs: 30 }),
  };
  for (const [name, make] of Object.entries(learners)) {
    it(`${name} fits tasks of 1 and 2 rows and a constant task, predicting finite values`, async () => {
      const ds = data();
      // The validation split keeps a training row in every task; solo has none to spare.
      const split = trainTestSplit(ds, { test: 0.2, seed: 3 });
      expect(split.tasksWithoutTest).toContain('solo');
      const m = make();
      await m.fit(ds);
      for (const t of ds.tasks()) {
        const yhat = m.predict(t.X, { task: t.name });
        expect(Array.from(yhat).every(Number.isFinite)).toBe(true);
      }
      // The constant task is predicted near its constant (its intercept is its own or shrunk).
      const flat = m.predict(ds.task('flat').X, { task: 'flat' });
      for (const v of flat) expect(Math.abs(v - 7)).toBeLessThan(3);
      m.dispose?.();
    });
  }

  it('single-task MLP: a task without validation rows trains for the median best epoch of the others', async () => {
    const ds = data();
    const m = await new MlpRegressor({ mode: 'per-task', seed: 1, hidden: [4], maxEpochs: 30 }).fit(
      ds,
    );
    const epochs = m.selection.bestEpochs as number[];
    const solo = ds.taskIndex('solo');
    const others = epochs.filter((_, r) => r !== solo).sort((a, b) => a - b);
    expect(epochs[solo]).toBe(others[Math.floor((others.length - 1) / 2)]);
    m.dispose();
  });
});
