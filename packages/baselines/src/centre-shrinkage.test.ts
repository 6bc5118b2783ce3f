import { fromTaskArrays } from '@hetmtl/data';
import { centre, fuse } from '@hetmtl/regularizers';
import { matrix } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { CentreShrinkageRegressor } from './centre-shrinkage.js';
import { RidgeRegressor } from './ridge.js';
import { makeTasks, maxAbsDiff, standardizedTasks } from './test-fixtures/linear-data.js';

/** Three similar tasks and one whose slopes are reversed. */
function tasksWithOutlier() {
  const { data } = makeTasks({ sizes: [30, 45, 25, 35], p: 4, seed: 21, spread: 0.05, noise: 0.5 });
  const list = data.tasks().map((t, r) => {
    if (r < 3) return { name: t.name, X: Float64Array.from(t.X), y: Float64Array.from(t.y) };
    const y = Float64Array.from(t.y, (v, i) => -v + 2 * t.X[i * 4]);
    return { name: t.name, X: Float64Array.from(t.X), y };
  });
  return fromTaskArrays(list);
}

/** Task-centred standardised arrays, the gradients of the smooth part and the penalty weights. */
function kkt(
  data: ReturnType<typeof tasksWithOutlier>,
  slopes: number[][],
  centreBeta: number[],
  lambda: number,
  ridge: number,
) {
  const p = data.numFeatures;
  const tasks = standardizedTasks(data);
  const grads = tasks.map((t, r) => {
    const n = t.y.length;
    const xm = Array.from({ length: p }, (_, j) => t.X.reduce((s, row) => s + row[j]!, 0) / n);
    const ym = t.y.reduce((a, b) => a + b, 0) / n;
    const beta = slopes[r]!;
    const g = beta.map((b) => n * ridge * b);
    t.X.forEach((row, i) => {
      const xc = row.map((v, j) => v - xm[j]!);
      const e = xc.reduce((s, v, j) => s + v * beta[j]!, 0) - (t.y[i]! - ym);
      xc.forEach((v, j) => {
        g[j]! += v * e;
      });
    });
    return g;
  });
  const weights = tasks.map((t) => lambda * Math.sqrt(p * t.y.length));
  const d = slopes.map((b) => b.map((v, j) => v - centreBeta[j]!));
  return { grads, weights, d };
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/** λ_max from the pooled fit: max_r ‖∇f_r(β*)‖ / √(p n_r). */
async function lambdaMaxOf(
  data: ReturnType<typeof tasksWithOutlier>,
  ridge: number,
): Promise<number> {
  const pooled = (
    await new RidgeRegressor({ mode: 'pooled', lambdas: [ridge] }).fit(data)
  ).coefficients('standardised').slopes;
  const atPooled = kkt(data, pooled, pooled[0]!, 1, ridge);
  return Math.max(...atPooled.grads.map((g, r) => norm(g) / atPooled.weights[r]!));
}

describe('CentreShrinkageRegressor', () => {
  const data = tasksWithOutlier();

  it('λ = 0 is per-task ridge (ρ); λ at or above λ_max is pooled ridge (ρ) with every task on the centre', async () => {
    const ridge = 1e-3;
    const zero = await new CentreShrinkageRegressor({ lambdas: [0], ridge }).fit(data);
    const perTask = await new RidgeRegressor({ lambdas: [ridge] }).fit(data);
    const big = await new CentreShrinkageRegressor({ lambdas: [1e6], ridge }).fit(data);
    const pooled = await new RidgeRegressor({ mode: 'pooled', lambdas: [ridge] }).fit(data);
    for (const t of data.tasks()) {
      const X = t.X as Float64Array;
      expect(
        maxAbsDiff(zero.predict(X, { task: t.name }), perTask.predict(X, { task: t.name })),
      ).toBeLessThan(1e-9);
      expect(
        maxAbsDiff(big.predict(X, { task: t.name }), pooled.predict(X, { task: t.name })),
      ).toBeLessThan(1e-9);
    }
    expect(big.onCentre()).toEqual([true, true, true, true]);
    expect(zero.onCentre()).toEqual([false, false, false, false]);
  });

  it('satisfies the KKT conditions at an intermediate λ (the outlier off the centre, the others on it)', async () => {
    const ridge = 1e-3;
    const p = data.numFeatures;
    const lambda = 0.5 * (await lambdaMaxOf(data, ridge));
    const m = await new CentreShrinkageRegressor({
      lambdas: [lambda],
      ridge,
      tolerance: 1e-10,
      maxIterations: 100_000,
    }).fit(data);
    const c = m.coefficients('standardised');
    const on = m.onCentre();
    expect(on).toEqual([true, true, true, false]);
    const { grads, weights, d } = kkt(data, c.slopes, c.centre!, lambda, ridge);
    const scale = Math.max(...weights);
    grads.forEach((g, r) => {
      if (on[r]) {
        // 0 ∈ ∇f_r + t_r·(unit ball)
        expect(norm(g)).toBeLessThanOrEqual(weights[r]! * (1 + 1e-6));
      } else {
        const dn = norm(d[r]!);
        expect(dn).toBeGreaterThan(0);
        const res = g.map((v, j) => v + (weights[r]! * d[r]![j]!) / dn);
        expect(norm(res)).toBeLessThan(1e-6 * scale);
      }
    });
    // The centre's condition: the subgradients (= −∇f_r) sum to zero.
    const sum = Array.from({ length: p }, (_, j) => grads.reduce((s, g) => s + g[j]!, 0));
    expect(norm(sum)).toBeLessThan(1e-6 * scale);
  });

  it('agrees with the fusion ADMM of @hetmtl/regularizers (centre penalty) on the same problem', async () => {
    const ridge = 1e-3;
    const p = data.numFeatures;
    const N = data.totalRows;
    const tasks = standardizedTasks(data);
    const problem = {
      A: tasks.map((t) => {
        const n = t.y.length;
        const xm = Array.from({ length: p }, (_, j) => t.X.reduce((s, row) => s + row[j]!, 0) / n);
        const A = matrix(p, p);
        t.X.forEach((row) => {
          for (let a = 0; a < p; a++)
            for (let b = 0; b < p; b++)
              A.data[a * p + b]! += ((row[a]! - xm[a]!) * (row[b]! - xm[b]!)) / n;
        });
        return A;
      }),
      b: tasks.map((t) => {
        const n = t.y.length;
        const xm = Array.from({ length: p }, (_, j) => t.X.reduce((s, row) => s + row[j]!, 0) / n);
        const ym = t.y.reduce((a, b) => a + b, 0) / n;
        return Float64Array.from(
          { length: p },
          (_, j) => t.X.reduce((s, row, i) => s + (row[j]! - xm[j]!) * (t.y[i]! - ym), 0) / n,
        );
      }),
      weights: tasks.map((t) => t.y.length / N),
      n: tasks.map((t) => t.y.length),
    };
    const lambdaMax = await lambdaMaxOf(data, ridge);
    const seen = new Set<string>();
    for (const lambda of [0.002 * lambdaMax, 0.2 * lambdaMax, 0.5 * lambdaMax]) {
      const ref = fuse(problem, centre(), {
        lambda,
        ridge: problem.weights.map((w) => w * ridge),
        tol: 1e-9,
        maxIter: 200_000,
      });
      const m = await new CentreShrinkageRegressor({
        lambdas: [lambda],
        ridge,
        tolerance: 1e-10,
        maxIterations: 100_000,
      }).fit(data);
      const c = m.coefficients('standardised');
      ref.beta.forEach((b, r) => expect(maxAbsDiff(c.slopes[r]!, b)).toBeLessThan(1e-4));
      seen.add(m.onCentre().join());
    }
    expect(seen.size).toBeGreaterThan(1); // the λ values cover different shrinkage patterns
  });

  it('builds its λ grid from λ_max and chooses λ on validation rows', async () => {
    const m = await new CentreShrinkageRegressor({ numLambdas: 8 }).fit(data);
    const path = m.selection.path!;
    expect(path).toHaveLength(8);
    expect(path[0]!.lambda).toBe(0);
    expect(path[2]!.lambda / path[1]!.lambda).toBeCloseTo(1e3 ** (1 / 6), 8);
    expect(path.map((q) => q.validationRmse).every(Number.isFinite)).toBe(true);
    expect(m.selection.refitted).toBe(true);
  });

  it('reports an ADMM iteration cap in selection.notes (and keeps it in the document)', async () => {
    const m = await new CentreShrinkageRegressor({ lambdas: [0.01], maxIterations: 2 }).fit(data);
    expect(m.selection.notes).toEqual([
      expect.stringMatching(
        /ADMM reached maxIterations \(2\) before the tolerance at λ = 0\.01000/,
      ),
    ]);
    expect(CentreShrinkageRegressor.fromJSON(JSON.stringify(m)).selection.notes).toEqual(
      m.selection.notes,
    );
    const ok = await new CentreShrinkageRegressor({ lambdas: [0.01] }).fit(data);
    expect(ok.selection.notes).toBeUndefined();
  });
});
