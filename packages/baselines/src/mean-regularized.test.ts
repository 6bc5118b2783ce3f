import { describe, expect, it } from 'vitest';
import { MeanRegularizedRegressor } from './mean-regularized.js';
import { RidgeRegressor } from './ridge.js';
import {
  leastSquares,
  makeTasks,
  maxAbsDiff,
  standardizedTasks,
} from './test-fixtures/linear-data.js';

/** The full normal equations in (w₀, v_1..v_R, c_1..c_R), written out row by row: the oracle for the block elimination. */
function fullSolve(data: ReturnType<typeof makeTasks>['data'], lambda: number, ridge: number) {
  const p = data.numFeatures;
  const R = data.numTasks;
  const N = data.totalRows;
  const rows: number[][] = [];
  const y: number[] = [];
  standardizedTasks(data).forEach((t, r) => {
    t.X.forEach((x) => {
      const row = new Array<number>(p + R * p + R).fill(0);
      x.forEach((v, j) => {
        row[j] = v;
        row[p + r * p + j] = v;
      });
      row[p + R * p + r] = 1;
      rows.push(row);
    });
    y.push(...t.y);
  });
  const w = leastSquares(rows, y, (j) => (j < p ? N * ridge : j < p + R * p ? N * lambda : 0));
  const w0 = Array.from(w.subarray(0, p));
  return {
    w0,
    beta: Array.from({ length: R }, (_, r) => w0.map((v, j) => v + w[p + r * p + j]!)),
    c: Array.from(w.subarray(p + R * p)),
  };
}

describe('MeanRegularizedRegressor', () => {
  const { data } = makeTasks({ sizes: [20, 35, 14, 50], p: 5, seed: 11, spread: 0.4 });

  it('solves the penalised problem exactly (block elimination = the full normal equations)', async () => {
    for (const [lambda, ridge] of [
      [0.01, 1e-4],
      [0.3, 1e-2],
      [5, 0],
    ] as const) {
      const m = await new MeanRegularizedRegressor({ lambdas: [lambda], ridge }).fit(data);
      const c = m.coefficients('standardised');
      const ref = fullSolve(data, lambda, ridge);
      for (let r = 0; r < data.numTasks; r++) {
        expect(maxAbsDiff(c.slopes[r]!, ref.beta[r]!)).toBeLessThan(1e-9);
        expect(c.intercepts[r]).toBeCloseTo(ref.c[r]!, 9);
      }
      expect(maxAbsDiff(c.centre!, ref.w0)).toBeLessThan(1e-9);
    }
  });

  it('λ = 0 equals per-task least squares; λ = ∞ equals pooled ridge (λ = ρ) with task intercepts; large λ tends to it', async () => {
    const zero = await new MeanRegularizedRegressor({ lambdas: [0] }).fit(data);
    const ols = await new RidgeRegressor({ lambdas: [0] }).fit(data);
    const inf = await new MeanRegularizedRegressor({
      lambdas: [Number.POSITIVE_INFINITY],
      ridge: 0.01,
    }).fit(data);
    const pooled = await new RidgeRegressor({ mode: 'pooled', lambdas: [0.01] }).fit(data);
    const big = await new MeanRegularizedRegressor({ lambdas: [1e7], ridge: 0.01 }).fit(data);
    for (const t of data.tasks()) {
      const X = t.X as Float64Array;
      expect(
        maxAbsDiff(zero.predict(X, { task: t.name }), ols.predict(X, { task: t.name })),
      ).toBeLessThan(1e-9);
      expect(
        maxAbsDiff(inf.predict(X, { task: t.name }), pooled.predict(X, { task: t.name })),
      ).toBeLessThan(1e-9);
      expect(
        maxAbsDiff(big.predict(X, { task: t.name }), pooled.predict(X, { task: t.name })),
      ).toBeLessThan(1e-4);
    }
    expect(zero.coefficients('standardised').centre!.every((v) => v === 0)).toBe(true);
  });

  it('with more features than rows (row-space solve) still matches the full normal equations', async () => {
    const wide = makeTasks({ sizes: [6, 9, 7], p: 25, seed: 12 }).data;
    const m = await new MeanRegularizedRegressor({ lambdas: [0.2], ridge: 0.05 }).fit(wide);
    const ref = fullSolve(wide, 0.2, 0.05);
    const c = m.coefficients('standardised');
    for (let r = 0; r < wide.numTasks; r++)
      expect(maxAbsDiff(c.slopes[r]!, ref.beta[r]!)).toBeLessThan(1e-8);
  });

  it('chooses λ on the default grid (0 … ∞) by validation and saves Infinity in its document', async () => {
    const m = await new MeanRegularizedRegressor({ lambdas: [0, 1, Number.POSITIVE_INFINITY] }).fit(
      data,
    );
    expect(m.selection.path!.map((q) => q.lambda)).toEqual([0, 1, Number.POSITIVE_INFINITY]);
    const doc = JSON.parse(JSON.stringify(m));
    expect(doc.options.lambdas).toEqual([0, 1, 'Infinity']);
    const loaded = MeanRegularizedRegressor.fromJSON(doc);
    expect(loaded.options.lambdas).toEqual([0, 1, Number.POSITIVE_INFINITY]);
    expect(loaded.selection.path!.map((q) => q.lambda)).toEqual([0, 1, Number.POSITIVE_INFINITY]);
    const d = await new MeanRegularizedRegressor().fit(data);
    expect(d.selection.path).toHaveLength(17);
  });
});
