import { cpuBackend } from '@hetmtl/backend-cpu';
import { fromTaskArrays, type MultiTaskDataset } from '@hetmtl/data';
import { binomial, type Family, poisson, type StandardizedTasks } from '@hetmtl/estimator';
import { SerializationError, useBackend, ValidationError } from '@hetmtl/tensor';
import { poissonInverse } from '@hetmtl/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitGlmFloor, INTERCEPT_PRIOR_ROWS } from './glm-floor.js';
import { DualEncoderRegressor } from './regressor.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

let seed = 11;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};
const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
const poissonDraw = (mu: number) => poissonInverse(mu, rand());

/** Tasks with standard-normal features, slopes = a shared β plus a task deviation, a task shift. */
function glmTasks(family: 'binomial' | 'poisson', sizes: number[], p: number) {
  const beta = Array.from({ length: p }, () => 0.7 * normal());
  return sizes.map((n) => {
    const br = beta.map((b) => b + 0.3 * normal());
    const shift = 0.4 * normal() + (family === 'poisson' ? 0.5 : 0);
    const X = Array.from({ length: n }, () => Array.from({ length: p }, normal));
    const y = X.map((x) => {
      const eta = shift + x.reduce((a, v, k) => a + v * br[k], 0);
      return family === 'binomial'
        ? rand() < 1 / (1 + Math.exp(-eta))
          ? 1
          : 0
        : poissonDraw(Math.exp(eta));
    });
    return { X, y };
  });
}

const dataset = (tasks: { X: number[][]; y: number[] }[]): MultiTaskDataset =>
  fromTaskArrays(Object.fromEntries(tasks.map((t, r) => [`t${r}`, t])));

const arrays = (tasks: { X: number[][]; y: number[] }[]): StandardizedTasks => ({
  X: tasks.map((t) => Float64Array.from(t.X.flat())),
  y: tasks.map((t) => Float64Array.from(t.y)),
  p: tasks[0].X[0].length,
});

/**
 * The mean-regularised GLM floor's objective written out from its definition: every row and one
 * pseudo-row per task (x = 0, y = the pooled mean, weight 1), (1/W) Σ w d(y, μ)/2 +
 * (λ/2) Σ‖v_r‖² + (ρ/2)‖w₀‖², θ = (c_1..c_R, w₀, v_1..v_R).
 */
function floorObjective(
  f: Family,
  d: StandardizedTasks,
  lambda: number,
  ridge: number,
  theta: readonly number[],
): number {
  const R = d.y.length;
  const p = d.p;
  const all = d.y.flatMap((y) => Array.from(y));
  const pooled = all.reduce((a, b) => a + b, 0) / all.length;
  let s = 0;
  let W = 0;
  for (let r = 0; r < R; r++) {
    const beta = (a: number) => theta[R + a] + theta[R + p * (r + 1) + a];
    const n = d.y[r].length;
    for (let i = 0; i <= n; i++) {
      const pseudo = i === n;
      let eta = theta[r];
      if (!pseudo) for (let a = 0; a < p; a++) eta += d.X[r][i * p + a] * beta(a);
      const w = pseudo ? INTERCEPT_PRIOR_ROWS : 1;
      s += w * f.unitDeviance(pseudo ? pooled : d.y[r][i], f.linkinv(eta));
      W += w;
    }
  }
  let pen = 0;
  for (let a = 0; a < p; a++) pen += 0.5 * ridge * theta[R + a] ** 2;
  for (let j = R + p; j < theta.length; j++) pen += 0.5 * lambda * theta[j] ** 2;
  return s / (2 * W) + pen;
}

describe('the GLM floor (glm-floor.ts)', () => {
  it('mean-regularised logistic / Poisson: the written-out objective is stationary at the fit (finite differences)', () => {
    for (const [f, name] of [
      [binomial, 'binomial'],
      [poisson, 'poisson'],
    ] as const) {
      const tasks = glmTasks(name, [30, 22, 40], 2);
      const d = arrays(tasks);
      const lambda = 0.05;
      const ridge = 1e-3;
      const fit = fitGlmFloor({ family: name, ridge }, d, 'mean-regularized', lambda);
      const centre = fit.centre as Float64Array;
      const theta = [
        ...fit.intercepts,
        ...centre,
        ...fit.slopes.flatMap((b) => Array.from(b, (v, a) => v - centre[a])),
      ];
      const h = 1e-6;
      for (let j = 0; j < theta.length; j++) {
        const up = [...theta];
        const dn = [...theta];
        up[j] += h;
        dn[j] -= h;
        const g =
          (floorObjective(f, d, lambda, ridge, up) - floorObjective(f, d, lambda, ridge, dn)) /
          (2 * h);
        expect(Math.abs(g)).toBeLessThan(1e-7);
      }
      // and it is a minimum: a step away in any coordinate raises it
      const F = floorObjective(f, d, lambda, ridge, theta);
      for (let j = 0; j < theta.length; j++) {
        const t = [...theta];
        t[j] += 1e-2;
        expect(floorObjective(f, d, lambda, ridge, t)).toBeGreaterThan(F);
      }
    }
  });

  it('a task whose binary target is all one class (or whose counts are all zero) is fitted, its intercept between its own and the pooled one', async () => {
    const tasks = glmTasks('binomial', [40, 40, 40, 12], 2);
    tasks[3].y = tasks[3].y.map(() => 1);
    const m = await new DualEncoderRegressor({ family: 'binomial', seed: 3 }).fit(dataset(tasks));
    const pooled =
      tasks.flatMap((t) => t.y).reduce((a, b) => a + b, 0) / tasks.flatMap((t) => t.y).length;
    const prob = m.predict([[0, 0]], { task: 't3' })[0];
    expect(prob).toBeGreaterThan(pooled);
    expect(prob).toBeLessThan(0.999);
    const counts = glmTasks('poisson', [30, 30, 10], 2);
    counts[2].y = counts[2].y.map(() => 0);
    const mp = await new DualEncoderRegressor({ family: 'poisson', seed: 3 }).fit(dataset(counts));
    const mu = mp.predict([[0, 0]], { task: 't2' })[0];
    const rate =
      counts.flatMap((t) => t.y).reduce((a, b) => a + b, 0) / counts.flatMap((t) => t.y).length;
    expect(mu).toBeGreaterThan(1e-3);
    expect(mu).toBeLessThan(rate);
  });
});

describe('DualEncoderRegressor with family binomial / poisson', () => {
  it('predicts probabilities (link: the logit, class: at 0.5), evaluates with log loss and AUC, saves and loads', async () => {
    const tasks = glmTasks('binomial', [60, 50, 70], 3);
    const ds = dataset(tasks);
    const m = await new DualEncoderRegressor({ family: 'binomial', seed: 1 }).fit(ds);
    expect(m.candidates().map((c) => c.id)).toEqual(['glm-mtl', 'glm-pooled']);
    expect(m.selection.validationRmse).toBeNull();
    expect(m.selection.validationDeviance).toBeGreaterThan(0);
    expect(m.summary().family).toBe('binomial');
    expect(m.selection.notes?.join(' ')).toMatch(
      /dual-encoder candidate was skipped \(K0 or K1 above/,
    );
    const X = tasks[1].X.slice(0, 8);
    const prob = m.predict(X, { task: 't1' });
    const link = m.predict(X, { task: 't1', type: 'link' });
    const cls = m.predict(X, { task: 't1', type: 'class' });
    prob.forEach((q, i) => {
      expect(q).toBeGreaterThan(0);
      expect(q).toBeLessThan(1);
      expect(Math.abs(q - 1 / (1 + Math.exp(-link[i])))).toBeLessThan(1e-12);
      expect(cls[i]).toBe(q >= 0.5 ? 1 : 0);
    });
    const ev = m.evaluate(ds).overall;
    expect(ev.logLoss).toBeGreaterThan(0);
    expect(ev.auc).toBeGreaterThan(0.6);
    const doc = JSON.parse(JSON.stringify(m.toJSON()));
    expect(doc.options.family).toBe('binomial');
    const back = DualEncoderRegressor.fromJSON(doc);
    expect(back.options.family).toBe('binomial');
    expect(Array.from(back.predict(X, { task: 't1' }))).toEqual(Array.from(prob));
    expect(() =>
      DualEncoderRegressor.fromJSON({ ...doc, options: { ...doc.options, family: 'gamma' } }),
    ).toThrow(SerializationError);
    expect(() => m.addTask('new', { X: [[0, 0, 0]], y: [1] })).toThrow(
      /addTask on a binomial model/,
    );
    expect(() => new DualEncoderRegressor({ family: 'logistic' as never })).toThrow(
      ValidationError,
    );
  });

  it('a gaussian model saves no family key (documents written before it load unchanged)', async () => {
    const tasks = glmTasks('poisson', [25, 25], 2);
    const m = await new DualEncoderRegressor({
      seed: 1,
      maxRounds: 0,
      selection: { linearFloor: true },
      K0: 1,
      K1: 0,
    }).fit(dataset(tasks));
    const doc = m.toJSON();
    expect('family' in doc.options).toBe(false);
    expect(DualEncoderRegressor.fromJSON(doc).options.family).toBe('gaussian');
  });

  it('integer row weights equal duplicated rows (both forms, binomial and poisson), and the model honours them', async () => {
    for (const family of ['binomial', 'poisson'] as const) {
      const tasks = glmTasks(family, [30, 25, 35], 2);
      const w = tasks.map((t) => t.y.map((_, i) => 1 + (i % 3)));
      const dup = tasks.map((t, r) => ({
        X: t.X.flatMap((x, i) => Array.from({ length: w[r][i] }, () => x)),
        y: t.y.flatMap((y, i) => Array.from({ length: w[r][i] }, () => y)),
      }));
      const weighted = { ...arrays(tasks), weights: w.map((x) => Float64Array.from(x)) };
      for (const form of ['mean-regularized', 'pooled'] as const) {
        const a = fitGlmFloor({ family, ridge: 1e-3 }, weighted, form, 0.02);
        const b = fitGlmFloor({ family, ridge: 1e-3 }, arrays(dup), form, 0.02);
        for (let r = 0; r < tasks.length; r++) {
          expect(Math.abs(a.intercepts[r] - b.intercepts[r])).toBeLessThan(1e-8);
          a.slopes[r].forEach((v, k) => expect(Math.abs(v - b.slopes[r][k])).toBeLessThan(1e-8));
        }
      }
      const val = dataset(glmTasks(family, [10, 10, 10], 2));
      const opts = { family, seed: 2 } as const;
      const m = await new DualEncoderRegressor(opts).fit(dataset(tasks), {
        validation: val,
        sampleWeight: w,
      });
      const u = await new DualEncoderRegressor(opts).fit(dataset(tasks), { validation: val });
      const X = tasks[0].X.slice(0, 5);
      const pm = m.predict(X, { task: 't0' });
      const pu = u.predict(X, { task: 't0' });
      expect(Math.max(...Array.from(pm, (v, i) => Math.abs(v - pu[i])))).toBeGreaterThan(1e-4);
    }
  });

  it('poisson: the exposure enters as an offset (all exposures × 2 halve the fitted rates)', async () => {
    const tasks = glmTasks('poisson', [30, 40, 35], 2);
    const ds = dataset(tasks);
    const exposure = tasks.map((t) => t.y.map(() => 0.5 + rand()));
    const logE = (k: number) => exposure.map((e) => e.map((v) => Math.log(k * v)));
    const opts = { family: 'poisson', seed: 4 } as const;
    const one = await new DualEncoderRegressor(opts).fit(ds, { offset: logE(1) });
    const two = await new DualEncoderRegressor(opts).fit(ds, { offset: logE(2) });
    const X = tasks[2].X.slice(0, 6);
    const r1 = one.predict(X, { task: 't2' });
    const r2 = two.predict(X, { task: 't2' });
    r1.forEach((v, i) => expect(Math.abs(r2[i] / v - 0.5)).toBeLessThan(1e-6));
    const withOffset = one.predict(X, { task: 't2', offset: X.map(() => Math.log(3)) });
    withOffset.forEach((v, i) => expect(Math.abs(v / r1[i] - 3)).toBeLessThan(1e-12));
  });

  it('refuses a binomial target that is not 0/1 and a negative or non-integer count, naming task, row and column', async () => {
    const tasks = glmTasks('binomial', [10, 10], 2);
    tasks[1].y[3] = 2;
    await expect(
      new DualEncoderRegressor({ family: 'binomial' }).fit(dataset(tasks)),
    ).rejects.toThrow(/task "t1", row 4, column "y"\): expected 0 or 1, received 2/);
    const counts = glmTasks('poisson', [10, 10], 2);
    counts[0].y[6] = 1.5;
    await expect(
      new DualEncoderRegressor({ family: 'poisson' }).fit(dataset(counts)),
    ).rejects.toThrow(/row 7/);
    counts[0].y[6] = -1;
    await expect(
      new DualEncoderRegressor({ family: 'poisson' }).fit(dataset(counts)),
    ).rejects.toThrow(/non-negative integer/);
  });

  it('gaussian with row weights fits the weighted GLM floor (weights change the fit; noted)', async () => {
    const tasks = glmTasks('poisson', [30, 30], 2).map((t) => ({
      X: t.X,
      y: t.X.map((x) => x[0] - x[1] + 0.3 * normal()),
    }));
    const ds = dataset(tasks);
    const w = tasks.map((t) => t.y.map((_, i) => (i < 5 ? 10 : 1)));
    const m = await new DualEncoderRegressor({ seed: 1 }).fit(ds, { sampleWeight: w });
    expect(m.candidates().map((c) => c.id)).toEqual(['glm-mtl', 'glm-pooled']);
    expect(m.selection.notes?.join(' ')).toMatch(/row weights/);
    expect(m.selection.validationRmse).toBeGreaterThan(0);
  });
});
