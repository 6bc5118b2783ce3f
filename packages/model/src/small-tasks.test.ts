// Real data with tiny and constant tasks (issue #11): tasks of one or two rows and a constant-target
// task are fitted, not refused; the λ grid of tasks with one training row each.
import { wasmBackend } from '@hetmtl/backend-wasm';
import { fromTaskArrays, kFoldByTask, simulateFactor, trainTestSplit } from '@hetmtl/data';
import { countTensors, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { DualEncoderRegressor } from './regressor.js';
import { holdOutSplit, kFoldSplits } from '@hetmtl/estimator';

const quick = { maxRounds: 3, stepsPerBlock: 5, numLambdas: 8 } as const;

beforeAll(async () => {
  await useBackend(wasmBackend());
});

/** Six simulated tasks of 40 rows, plus a 1-row task, a 2-row task and a constant-target task. */
function tinyTasks() {
  const p = 8;
  const sim = simulateFactor({ seed: 1, numTasks: 6, n: 40, p, testRows: 5 });
  const tasks: Record<string, { X: Float64Array; y: Float64Array }> = {};
  for (const t of sim.train.tasks()) tasks[t.name] = { X: t.X as Float64Array, y: t.y };
  const x0 = sim.train.task(0).X as Float64Array;
  tasks.one = { X: x0.slice(0, p), y: Float64Array.from([3]) };
  tasks.two = { X: x0.slice(p, 3 * p), y: Float64Array.from([1, 2]) };
  tasks.flat = { X: x0.slice(3 * p, 13 * p), y: new Float64Array(10).fill(7) };
  return fromTaskArrays(tasks, { constantTarget: 'allow' });
}

describe('tiny and constant tasks', () => {
  it('the model splits keep a training row per task and match @hetmtl/data where it splits', async () => {
    const ds = tinyTasks();
    const one = ds.taskIndex('one');
    const two = ds.taskIndex('two');
    const h = holdOutSplit(ds, 0.2, 7);
    expect(h.train[one]).toEqual(Int32Array.from([0]));
    expect(h.validation[one]).toHaveLength(0);
    expect(h.train[two]).toHaveLength(1);
    expect(h.validation[two]).toHaveLength(1);
    for (const f of kFoldSplits(ds, 5, 7)) {
      expect(f.train[one]).toEqual(Int32Array.from([0]));
      expect(f.validation[one]).toHaveLength(0);
      ds.sizes.forEach((n, r) => {
        expect(f.train[r].length).toBeGreaterThan(0);
        expect(f.train[r].length + f.validation[r].length).toBe(n);
      });
    }
    // Every row of a task of ≥ 2 rows is validated exactly once over the folds.
    const seen = kFoldSplits(ds, 5, 7).flatMap((f) => Array.from(f.validation[two]));
    expect(seen.sort()).toEqual([0, 1]);
    // Where @hetmtl/data's splits accept the data, the model's are the same rows.
    const big = simulateFactor({
      seed: 3,
      numTasks: 4,
      n: [9, 12, 30, 7],
      p: 6,
      testRows: 1,
    }).train;
    const tt = trainTestSplit(big, { test: 0.2, seed: 11 });
    const mine = holdOutSplit(big, 0.2, 11);
    expect(mine.train).toEqual(tt.indices.train);
    expect(mine.validation).toEqual(tt.indices.test);
    const kf = kFoldByTask(big, { k: 5, seed: 11 });
    kFoldSplits(big, 5, 11).forEach((f, i) => {
      expect(f.train).toEqual(kf[i]?.indices.train);
      expect(f.validation).toEqual(kf[i]?.indices.validation);
    });
  });

  for (const [label, options] of [
    ['model selection (linear floor chosen)', {}],
    ['the dual encoder alone', { selection: { linearFloor: false, trunk: false } }],
    ['5 folds', { selection: { folds: 5 } }],
    ['a fixed λ', { lambda: 0.1, selection: { linearFloor: false, trunk: false } }],
  ] as const) {
    it(`fits a 1-row, a 2-row and a constant task: ${label}; finite predictions; no leaks`, async () => {
      const ds = tinyTasks();
      const before = countTensors();
      const m = new DualEncoderRegressor({ seed: 1, ...quick, ...options });
      await m.fit(ds);
      for (const t of ds.tasks()) {
        const pred = m.predict(t.X as Float64Array, { task: t.name });
        expect(pred.every(Number.isFinite)).toBe(true);
      }
      const c = m.coefficients();
      expect([...c.beta.flat(), ...c.gamma.flat(), ...c.intercept].every(Number.isFinite)).toBe(
        true,
      );
      const again = DualEncoderRegressor.fromJSON(JSON.stringify(m));
      expect(again.predict(ds.task('one').X as Float64Array, { task: 'one' })).toEqual(
        m.predict(ds.task('one').X as Float64Array, { task: 'one' }),
      );
      again.dispose();
      const flat = m.predict(ds.task('flat').X as Float64Array, { task: 'flat' });
      if (m.summary().kind === 'linear')
        for (const v of flat) expect(Math.abs(v - 7)).toBeLessThan(0.1);
      else for (const v of flat) expect(Math.abs(v - 7)).toBeLessThan(3);
      m.dispose();
      expect(countTensors()).toBe(before);
    });
  }

  it('tasks of one training row each (every unfused β equal, the λ grid [0]) fit on the path', async () => {
    // 2 rows per task: 2 folds, each training on one row per task (A_r = 0, b_r = 0).
    const sim = simulateFactor({ seed: 1, numTasks: 20, n: 2, p: 10, testRows: 2 });
    const before = countTensors();
    const m = new DualEncoderRegressor({
      seed: 1,
      ...quick,
      selection: { linearFloor: false, trunk: false },
    });
    await m.fit(sim.train);
    expect(m.summary().folds).toBe(2);
    expect(m.evaluate(sim.test).meanTaskRmse).toBeGreaterThan(0);
    expect(Number.isFinite(m.evaluate(sim.test).meanTaskRmse)).toBe(true);
    m.dispose();
    expect(countTensors()).toBe(before);
  });
});
