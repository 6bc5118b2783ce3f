// The estimator contract on cpu and wasm: fit / predict / evaluate / groups / save / load / addTask,
// bad input, abort, determinism and tensor leaks. Small simulations keep it quick.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { simulateFactor } from '@hetmtl/data';
import { mlp } from '@hetmtl/encoders';
import {
  countTensors,
  HetmtlError,
  NotFittedError,
  SerializationError,
  useBackend,
  ValidationError,
} from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { DualEncoderRegressor, type FitProgress } from './regressor.js';

const small = (seed = 1) => simulateFactor({ seed, numTasks: 4, n: 60, p: 12, testRows: 40 });
const quick = { maxRounds: 3, stepsPerBlock: 5, numLambdas: 8 } as const;

function errorOf(fn: () => unknown): HetmtlError {
  try {
    fn();
  } catch (e) {
    if (HetmtlError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

for (const [name, plugin] of [
  ['cpu', cpuBackend()],
  ['wasm', wasmBackend()],
] as const) {
  describe(`DualEncoderRegressor on ${name}`, () => {
    it('fits, predicts, evaluates and reports groups, similarity and coefficients; leaks nothing', async () => {
      await useBackend(plugin);
      const before = countTensors();
      const sim = small();
      const events: FitProgress[] = [];
      const m = new DualEncoderRegressor({
        seed: 3,
        ...quick,
        selection: { linearFloor: false, trunk: false },
      });
      expect(m.fitted).toBe(false);
      expect(await m.fit(sim.train, { onProgress: (e) => events.push(e) })).toBe(m);
      expect(m.summary().kind).toBe('dual');
      const t0 = sim.test.task(0);
      const pred = m.predict(t0.X as Float64Array, { task: t0.name });
      expect(pred).toHaveLength(t0.n);
      const ev = m.evaluate(sim.test);
      expect(Object.keys(ev.tasks)).toEqual([...sim.test.taskNames]);
      expect(ev.overall.rmse).toBeCloseTo(
        Math.sqrt(
          Object.values(ev.tasks).reduce((s, t) => s + t.rmse ** 2 * t.n, 0) / ev.overall.n,
        ),
        10,
      );
      expect(ev.overall.r2).toBeGreaterThan(0.3);
      expect(m.score(sim.test)).toBe(ev.overall.r2);
      expect(m.groups().flat().sort()).toEqual([...sim.train.taskNames].sort());
      const S = m.similarity();
      const { beta } = m.coefficients();
      expect(S[0]![1]).toBeCloseTo(Math.hypot(...beta[0]!.map((v, k) => v - beta[1]![k]!)), 12);
      expect(S[2]![2]).toBe(0);
      expect(m.candidates().filter((c) => c.chosen)).toHaveLength(1);
      expect(m.lambdaPath().length).toBeGreaterThan(2);
      expect(events.at(-1)).toMatchObject({ phase: 'done', fraction: 1 });
      expect(events.map((e) => e.fraction)).toEqual(
        [...events.map((e) => e.fraction)].sort((a, b) => a - b),
      );
      m.dispose();
      expect(m.fitted).toBe(false);
      expect(countTensors()).toBe(before);
    });

    it('uses K-fold by task when tasks are small, and refits on all rows', async () => {
      await useBackend(plugin);
      const sim = simulateFactor({ seed: 8, numTasks: 4, n: 30, p: 10, testRows: 40 });
      const m = new DualEncoderRegressor({ seed: 1, ...quick });
      await m.fit(sim.train);
      expect(m.summary().folds).toBe(5);
      expect(m.candidates().every((c) => Number.isFinite(c.validationRmse))).toBe(true);
      expect(m.evaluate(sim.test).overall.r2).toBeGreaterThan(0.2);
      const one = new DualEncoderRegressor({ seed: 1, ...quick, selection: { folds: 1 } });
      await one.fit(sim.train);
      expect(one.summary().folds).toBe(1);
      m.dispose();
      one.dispose();
    });

    it('selects among a grid of K0 and encoder widths (mlp encoders) and reports every candidate', async () => {
      await useBackend(plugin);
      const sim = small(9);
      const m = new DualEncoderRegressor({
        seed: 1,
        ...quick,
        shared: mlp({ hidden: [16], activation: 'tanh' }),
        specific: mlp({ hidden: [8] }),
        selection: { grid: { K0: [2], width: [4] }, average: false },
      });
      await m.fit(sim.train);
      const ids = m.candidates().map((c) => c.id);
      expect(ids).toEqual(['dual', 'dual K0=2', 'dual width=4', 'trunk', 'linear-mtl']);
      expect(m.candidates().find((c) => c.id === 'trunk')?.settings).toMatchObject({
        encoder: 'mlp/none',
        width: '32',
        K1: 0,
        omega: 0,
        heads: 'pooled',
      });
      expect(m.candidates().find((c) => c.id === 'dual width=4')?.settings.width).toBe('4');
      const best = Math.min(...m.candidates().map((c) => c.validationRmse));
      expect(m.candidates().find((c) => c.chosen)?.validationRmse).toBe(best);
      expect(Number.isFinite(m.evaluate(sim.test).overall.rmse)).toBe(true);
      m.dispose();
    });

    it('is deterministic for a seed', async () => {
      await useBackend(plugin);
      const sim = small(2);
      const preds = [];
      for (let k = 0; k < 2; k++) {
        const m = new DualEncoderRegressor({ seed: 5, ...quick });
        await m.fit(sim.train);
        preds.push(
          Array.from(
            m.predict(sim.test.task(1).X as Float64Array, { task: sim.test.taskNames[1]! }),
          ),
        );
        m.dispose();
      }
      expect(preds[0]).toEqual(preds[1]);
    });

    it('save → load → predict gives identical predictions; a wrong version or a corrupt document is a clear error', async () => {
      await useBackend(plugin);
      const sim = small(4);
      for (const linearFloor of [false, true]) {
        const m = new DualEncoderRegressor({
          seed: 1,
          ...quick,
          selection: { linearFloor, trunk: false, average: false },
          ...(linearFloor ? { maxRounds: 0 } : {}),
        });
        await m.fit(sim.train);
        const text = JSON.stringify(m);
        const loaded = DualEncoderRegressor.fromJSON(text);
        for (const t of sim.test.tasks()) {
          expect(Array.from(loaded.predict(t.X as Float64Array, { task: t.name }))).toEqual(
            Array.from(m.predict(t.X as Float64Array, { task: t.name })),
          );
        }
        expect(loaded.groupLabels()).toEqual(m.groupLabels());
        const doc = JSON.parse(text);
        expect(() => DualEncoderRegressor.fromJSON({ ...doc, version: 99 })).toThrow(
          /Unsupported model document version: expected version 1, received 99/,
        );
        expect(() =>
          DualEncoderRegressor.fromJSON('{"format": "hetmtl/dual-encoder-regressor", "vers'),
        ).toThrow(SerializationError);
        expect(() => DualEncoderRegressor.fromJSON({ ...doc, format: 'other' })).toThrow(
          /Not a hetmtl model document/,
        );
        const corrupt = structuredClone(doc);
        if (corrupt.dual) corrupt.dual.beta[0].pop();
        else corrupt.linear.beta[0].pop();
        const before = countTensors();
        expect(
          SerializationError.isInstance(errorOf(() => DualEncoderRegressor.fromJSON(corrupt))),
        ).toBe(true);
        expect(countTensors()).toBe(before);
        m.dispose();
        loaded.dispose();
      }
    });

    it('refuses bad input with where and how to fix it', async () => {
      await useBackend(plugin);
      const m = new DualEncoderRegressor({ seed: 1, ...quick });
      expect(NotFittedError.isInstance(errorOf(() => m.predict([[1]], { task: 'task-1' })))).toBe(
        true,
      );
      const sim = small(5);
      await m.fit(sim.train);
      const p = sim.train.numFeatures;
      const unseen = errorOf(() => m.predict([new Array(p).fill(0)], { task: 'nope' }));
      expect(ValidationError.isInstance(unseen)).toBe(true);
      expect(unseen.message).toMatch(/Unknown task \(at task "nope"\).*addTask/);
      expect(
        errorOf(() => m.predict([new Array(p - 1).fill(0)], { task: sim.train.taskNames[0]! }))
          .message,
      ).toMatch(/Wrong number of features .*row 0.*expected 12 values, received 11/);
      expect(
        errorOf(() => m.predict(new Float64Array(p + 1), { task: sim.train.taskNames[0]! }))
          .message,
      ).toMatch(/multiple of 12/);
      const nan = new Array(p).fill(0);
      nan[3] = Number.NaN;
      expect(
        errorOf(() => m.predict([new Array(p).fill(1), nan], { task: sim.train.taskNames[0]! }))
          .message,
      ).toMatch(/Non-finite value in X \(at task "task1", row 1, column 3\)/);
      await expect(new DualEncoderRegressor({ K0: 13 }).fit(sim.train)).rejects.toThrow(
        /^K0 is larger than the number of features: expected K0 ≤ p = 12 .*received 13\. Pass K0 ≤ 12$/,
      );
      expect(() => new DualEncoderRegressor({ K0: 0 })).toThrow(
        /Invalid option K0: expected an integer ≥ 1, received 0/,
      );
      expect(() => new DualEncoderRegressor({ lambda: -1 })).toThrow(/Invalid option lambda/);
      await expect(m.fit({} as never)).rejects.toThrow(/expected a MultiTaskDataset/);
      m.dispose();
    });

    it('an aborted fit leaves the model unfitted and leaks nothing', async () => {
      await useBackend(plugin);
      const sim = small(6);
      const before = countTensors();
      const controller = new AbortController();
      const m = new DualEncoderRegressor({
        seed: 1,
        ...quick,
        maxRounds: 20,
        patience: 20,
        tolerance: 0,
      });
      const err = await m
        .fit(sim.train, {
          signal: controller.signal,
          onProgress: (e) => e.round === 2 && controller.abort(),
        })
        .catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/aborted/);
      expect(m.fitted).toBe(false);
      expect(countTensors()).toBe(before);
    });

    it('addTask fits a new task and leaves the fitted tasks unchanged', async () => {
      await useBackend(plugin);
      const full = simulateFactor({ seed: 7, numTasks: 5, n: 60, p: 12, testRows: 40 });
      const fittedTasks = full.train.taskNames.slice(0, 4);
      const m = new DualEncoderRegressor({
        seed: 2,
        ...quick,
        selection: { linearFloor: false, trunk: false },
      });
      await m.fit(full.train.selectTasks(fittedTasks));
      const before = fittedTasks.map((t) =>
        Array.from(m.predict(full.test.task(t).X as Float64Array, { task: t })),
      );
      const newTask = full.train.task(4);
      m.addTask(newTask.name, { X: newTask.X as Float64Array, y: newTask.y });
      expect(m.taskNames).toEqual(full.train.taskNames);
      fittedTasks.forEach((t, i) =>
        expect(Array.from(m.predict(full.test.task(t).X as Float64Array, { task: t }))).toEqual(
          before[i],
        ),
      );
      const test = full.test.task(4);
      const pred = m.predict(test.X as Float64Array, { task: test.name });
      const rmse = Math.sqrt(pred.reduce((s, v, i) => s + (v - test.y[i]!) ** 2, 0) / pred.length);
      const sd = Math.sqrt(
        test.y.reduce((s, v) => s + (v - test.y.reduce((a, b) => a + b, 0) / test.n) ** 2, 0) /
          test.n,
      );
      expect(rmse).toBeLessThan(0.8 * sd); // it learned something about the new task
      expect(() => m.addTask(newTask.name, { X: newTask.X as Float64Array, y: newTask.y })).toThrow(
        /already exists/,
      );
      expect(() => m.addTask('short', { X: [[...new Array(12).fill(0)]], y: [1, 2] })).toThrow(
        /same number of rows/,
      );
      // Saved and loaded with the added task.
      const loaded = DualEncoderRegressor.fromJSON(JSON.stringify(m));
      expect(Array.from(loaded.predict(test.X as Float64Array, { task: test.name }))).toEqual(
        Array.from(pred),
      );
      loaded.dispose();
      m.dispose();
    });
  });
}
