import { cpuBackend } from '@hetmtl/backend-cpu';
import { fromTaskArrays, type MultiTaskDataset, trainTestSplit } from '@hetmtl/data';
import { NotFittedError, SerializationError, useBackend, ValidationError } from '@hetmtl/tensor';
import { describeEstimatorConformance } from '@hetmtl/testing/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EstimatorProgress } from './estimator.js';
import { type Predictor, predictDataset } from './predictor.js';
import { holdOutSplit, kFoldSplits, seedStreams } from './splits.js';
import { foldsFromSplits, type StandardizedFold } from './validation-scheme.js';
import { ShrunkenMean } from './test-fixtures/shrunken-mean.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

let s = 11;
const rand = () => {
  s = (s * 16807) % 2147483647;
  return s / 2147483647;
};
const data = fromTaskArrays(
  Object.fromEntries(
    [20, 15, 25].map((n, r) => {
      const X = Array.from({ length: n }, () => [rand(), rand()]);
      return [`t${r}`, { X, y: X.map((x) => 3 * r + x[0] + 0.3 * rand()) }];
    }),
  ),
);
const { train, test } = trainTestSplit(data, { test: 0.25, seed: 2 });

describeEstimatorConformance(
  {
    name: 'ShrunkenMean (the skeleton)',
    make: (o = {}) => new ShrunkenMean(o as never),
    fromJSON: (json) => ShrunkenMean.fromJSON(json),
    train,
    test,
  },
  {
    corrupt: (doc) => {
      (doc.model as { means: number[] }).means.pop();
      return doc;
    },
  },
);

describe('the estimator skeleton', () => {
  it('validates on the rows of the seed protocol, refits on all rows, reports progress', async () => {
    const events: EstimatorProgress[] = [];
    const m = await new ShrunkenMean({ seed: 4 }).fit(train, { onProgress: (e) => events.push(e) });
    expect(m.selection.refitted).toBe(true);
    expect(m.selection.shrink).toBe(1);
    // selection takes the first 80 % of the progress, the refit the rest; done at 1
    expect(events.map((e) => [e.phase, e.fraction])).toEqual([
      ['selection', 0.8 / 3],
      ['selection', 1.6 / 3],
      ['selection', 0.8],
      ['done', 1],
    ]);
    // with refit, the predictions are the means of all training rows of each task
    for (const t of train.tasks()) {
      const mean = t.y.reduce((a, b) => a + b, 0) / t.n;
      expect(m.predict([[0, 0]], { task: t.name })[0]).toBeCloseTo(mean, 10);
    }
    // without refit, the means of the training part of the split seeded by seedStreams(seed)
    const noRefit = await new ShrunkenMean({ seed: 4, refit: false }).fit(train);
    const split = holdOutSplit(train, 0.2, seedStreams(4).splitSeed);
    train.tasks().forEach((t, r) => {
      const rows = split.train[r];
      const mean = Array.from(rows, (i) => t.y[i]).reduce((a, b) => a + b, 0) / rows.length;
      expect(noRefit.predict([[0, 0]], { task: t.name })[0]).toBeCloseTo(mean, 10);
    });
  });

  it("takes a learner's own validation scheme: K folds, each on its own statistics; K folds always refit", async () => {
    const seen: StandardizedFold[] = [];
    class FoldedMean extends ShrunkenMean {
      protected override validationFolds(ds: MultiTaskDataset, _v: unknown, seed: number) {
        return foldsFromSplits(ds, kFoldSplits(ds, 3, seed));
      }
      protected override async select(folds: readonly StandardizedFold[]) {
        seen.push(...folds);
        return { model: null, selection: { validationRmse: 0, shrink: 1 } };
      }
    }
    const m = await new FoldedMean({ seed: 5, refit: false }).fit(train);
    const splits = kFoldSplits(train, 3, seedStreams(5).splitSeed);
    expect(seen).toHaveLength(3);
    seen.forEach((fold, f) => {
      // the fold's y statistics are those of its own training rows (pooled over tasks)
      const ys = train.tasks().flatMap((t, r) => Array.from(splits[f].train[r], (i) => t.y[i]));
      const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
      expect(fold.standardizer.targetScaling().mean).toBeCloseTo(mean, 12);
      expect(fold.validation?.y.map((y) => y.length)).toEqual(
        splits[f].validation.map((v) => v.length),
      );
      // a validation row, standardised with the fold's statistics
      const t0 = train.task(0);
      const i = splits[f].validation[0][0];
      expect(fold.validation?.y[0][0]).toBeCloseTo(
        (t0.y[i] - mean) / fold.standardizer.targetScaling().scale,
        12,
      );
    });
    // K folds: the refit on every row happens even with refit: false
    expect(m.selection.refitted).toBe(true);
    for (const t of train.tasks()) {
      const mean = t.y.reduce((a, b) => a + b, 0) / t.n;
      expect(m.predict([[0, 0]], { task: t.name })[0]).toBeCloseTo(mean, 10);
    }
  });

  it('logTarget: fits log y and predicts exp of the fitted log; a target ≤ 0 is refused at its place', async () => {
    const positive = train.withTarget(train.tasks().map((t) => Float64Array.from(t.y, Math.exp)));
    const logged = await new ShrunkenMean({ seed: 4, logTarget: true }).fit(positive);
    const plain = await new ShrunkenMean({ seed: 4 }).fit(train); // train's y is log of positive's
    for (const t of train.tasks()) {
      const a = logged.predict(t.X, { task: t.name });
      const b = plain.predict(t.X, { task: t.name });
      b.forEach((v, i) => expect(a[i]).toBeCloseTo(Math.exp(v), 12));
    }
    expect(logged.evaluate(positive).overall.n).toBe(positive.totalRows);
    const bad = positive.withTarget(
      positive
        .tasks()
        .map((t, r) => Float64Array.from(t.y, (v, i) => (r === 1 && i === 2 ? 0 : v))),
    );
    await expect(new ShrunkenMean({ logTarget: true }).fit(bad)).rejects.toThrow(
      /not positive.*task "t1", row 3.*received 0/,
    );
  });

  it('predicts per task, evaluates and scores as a Predictor', async () => {
    const m: Predictor = await new ShrunkenMean().fit(train);
    const preds = predictDataset(m, test);
    expect(Object.keys(preds)).toEqual(test.taskNames);
    const ev = m.evaluate(test);
    expect(m.score(test)).toBe(ev.overall.r2);
    expect(ev.overall.n).toBe(test.totalRows);
    expect(Object.keys(ev.tasks)).toEqual(test.taskNames);
    const mean = Object.values(ev.tasks).reduce((a, t) => a + t.rmse, 0) / test.numTasks;
    expect(ev.meanTaskRmse).toBeCloseTo(mean, 12);
  });

  it('refuses what it cannot use, with the error family', async () => {
    const m = new ShrunkenMean();
    expect(() => m.predict([[0, 0]], { task: 't0' })).toThrow(NotFittedError);
    await m.fit(train);
    const other = fromTaskArrays({ t0: { X: [[1, 2, 3]], y: [1] } });
    expect(() => m.evaluate(other)).toThrow(ValidationError);
    expect(() => m.evaluate(other)).toThrow(/different number of features/);
    expect(() => ShrunkenMean.fromJSON('{')).toThrow(/The document is not valid JSON/);
    expect(() => ShrunkenMean.fromJSON({ ...m.toJSON(), format: 'x' })).toThrow(
      /Not a ShrunkenMean document/,
    );
    expect(() => ShrunkenMean.fromJSON({ ...m.toJSON(), version: 2 })).toThrow(SerializationError);
    expect(() => ShrunkenMean.fromJSON({ ...m.toJSON(), taskNames: [] })).toThrow(
      /task or feature names/,
    );
  });
});
