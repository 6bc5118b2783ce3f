import { fromTaskArrays, trainTestSplit } from '@hetmtl/data';
import { describe, expect, it } from 'vitest';
import { RidgeRegressor } from './ridge.js';
import {
  leastSquares,
  makeTasks,
  maxAbsDiff,
  rowsOf,
  standardizedTasks,
} from './test-fixtures/linear-data.js';

describe('RidgeRegressor', () => {
  it('matches a hand-computed case: one feature, slope = OLS slope / (1 + λ)', async () => {
    // x̄ = 2.5, ȳ = 4.75, Sxy = 9.5, Sxx = 5: the OLS slope is 1.9. On the standardised scale
    // Σx̃² = n, so ridge shrinks the slope by 1/(1 + λ): λ = 1 gives 0.95 and intercept 4.75 − 0.95·2.5.
    const ds = fromTaskArrays({ a: { X: [[1], [2], [3], [4]], y: [2, 4, 5, 8] } });
    const m = await new RidgeRegressor({ lambdas: [1] }).fit(ds);
    const c = m.coefficients();
    expect(c.slopes[0]![0]).toBeCloseTo(0.95, 12);
    expect(c.intercepts[0]).toBeCloseTo(2.375, 12);
    expect(Array.from(m.predict([[0], [10]], { task: 'a' }))).toEqual([
      expect.closeTo(2.375, 12),
      expect.closeTo(11.875, 12),
    ]);
    expect(m.lambda).toBe(1);
    expect(m.selection).toEqual({ validationRmse: null, lambda: 1, refitted: false });
  });

  it('with λ = 0 equals per-task least squares (normal equations on the raw features)', async () => {
    const { data } = makeTasks({ sizes: [30, 18, 45], p: 4, seed: 3 });
    const m = await new RidgeRegressor({ lambdas: [0] }).fit(data);
    const c = m.coefficients();
    data.tasks().forEach((t, r) => {
      const w = leastSquares(
        rowsOf(t.X, t.n, 4).map((row) => [1, ...row]),
        t.y,
      );
      expect(maxAbsDiff([c.intercepts[r]!, ...c.slopes[r]!], w)).toBeLessThan(1e-9);
    });
  });

  it('pooled with λ = 0 equals least squares with task dummies; with λ > 0 the penalised normal equations', async () => {
    const { data } = makeTasks({ sizes: [25, 40, 12], p: 3, seed: 4, spread: 0.2 });
    const R = data.numTasks;
    const rows: number[][] = [];
    const y: number[] = [];
    data.tasks().forEach((t, r) => {
      rowsOf(t.X, t.n, 3).forEach((row) =>
        rows.push([...row, ...Array.from({ length: R }, (_, k) => (k === r ? 1 : 0))]),
      );
      y.push(...t.y);
    });
    const w = leastSquares(rows, y);
    const m = await new RidgeRegressor({ mode: 'pooled', lambdas: [0] }).fit(data);
    const c = m.coefficients();
    for (let r = 0; r < R; r++) {
      expect(maxAbsDiff(c.slopes[r]!, w.subarray(0, 3))).toBeLessThan(1e-9);
      expect(c.intercepts[r]).toBeCloseTo(w[3 + r]!, 9);
    }
    // λ > 0: (1/2N)‖ỹ − c_r − X̃β‖² + (λ/2)‖β‖² on the pooled standardised scale.
    const lambda = 0.3;
    const st = standardizedTasks(data);
    const srows: number[][] = [];
    const sy: number[] = [];
    st.forEach((t, r) => {
      t.X.forEach((row) =>
        srows.push([...row, ...Array.from({ length: R }, (_, k) => (k === r ? 1 : 0))]),
      );
      sy.push(...t.y);
    });
    const ws = leastSquares(srows, sy, (j) => (j < 3 ? data.totalRows * lambda : 0));
    const ms = await new RidgeRegressor({ mode: 'pooled', lambdas: [lambda] }).fit(data);
    const cs = ms.coefficients('standardised');
    for (let r = 0; r < R; r++) {
      expect(maxAbsDiff(cs.slopes[r]!, ws.subarray(0, 3))).toBeLessThan(1e-10);
      expect(cs.intercepts[r]).toBeCloseTo(ws[3 + r]!, 10);
    }
  });

  it('with more features than rows solves in the row space: the kernel form X̃ᵀ(X̃X̃ᵀ + nλI)⁻¹ỹ', async () => {
    const { data } = makeTasks({ sizes: [8, 11], p: 30, seed: 5 });
    const lambda = 0.05;
    const m = await new RidgeRegressor({ lambdas: [lambda] }).fit(data);
    const cs = m.coefficients('standardised');
    standardizedTasks(data).forEach((t, r) => {
      const n = t.y.length;
      const xm = t.X[0]!.map((_, j) => t.X.reduce((s, row) => s + row[j]!, 0) / n);
      const ym = t.y.reduce((a, b) => a + b, 0) / n;
      const Xc = t.X.map((row) => row.map((v, j) => v - xm[j]!));
      const yc = t.y.map((v) => v - ym);
      // α = (K + nλ I)⁻¹ ỹ by least squares on the rows of K (symmetric): (KᵀK)… — use K's own rows.
      const K = Xc.map((a) => Xc.map((b) => a.reduce((s, v, j) => s + v * b[j]!, 0)));
      const alpha = leastSquares(
        K.map((row, i) => row.map((v, j) => v + (i === j ? n * lambda : 0))),
        yc,
      );
      const beta = xm.map((_, j) => Xc.reduce((s, row, i) => s + row[j]! * alpha[i]!, 0));
      expect(maxAbsDiff(cs.slopes[r]!, beta)).toBeLessThan(1e-8);
      // The fitted values are those of the kernel form too.
      const fitted = m.predict(data.task(r).X as Float64Array, { task: data.taskNames[r]! });
      expect(fitted).toHaveLength(n);
    });
  });

  it('chooses λ on validation rows: the reported validation RMSE is the one evaluate() gives at that λ', async () => {
    const { data } = makeTasks({ sizes: [40, 40, 40], p: 6, seed: 6, noise: 1 });
    const { train, test } = trainTestSplit(data, { test: 0.25, seed: 2 });
    const m = await new RidgeRegressor({ refit: false }).fit(train, { validation: test });
    const sel = m.selection;
    expect(sel.path).toHaveLength(15);
    expect(sel.refitted).toBe(false);
    const best = Math.min(...sel.path!.map((q) => q.validationRmse ?? Number.NaN));
    expect(sel.validationRmse).toBe(best);
    expect(sel.path!.find((q) => q.validationRmse === best)!.lambda).toBe(m.lambda);
    expect(m.evaluate(test).meanTaskRmse).toBeCloseTo(sel.validationRmse!, 10);
    // With refit (the default) the final model uses train + validation rows and the same λ.
    const refit = await new RidgeRegressor().fit(train, { validation: test });
    expect(refit.lambda).toBe(m.lambda);
    expect(refit.selection.refitted).toBe(true);
  });
});
