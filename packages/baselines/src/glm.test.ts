import { fromTaskArrays, type MultiTaskDataset } from '@hetmtl/data';
import {
  binomial,
  type Family,
  gaussian,
  type GlmForm,
  type StandardizedTasks,
  poisson,
  solveGlm,
} from '@hetmtl/estimator';
import { gaussSolve, poissonInverse } from '@hetmtl/testing';
import { describe, expect, it } from 'vitest';
import { MeanRegularizedRegressor } from './mean-regularized.js';
import { RidgeRegressor } from './ridge.js';
import { maxAbsDiff } from './test-fixtures/linear-data.js';

let seed = 17;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};
const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());

/** Tasks with standard-normal features and a GLM response of the family (slopes shared plus a task shift). */
function glmTasks(
  family: 'binomial' | 'poisson',
  sizes: number[],
  p: number,
  withOffset = false,
): StandardizedTasks & { exposure: Float64Array[] } {
  const beta = Array.from({ length: p }, () => 0.6 * normal());
  const X: Float64Array[] = [];
  const y: Float64Array[] = [];
  const offsets: Float64Array[] = [];
  const exposure: Float64Array[] = [];
  sizes.forEach((n) => {
    const x = Float64Array.from({ length: n * p }, normal);
    const o = Float64Array.from({ length: n }, () => (withOffset ? Math.log(0.5 + 3 * rand()) : 0));
    const shift = 0.5 * normal() + (family === 'poisson' ? 0.5 : 0);
    const yr = Float64Array.from({ length: n }, (_, i) => {
      let eta = shift + o[i];
      for (let a = 0; a < p; a++) eta += x[i * p + a] * (beta[a] + 0.2 * normal());
      if (family === 'binomial') return rand() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
      return poissonInverse(Math.exp(eta), rand());
    });
    X.push(x);
    y.push(yr);
    offsets.push(o);
    exposure.push(o.map(Math.exp));
  });
  return { X, y, p, ...(withOffset ? { offsets } : {}), exposure };
}

/** The objective of glm-solver.ts written out: (1/W) Σ w d/2 + ½ λ ‖β‖², pooled or per task. */
function objective(
  f: Family,
  d: StandardizedTasks,
  form: 'pooled' | 'per-task',
  lambda: number,
  c: ArrayLike<number>,
  betas: readonly ArrayLike<number>[],
): number {
  const tasks = d.y.map((_, r) => r);
  const part = (rs: number[]) => {
    let s = 0;
    let W = 0;
    for (const r of rs)
      d.y[r].forEach((yi, i) => {
        const w = d.weights ? d.weights[r][i] : 1;
        let eta = c[r] + (d.offsets ? d.offsets[r][i] : 0);
        for (let a = 0; a < d.p; a++) eta += d.X[r][i * d.p + a] * betas[r][a];
        s += w * f.unitDeviance(yi, f.linkinv(eta));
        W += w;
      });
    return s / (2 * W);
  };
  const pen = (b: ArrayLike<number>) => 0.5 * lambda * Array.from(b).reduce((a, v) => a + v * v, 0);
  if (form === 'pooled') return part(tasks) + pen(betas[0]);
  return tasks.reduce((a, r) => a + part([r]) + pen(betas[r]), 0);
}

/**
 * Pooled GLM with task intercepts by plain Newton on the full design [one-hot task | X]: the
 * gradient and Hessian of the log-likelihood written from the textbook (score Xᵀ(y − μ), information
 * XᵀVX), 50 full steps, no step-halving.
 */
function independentPooledNewton(f: Family, d: StandardizedTasks, lambda: number) {
  const R = d.y.length;
  const D = R + d.p;
  const rows: { x: number[]; y: number; w: number; o: number }[] = [];
  d.y.forEach((y, r) =>
    y.forEach((yi, i) => {
      const x = new Array<number>(D).fill(0);
      x[r] = 1;
      for (let a = 0; a < d.p; a++) x[R + a] = d.X[r][i * d.p + a];
      rows.push({
        x,
        y: yi,
        w: d.weights ? d.weights[r][i] : 1,
        o: d.offsets ? d.offsets[r][i] : 0,
      });
    }),
  );
  const W = rows.reduce((a, q) => a + q.w, 0);
  let th = new Array<number>(D).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(D).fill(0);
    const H = Array.from({ length: D }, () => new Array<number>(D).fill(0));
    for (const q of rows) {
      const eta = q.o + q.x.reduce((a, v, j) => a + v * th[j], 0);
      const mu = f.name === 'binomial' ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta);
      const v = f.name === 'binomial' ? mu * (1 - mu) : mu;
      for (let j = 0; j < D; j++) {
        g[j] += (q.w * (q.y - mu) * q.x[j]) / W;
        for (let k = 0; k < D; k++) H[j][k] += (q.w * v * q.x[j] * q.x[k]) / W;
      }
    }
    for (let a = 0; a < d.p; a++) {
      g[R + a] -= lambda * th[R + a];
      H[R + a][R + a] += lambda;
    }
    const step = gaussSolve(H, g);
    th = th.map((t, j) => t + step[j]);
  }
  return { c: th.slice(0, R), beta: th.slice(R) };
}

describe('penalised GLM by Newton with step-halving (glm-solver)', () => {
  it('intercept only: logit of the weighted mean; Poisson: log of the weighted mean rate (with offsets)', () => {
    const zeros = (n: number) => new Float64Array(n);
    const y = [Float64Array.of(1, 0, 1, 1, 0), Float64Array.of(0, 0, 1)];
    const w = [Float64Array.of(1, 2, 0.5, 1, 3), Float64Array.of(1, 1, 4)];
    const d: StandardizedTasks = { X: [zeros(5), zeros(3)], y, p: 1, weights: w };
    const s = solveGlm(binomial, d, { kind: 'per-task' }, 0.1);
    const wmean = (r: number) =>
      y[r].reduce((a, v, i) => a + w[r][i] * v, 0) / w[r].reduce((a, v) => a + v, 0);
    expect(s.fit.intercepts[0]).toBeCloseTo(Math.log(wmean(0) / (1 - wmean(0))), 10);
    expect(s.fit.intercepts[1]).toBeCloseTo(Math.log(wmean(1) / (1 - wmean(1))), 10);
    expect(s.converged).toBe(true);
    const counts = [Float64Array.of(3, 0, 7, 2), Float64Array.of(1, 4)];
    const off = [Float64Array.of(0.1, -0.5, 1.2, 0), Float64Array.of(0.3, 0.7)];
    const dp: StandardizedTasks = {
      X: [zeros(4), zeros(2)],
      y: counts,
      p: 1,
      offsets: off,
      weights: [Float64Array.of(1, 2, 1, 1), Float64Array.of(1, 1)],
    };
    const sp = solveGlm(poisson, dp, { kind: 'pooled' }, 1);
    [0, 1].forEach((r) => {
      const wy = counts[r].reduce((a, v, i) => a + (dp.weights as Float64Array[])[r][i] * v, 0);
      const we = off[r].reduce(
        (a, v, i) => a + (dp.weights as Float64Array[])[r][i] * Math.exp(v),
        0,
      );
      expect(sp.fit.intercepts[r]).toBeCloseTo(Math.log(wy / we), 10);
    });
  });

  it('pooled logistic and Poisson with task intercepts equal an independent Newton solve', () => {
    for (const fam of ['binomial', 'poisson'] as const) {
      const f = fam === 'binomial' ? binomial : poisson;
      const d = glmTasks(fam, [40, 25, 60], 3, fam === 'poisson');
      const lambda = 0.05;
      const s = solveGlm(f, d, { kind: 'pooled' }, lambda);
      const ref = independentPooledNewton(f, d, lambda);
      expect(maxAbsDiff(s.fit.intercepts, ref.c)).toBeLessThan(1e-8);
      expect(maxAbsDiff(s.fit.slopes[1], ref.beta)).toBeLessThan(1e-8);
      expect(s.iterations).toBeGreaterThan(1);
    }
  });

  it('the gradient of the objective at the solution is ≈ 0 (finite differences), per task and pooled', () => {
    for (const form of ['per-task', 'pooled'] as const) {
      const d = glmTasks('binomial', [50, 30], 2);
      const lambda = 0.02;
      const s = solveGlm(binomial, d, { kind: form }, lambda);
      const c = Array.from(s.fit.intercepts);
      const b = s.fit.slopes.map((v) => Array.from(v));
      const F = () => objective(binomial, d, form, lambda, c, form === 'pooled' ? [b[0], b[0]] : b);
      const h = 1e-5;
      const fd = (get: () => number, set: (v: number) => void) => {
        const v0 = get();
        set(v0 + h);
        const up = F();
        set(v0 - h);
        const dn = F();
        set(v0);
        return (up - dn) / (2 * h);
      };
      for (let r = 0; r < 2; r++)
        expect(
          Math.abs(
            fd(
              () => c[r],
              (v) => {
                c[r] = v;
              },
            ),
          ),
        ).toBeLessThan(1e-8);
      for (let a = 0; a < 2; a++)
        expect(
          Math.abs(
            fd(
              () => b[0][a],
              (v) => {
                b[0][a] = v;
              },
            ),
          ),
        ).toBeLessThan(1e-8);
    }
  });

  it('Poisson with an offset log(e) equals the fit on rates y/e with weights e (λ scaled by n / Σe)', () => {
    const d = glmTasks('poisson', [40, 35], 2, true);
    const n = d.y.reduce((a, y) => a + y.length, 0);
    const E = d.exposure.reduce((a, e) => a + e.reduce((s, v) => s + v, 0), 0);
    const lambda = 0.03;
    const withOffset = solveGlm(poisson, d, { kind: 'pooled' }, lambda);
    const rates: StandardizedTasks = {
      X: d.X,
      y: d.y.map((y, r) => y.map((v, i) => v / d.exposure[r][i])),
      p: d.p,
      weights: d.exposure,
    };
    // (1/n) Σ [e·exp(η) − y(o + η)] + (λ/2)‖β‖² = (Σe/n) · [(1/Σe) Σ e(exp(η) − (y/e)η) + (λn/Σe)/2 ‖β‖²] + const
    const onRates = solveGlm(poisson, rates, { kind: 'pooled' }, (lambda * n) / E);
    expect(maxAbsDiff(withOffset.fit.intercepts, onRates.fit.intercepts)).toBeLessThan(1e-9);
    expect(maxAbsDiff(withOffset.fit.slopes[0], onRates.fit.slopes[0])).toBeLessThan(1e-9);
  });

  it('integer weights equal duplicated rows (every form, every family)', () => {
    const forms: GlmForm[] = [
      { kind: 'per-task' },
      { kind: 'pooled' },
      { kind: 'mean-regularized', ridge: 1e-3 },
    ];
    for (const fam of ['binomial', 'poisson'] as const) {
      const f = fam === 'binomial' ? binomial : poisson;
      const d = glmTasks(fam, [20, 15], 2);
      const w = d.y.map((y) => Float64Array.from(y, (_, i) => 1 + (i % 3)));
      const dup: StandardizedTasks = {
        p: d.p,
        X: d.X.map((X, r) => {
          const rows: number[] = [];
          w[r].forEach((k, i) => {
            for (let j = 0; j < k; j++) rows.push(X[2 * i], X[2 * i + 1]);
          });
          return Float64Array.from(rows);
        }),
        y: d.y.map((y, r) =>
          Float64Array.from(Array.from(y).flatMap((v, i) => new Array(w[r][i]).fill(v))),
        ),
      };
      for (const form of forms) {
        const a = solveGlm(f, { X: d.X, y: d.y, p: d.p, weights: w }, form, 0.05);
        const b = solveGlm(f, dup, form, 0.05);
        expect(maxAbsDiff(a.fit.intercepts, b.fit.intercepts)).toBeLessThan(1e-9);
        for (let r = 0; r < 2; r++)
          expect(maxAbsDiff(a.fit.slopes[r], b.fit.slopes[r])).toBeLessThan(1e-9);
      }
    }
  });

  it('the gaussian family is the closed-form ridge / mean-regularised objective (one Newton step)', async () => {
    const ds = gaussTasks();
    const ones = ds.tasks().map((t) => new Float64Array(t.n).fill(1));
    for (const mode of ['per-task', 'pooled'] as const) {
      const closed = await new RidgeRegressor({ mode, lambdas: [0.3] }).fit(ds);
      // unit weights take the Newton path: the same fit
      const newton = await new RidgeRegressor({ mode, lambdas: [0.3] }).fit(ds, {
        sampleWeight: ones,
      });
      for (const t of ds.tasks())
        expect(
          maxAbsDiff(closed.predict(t.X, { task: t.name }), newton.predict(t.X, { task: t.name })),
        ).toBeLessThan(1e-9);
    }
    for (const lambdas of [[0.05], [Number.POSITIVE_INFINITY]]) {
      const closed = await new MeanRegularizedRegressor({ lambdas }).fit(ds);
      const newton = await new MeanRegularizedRegressor({ lambdas }).fit(ds, {
        sampleWeight: ones,
      });
      for (const t of ds.tasks())
        expect(
          maxAbsDiff(closed.predict(t.X, { task: t.name }), newton.predict(t.X, { task: t.name })),
        ).toBeLessThan(1e-8);
    }
    // a weight changes the gaussian fit (weights are honoured, not ignored)
    const heavy = ds
      .tasks()
      .map((t) => Float64Array.from({ length: t.n }, (_, i) => (i < 3 ? 20 : 1)));
    const plain = await new RidgeRegressor({ lambdas: [0.3] }).fit(ds);
    const weighted = await new RidgeRegressor({ lambdas: [0.3] }).fit(ds, { sampleWeight: heavy });
    const t0 = ds.task(0);
    expect(
      maxAbsDiff(plain.predict(t0.X, { task: t0.name }), weighted.predict(t0.X, { task: t0.name })),
    ).toBeGreaterThan(1e-3);
  });
});

function gaussTasks(): MultiTaskDataset {
  return fromTaskArrays(
    Object.fromEntries(
      [25, 18, 30].map((n, r) => {
        const X = Array.from({ length: n }, () => [normal(), normal(), 2 * normal()]);
        return [`g${r}`, { X, y: X.map((x) => r + x[0] - 0.5 * x[2] + 0.3 * normal()) }];
      }),
    ),
  );
}

describe('RidgeRegressor and MeanRegularizedRegressor in the binomial and poisson families', () => {
  function asDataset(d: StandardizedTasks, names = 'abcdefgh'): MultiTaskDataset {
    const ds = fromTaskArrays(
      Object.fromEntries(
        d.y.map((y, r) => [
          names[r],
          {
            X: Array.from({ length: y.length }, (_, i) =>
              Array.from(d.X[r].subarray(i * d.p, (i + 1) * d.p)),
            ),
            y,
          },
        ]),
      ),
      { constantTarget: 'allow' },
    );
    return d.offsets ? ds.withOffsets(d.offsets.map((o) => Array.from(o))) : ds;
  }

  it('pooled logistic: λ chosen by the validation deviance; the chosen fit is the solver refitted on all rows', async () => {
    const d = glmTasks('binomial', [80, 60, 90], 3);
    const ds = asDataset(d);
    const m = await new RidgeRegressor({ family: 'binomial', mode: 'pooled' }).fit(ds);
    const sel = m.selection;
    expect(sel.validationRmse).toBeNull();
    const best = Math.min(...(sel.path ?? []).map((q) => q.validationDeviance ?? Number.NaN));
    expect(sel.validationDeviance).toBe(best);
    const ev = m.evaluate(ds);
    expect(ev.family).toBe('binomial');
    for (const t of ds.tasks()) {
      const pr = m.predict(t.X, { task: t.name });
      for (const v of pr) expect(v > 0 && v < 1).toBe(true);
    }
    expect(ev.overall.auc).toBeGreaterThan(0.6);
    // the saved document round-trips with the family
    const back = RidgeRegressor.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(back.family).toBe(binomial);
    const t0 = ds.task(0);
    expect(back.predict(t0.X, { task: t0.name })).toEqual(m.predict(t0.X, { task: t0.name }));
  });

  it('Poisson with offsets: per task, pooled and mean-regularised fit; the offset enters evaluate', async () => {
    const d = glmTasks('poisson', [60, 50, 70], 2, true);
    const ds = asDataset(d);
    for (const m of [
      new RidgeRegressor({ family: 'poisson' }),
      new RidgeRegressor({ family: 'poisson', mode: 'pooled' }),
      new MeanRegularizedRegressor({ family: 'poisson' }),
    ]) {
      await m.fit(ds);
      const ev = m.evaluate(ds);
      expect(ev.family).toBe('poisson');
      const t = ds.task(1);
      const mu = m.predict(t.X, { task: t.name, offset: t.offset as Float64Array });
      const rate = m.predict(t.X, { task: t.name });
      mu.forEach((v, i) => expect(v).toBeCloseTo(rate[i] * d.exposure[1][i], 10));
      expect(Number.isFinite(ev.overall.meanDeviance)).toBe(true);
      expect(m.selection.validationDeviance).toBeGreaterThan(0);
    }
    // the offset-free fit is worse on the rows it was generated with (the offset matters)
    const noOff = await new RidgeRegressor({ family: 'poisson', mode: 'pooled' }).fit(
      ds.withOffsets(null),
    );
    const withOff = await new RidgeRegressor({ family: 'poisson', mode: 'pooled' }).fit(ds);
    expect(withOff.evaluate(ds).overall.meanDeviance as number).toBeLessThan(
      noOff.evaluate(ds).overall.meanDeviance as number,
    );
  });

  it('mean-regularised GLM at λ = ∞ is pooled GLM with λ = ρ; at λ = 0 and ρ → 0 it is per-task GLM', async () => {
    const d = glmTasks('binomial', [60, 50], 2);
    const pooled = solveGlm(binomial, d, { kind: 'pooled' }, 0.01);
    const mr = solveGlm(
      binomial,
      d,
      { kind: 'mean-regularized', ridge: 0.01 },
      Number.POSITIVE_INFINITY,
    );
    expect(maxAbsDiff(pooled.fit.slopes[0], mr.fit.slopes[1])).toBeLessThan(1e-10);
    const per = solveGlm(binomial, d, { kind: 'per-task' }, 0);
    const mr0 = solveGlm(binomial, d, { kind: 'mean-regularized', ridge: 1e-9 }, 0);
    // per-task weighs each task by its own n_r, the mean-regularised objective by N: same minimiser at λ = 0
    for (let r = 0; r < 2; r++)
      expect(maxAbsDiff(per.fit.slopes[r], mr0.fit.slopes[r])).toBeLessThan(1e-5);
    expect(gaussian.name).toBe('gaussian');
  });

  it('the reported validation score is what evaluate gives on the validation rows at that λ (weighted too)', async () => {
    const d = glmTasks('binomial', [70, 50, 60], 3);
    const all = asDataset(d);
    const split = (ds: MultiTaskDataset, keep: (i: number) => boolean) =>
      ds.subset(ds.tasks().map((t) => Array.from({ length: t.n }, (_, i) => i).filter(keep)));
    const train = split(all, (i) => i % 4 !== 0);
    const valid = split(all, (i) => i % 4 === 0);
    const m = await new RidgeRegressor({ family: 'binomial', mode: 'pooled', refit: false }).fit(
      train,
      { validation: valid },
    );
    expect(m.selection.validationDeviance).toBeCloseTo(
      m.evaluate(valid).meanTaskDeviance as number,
      12,
    );
    // gaussian with weighted validation rows: the mean task weighted RMSE
    const g = gaussTasks();
    const gt = split(g, (i) => i % 3 !== 0);
    const gv = split(g, (i) => i % 3 === 0);
    const wv = gv.withWeights(
      gv.tasks().map((t) => Float64Array.from({ length: t.n }, (_, i) => 1 + i)),
    );
    const r = await new RidgeRegressor({ lambdas: [0.01, 1], refit: false }).fit(gt, {
      validation: wv,
    });
    const byHand =
      wv.tasks().reduce((acc, t) => {
        const pr = r.predict(t.X, { task: t.name });
        const w = t.weight as Float64Array;
        let se = 0;
        let sw = 0;
        pr.forEach((v, i) => {
          se += w[i] * (t.y[i] - v) ** 2;
          sw += w[i];
        });
        return acc + Math.sqrt(se / sw);
      }, 0) / wv.numTasks;
    expect(r.selection.validationRmse).toBeCloseTo(byHand, 10);
    expect(r.evaluate(wv).meanTaskRmse).toBeCloseTo(byHand, 10);
  });
});
