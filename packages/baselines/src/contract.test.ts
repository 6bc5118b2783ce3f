// The estimator contract, for every learner: fit / predict / evaluate / score, save and load, bad
// input, aborts, determinism and tensor leaks (neural learners on cpu and wasm).
import { cpuBackend } from '@hetmtl/backend-cpu';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { fromTaskArrays, trainTestSplit } from '@hetmtl/data';
import { countTensors, HetmtlError, SerializationError, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BaselineProgress } from './baseline-regressor.js';
import { CentreShrinkageRegressor } from './centre-shrinkage.js';
import { HardSharingRegressor } from './hard-sharing.js';
import { type AnyBaseline, loadBaseline } from './load-baseline.js';
import { MeanRegularizedRegressor } from './mean-regularized.js';
import { MlpRegressor } from './mlp-regressor.js';
import { RidgeRegressor } from './ridge.js';
import { makeTasks } from './test-fixtures/linear-data.js';

const quick = { hidden: [8], maxEpochs: 40, patience: 10 } as const;

const LEARNERS: [string, () => AnyBaseline, { fromJSON(json: unknown): AnyBaseline }][] = [
  ['RidgeRegressor per-task', () => new RidgeRegressor(), RidgeRegressor],
  ['RidgeRegressor pooled', () => new RidgeRegressor({ mode: 'pooled' }), RidgeRegressor],
  ['MeanRegularizedRegressor', () => new MeanRegularizedRegressor(), MeanRegularizedRegressor],
  [
    'CentreShrinkageRegressor',
    () => new CentreShrinkageRegressor({ numLambdas: 6 }),
    CentreShrinkageRegressor,
  ],
  ['MlpRegressor per-task', () => new MlpRegressor(quick), MlpRegressor],
  ['MlpRegressor pooled', () => new MlpRegressor({ ...quick, mode: 'pooled' }), MlpRegressor],
  ['HardSharingRegressor', () => new HardSharingRegressor(quick), HardSharingRegressor],
];

function errorOf(fn: () => unknown): HetmtlError {
  try {
    fn();
  } catch (e) {
    if (HetmtlError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const { data } = makeTasks({ sizes: [30, 25, 40], p: 4, seed: 51, noise: 0.5 });
const { train, test } = trainTestSplit(data, { test: 0.25, seed: 1 });

beforeAll(async () => {
  await useBackend(cpuBackend());
});

// The generic contract (options, NotFittedError, fit returns the learner, predictions, score, input
// errors at their place, determinism, save → load, refused documents, leaks) is @hetmtl/testing's
// estimator conformance suite, run on every learner in estimator-conformance.test.ts (the same suite
// the model can run). What follows is what only the baselines promise, and their exact messages.
describe.each(LEARNERS)('%s', (_name, make, Cls) => {
  it('reports progress, task names, selection, and evaluate consistent with score', async () => {
    const m = make();
    const events: BaselineProgress[] = [];
    await m.fit(train, { onProgress: (e) => events.push(e) });
    expect(m.taskNames).toEqual(train.taskNames);
    expect(events.at(-1)).toEqual({ phase: 'done', fraction: 1 });
    expect(events.every((e, i) => i === 0 || e.fraction >= events[i - 1]!.fraction)).toBe(true);
    const ev = m.evaluate(test);
    expect(Object.keys(ev.tasks)).toEqual([...test.taskNames]);
    const tasks = Object.values(ev.tasks);
    expect(ev.overall.n).toBe(test.totalRows);
    expect(ev.overall.rmse).toBeCloseTo(
      Math.sqrt(tasks.reduce((s, q) => s + q.rmse ** 2 * q.n, 0) / ev.overall.n),
      10,
    );
    expect(ev.meanTaskRmse).toBeCloseTo(tasks.reduce((s, q) => s + q.rmse, 0) / tasks.length, 12);
    expect(ev.overall.r2).toBeGreaterThan(0.5);
    expect(m.score(test)).toBe(ev.overall.r2);
    expect(Object.keys(m.evaluate(test.selectTasks(['t3'])).tasks)).toEqual(['t3']);
    expect(m.selection.validationRmse).toBeGreaterThan(0);
    expect(m.selection.refitted).toBe(true);
    m.dispose();
  });

  it('loadBaseline reads every document; version, format and content errors say what is wrong', async () => {
    const m = await make().fit(train);
    const text = JSON.stringify(m);
    const before = countTensors();
    const loaded = Cls.fromJSON(text);
    const any = loadBaseline(JSON.parse(text));
    expect(countTensors()).toBe(before);
    expect(any.constructor).toBe(m.constructor);
    expect(loaded.selection).toEqual(m.selection);
    for (const t of test.tasks()) {
      const X = t.X as Float64Array;
      expect(Array.from(any.predict(X, { task: t.name }))).toEqual(
        Array.from(m.predict(X, { task: t.name })),
      );
    }
    const doc = JSON.parse(text);
    expect(() => Cls.fromJSON({ ...doc, version: 99 })).toThrow(
      /Unsupported document version: expected version 1, received 99/,
    );
    const other = Cls === RidgeRegressor ? MlpRegressor : RidgeRegressor;
    expect(() => other.fromJSON(doc)).toThrow(
      /Not a (Mlp|Ridge)Regressor document: expected format "hetmtl\/(mlp|ridge)-regressor", received "hetmtl\//,
    );
    expect(() => loadBaseline({ ...doc, format: 'nope' })).toThrow(
      /Not a hetmtl baseline document/,
    );
    expect(
      SerializationError.isInstance(errorOf(() => Cls.fromJSON({ ...doc, taskNames: [] }))),
    ).toBe(true);
    expect(
      SerializationError.isInstance(
        errorOf(() => Cls.fromJSON({ ...doc, options: { ...doc.options, validationFraction: 2 } })),
      ),
    ).toBe(true);
    expect(countTensors()).toBe(before);
    m.dispose();
    loaded.dispose();
    any.dispose();
  });

  it('refuses bad input with where and how to fix it (the messages)', async () => {
    const m = make();
    expect(errorOf(() => m.toJSON()).message).toMatch(/is not fitted yet.*Call fit\(\) first/);
    await m.fit(train);
    const unseen = errorOf(() => m.predict([[0, 0, 0, 0]], { task: 'nope' }));
    expect(unseen.message).toMatch(
      /Unknown task \(at task "nope"\): expected one of the fitted tasks \(t1, t2, t3\)/,
    );
    expect(errorOf(() => m.predict([[0, 0, 0]], { task: 't1' })).message).toMatch(
      /Wrong number of features \(at task "t1", row 0\): expected 4 values, received 3/,
    );
    expect(errorOf(() => m.predict(new Float64Array(5), { task: 't1' })).message).toMatch(
      /multiple of 4/,
    );
    expect(
      errorOf(() =>
        m.predict(
          [
            [1, 2, 3, 4],
            [0, Number.NaN, 0, 0],
          ],
          { task: 't1' },
        ),
      ).message,
    ).toMatch(/Non-finite value in X \(at task "t1", row 1, column 1\)/);
    await expect(make().fit({} as never)).rejects.toThrow(
      /Invalid dataset: expected a MultiTaskDataset/,
    );
    await expect(
      make().fit(train, { validation: test.selectTasks(['t2', 't1', 't3']) }),
    ).rejects.toThrow(/different tasks/);
    const wide = fromTaskArrays({
      t1: {
        X: [
          [1, 2],
          [2, 1],
          [3, 3],
        ],
        y: [1, 2, 3],
      },
    });
    expect(() => m.evaluate(wide)).toThrow(/different number of features/);
    m.dispose();
  });
});

describe('options', () => {
  it('are validated with the option named', () => {
    expect(() => new RidgeRegressor({ mode: 'shared' as never })).toThrow(
      /Invalid option mode: expected 'per-task' or 'pooled', received "shared"/,
    );
    expect(() => new RidgeRegressor({ lambdas: [-1] })).toThrow(/Invalid option lambdas/);
    expect(() => new RidgeRegressor({ lambdas: [Number.POSITIVE_INFINITY] })).toThrow(
      /Invalid option lambdas/,
    );
    expect(() => new RidgeRegressor({ lamdbas: [1] } as never)).toThrow(
      /Unknown option lamdbas for RidgeRegressor/,
    );
    expect(() => new MeanRegularizedRegressor({ ridge: -1 })).toThrow(
      /Invalid option ridge: expected a number ≥ 0, received -1/,
    );
    expect(() => new CentreShrinkageRegressor({ numLambdas: 1 })).toThrow(
      /Invalid option numLambdas: expected an integer ≥ 2/,
    );
    expect(() => new MlpRegressor({ hidden: [0] })).toThrow(/Invalid option hidden/);
    expect(() => new MlpRegressor({ activation: 'gelu' as never })).toThrow(
      /Invalid option activation/,
    );
    expect(() => new MlpRegressor({ learningRate: 0 })).toThrow(/Invalid option learningRate/);
    expect(() => new HardSharingRegressor({ validationFraction: 1 })).toThrow(
      /Invalid option validationFraction/,
    );
    expect(() => new HardSharingRegressor({ seed: -3 })).toThrow(/Invalid option seed/);
    expect(new RidgeRegressor().options).toEqual({
      mode: 'per-task',
      lambdas: expect.any(Array),
      validationFraction: 0.2,
      refit: true,
      seed: 0,
      logTarget: false,
      family: 'gaussian',
    });
    expect(() => new RidgeRegressor({ logTarget: 1 as never })).toThrow(/Invalid option logTarget/);
    expect(() => new RidgeRegressor({ family: 'logistic' as never })).toThrow(
      /Invalid option family/,
    );
    expect(() => new MlpRegressor({ family: 'poisson' })).toThrow(
      /does not fit the poisson family/,
    );
  });
});

describe('data handling', () => {
  it('uses the validation split of DualEncoderRegressor for a seed, and accepts float32 datasets', async () => {
    const a = await new RidgeRegressor({ seed: 7 }).fit(train);
    const b = await new RidgeRegressor({ seed: 7 }).fit(train.asType('float32'));
    expect(b.lambda).toBe(a.lambda);
    const X = test.task(0).X as Float64Array;
    const pa = a.predict(X, { task: 't1' });
    const pb = b.predict(Float32Array.from(X), { task: 't1' });
    pa.forEach((v, i) => expect(pb[i]).toBeCloseTo(v, 4));
  });

  it('fits without holding out rows when there is nothing to choose', async () => {
    const m = await new RidgeRegressor({ lambdas: [0.1] }).fit(train, { validation: test });
    // The validation rows are training rows then: the fit equals one on train + test.
    const all = await new RidgeRegressor({ lambdas: [0.1] }).fit(
      fromTaskArrays(
        train.taskNames.map((name) => {
          const a = train.task(name);
          const b = test.task(name);
          return {
            name,
            X: Float64Array.from([...a.X, ...b.X]),
            y: Float64Array.from([...a.y, ...b.y]),
          };
        }),
      ),
    );
    expect(m.coefficients()).toEqual(all.coefficients());
    expect(m.selection).toEqual({ validationRmse: null, lambda: 0.1, refitted: false });
  });
});

for (const [backend, plugin] of [
  ['cpu', cpuBackend],
  ['wasm', wasmBackend],
] as const) {
  describe(`neural learners on ${backend}`, () => {
    it('leak no tensors, and an aborted fit leaves the learner as it was', async () => {
      await useBackend(plugin());
      for (const make of [
        () => new MlpRegressor(quick),
        () => new MlpRegressor({ ...quick, mode: 'pooled' }),
        () => new HardSharingRegressor(quick),
      ]) {
        const before = countTensors();
        const m = await make().fit(train);
        m.predict(test.task(0).X as Float64Array, { task: 't1' });
        m.evaluate(test);
        expect(countTensors()).toBe(before);
        const fitted = JSON.stringify(m);
        const controller = new AbortController();
        const err = await m
          .fit(train, {
            signal: controller.signal,
            onProgress: (e) => (e.epoch ?? 0) >= 20 && controller.abort(),
          })
          .catch((e: unknown) => e);
        expect((err as Error).message).toMatch(/aborted/);
        expect(JSON.stringify(m)).toBe(fitted);
        const fresh = make();
        controller.abort();
        await expect(fresh.fit(train, { signal: controller.signal })).rejects.toThrow(/aborted/);
        expect(fresh.fitted).toBe(false);
        m.dispose();
        expect(countTensors()).toBe(before);
      }
    });
  });
}
