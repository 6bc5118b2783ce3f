import { binomial, evaluatePredictions, poisson } from '@hetmtl/estimator';
import { fromTaskArrays } from '@hetmtl/data';
import { describe, expect, test } from 'vitest';
import { bestOf, metricColumns } from './metric-columns.js';

describe('metricColumns', () => {
  // Two tasks of 4 rows; task b has one class only (its AUC is undefined).
  const y = [0, 1, 1, 0, 1, 1, 1, 1];
  const p = [0.2, 0.7, 0.4, 0.1, 0.9, 0.6, 0.8, 0.3];

  test('binomial: log loss, AUC and accuracy by hand, the one-class task left out of the AUC mean', () => {
    const ds = fromTaskArrays({
      a: { X: [[0], [0], [0], [0]], y: y.slice(0, 4) },
      b: { X: [[0], [0], [0], [0]], y: y.slice(4) },
    });
    const e = evaluatePredictions(
      ds,
      (t) => Float64Array.from(p.slice(t.name === 'a' ? 0 : 4, t.name === 'a' ? 4 : 8)),
      binomial,
    );
    const [logLoss, auc, accuracy] = metricColumns('binomial');
    const ll = (ys: number[], ps: number[]) =>
      -ys.reduce((s, v, i) => s + (v ? Math.log(ps[i]!) : Math.log(1 - ps[i]!)), 0) / ys.length;
    expect(logLoss!.task(e.tasks.a!)).toBeCloseTo(ll([0, 1, 1, 0], [0.2, 0.7, 0.4, 0.1]), 12);
    expect(logLoss!.mean(e)).toBeCloseTo(
      (ll([0, 1, 1, 0], [0.2, 0.7, 0.4, 0.1]) + ll([1, 1, 1, 1], [0.9, 0.6, 0.8, 0.3])) / 2,
      12,
    );
    // Task a: positives 0.7, 0.4 against negatives 0.2, 0.1: every pair ordered, AUC 1.
    expect(auc!.task(e.tasks.a!)).toBe(1);
    expect(Number.isNaN(auc!.task(e.tasks.b!))).toBe(true);
    expect(auc!.mean(e)).toBe(1);
    // Accuracy at 0.5: task a 3 of 4 (0.4 misses), task b 3 of 4 (0.3 misses).
    expect(accuracy!.task(e.tasks.a!)).toBe(0.75);
    expect(accuracy!.mean(e)).toBe(0.75);
    expect([logLoss!.better, auc!.better, accuracy!.better]).toEqual(['lower', 'higher', 'higher']);
  });

  test('poisson: the mean deviance and the RMSE; gaussian: the RMSE', () => {
    const ds = fromTaskArrays({ a: { X: [[0], [0]], y: [0, 3] } });
    const e = evaluatePredictions(ds, () => Float64Array.from([1, 2]), poisson);
    const [dev, rmse] = metricColumns('poisson');
    // Unit deviance 2[y log(y/μ) − (y − μ)]: y = 0 gives 2μ = 2; y = 3, μ = 2 gives 2(3 log 1.5 − 1).
    expect(dev!.task(e.tasks.a!)).toBeCloseTo((2 + 2 * (3 * Math.log(1.5) - 1)) / 2, 12);
    expect(rmse!.task(e.tasks.a!)).toBeCloseTo(1, 12);
    expect(metricColumns('gaussian').map((c) => c.name)).toEqual(['RMSE']);
  });

  test('bestOf: the lowest or highest, ties kept, NaN never best', () => {
    expect([...bestOf([0.3, 0.1, 0.1], 'lower')]).toEqual([1, 2]);
    expect([...bestOf([Number.NaN, 0.6, 0.9], 'higher')]).toEqual([2]);
    expect([...bestOf([Number.NaN], 'higher')]).toEqual([]);
  });
});
