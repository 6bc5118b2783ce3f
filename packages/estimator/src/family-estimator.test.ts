import { fromTaskArrays, type MultiTaskDataset } from '@hetmtl/data';
import { ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import {
  Estimator,
  type EstimatorOptions,
  type FitContext,
  type Selected,
  validationScore,
} from './estimator.js';
import type { StandardizedTasks } from './estimator-input.js';
import { binomial, type FamilyName, meanDeviance, poisson } from './family.js';
import { binomialMetrics, poissonMetrics } from './metrics.js';
import { ShrunkenMean } from './test-fixtures/shrunken-mean.js';
import type { StandardizedFold } from './validation-scheme.js';

/**
 * A learner on the skeleton for the GLM families: each task's intercept-only maximum-likelihood fit
 * (closed form: η_r = g(Σwy / Σw), for poisson with offsets log(Σwy / Σw e^o)), shrunk on the
 * link scale toward the pooled fit by a factor chosen on validation rows by `validationScore`.
 */
type Model = { eta: Float64Array };
const SHRINKS = [0, 1];
const seen: StandardizedTasks[] = [];

function taskEtas(d: StandardizedTasks, fam: FamilyName): { own: Float64Array; pooled: number } {
  const f = fam === 'binomial' ? binomial : poisson;
  let Y = 0;
  let E = 0;
  const own = Float64Array.from(d.y, (y, r) => {
    let sy = 0;
    let se = 0;
    for (let i = 0; i < y.length; i++) {
      const w = d.weights ? d.weights[r][i] : 1;
      sy += w * y[i];
      se += w * (d.offsets ? Math.exp(d.offsets[r][i]) : 1);
    }
    Y += sy;
    E += se;
    return f.linkfun(sy / se);
  });
  return { own, pooled: f.linkfun(Y / E) };
}

class TaskGlm extends Estimator<Model, EstimatorOptions & { family: FamilyName }> {
  constructor(o: { family: FamilyName; refit?: boolean; logTarget?: boolean }) {
    super({ validationFraction: 0.3, refit: o.refit ?? true, seed: 3, ...o });
  }
  protected get learner() {
    return 'TaskGlm';
  }
  protected get format() {
    return 'hetmtl-test/task-glm';
  }
  protected get documentVersion() {
    return 1;
  }
  protected needsValidation() {
    return true;
  }
  protected override supportedFamilies(): FamilyName[] {
    return ['gaussian', 'binomial', 'poisson'];
  }
  protected override supportsWeights() {
    return true;
  }
  private etas(d: StandardizedTasks, shrink: number): Model {
    const { own, pooled } = taskEtas(d, this.options.family);
    return { eta: own.map((e) => shrink * e + (1 - shrink) * pooled) };
  }
  protected async select(
    [{ train, validation, yScale }]: readonly StandardizedFold[],
    ctx: FitContext,
  ): Promise<Selected<Model>> {
    seen.push(train);
    let best = { shrink: 1, score: Number.POSITIVE_INFINITY };
    for (const shrink of SHRINKS) {
      const m = this.etas(train, shrink);
      const score = validationScore(
        ctx.family,
        validation as StandardizedTasks,
        (r, X) => new Float64Array(X.length / train.p).fill(m.eta[r]),
        yScale,
      );
      if (score < best.score) best = { shrink, score };
    }
    return {
      model: this.etas(train, best.shrink),
      selection: { validationRmse: null, validationDeviance: best.score },
      choice: best.shrink,
    };
  }
  protected async refitAll(data: StandardizedTasks, selected: Selected<Model>) {
    seen.push(data);
    return this.etas(data, selected.choice as number);
  }
  protected predictStandardized(model: Model, task: number, X: Float64Array, p: number) {
    return new Float64Array(X.length / p).fill(model.eta[task]);
  }
}

let s = 5;
const rand = () => {
  s = (s * 16807) % 2147483647;
  return s / 2147483647;
};
function data(kind: 'binary' | 'counts'): MultiTaskDataset {
  return fromTaskArrays(
    Object.fromEntries(
      [30, 25, 40].map((n, r) => {
        const X = Array.from({ length: n }, () => [rand() * 10, rand()]);
        const y = X.map(() =>
          kind === 'binary' ? (rand() < 0.2 + 0.3 * r ? 1 : 0) : Math.floor(rand() * (2 + 3 * r)),
        );
        return [`t${r}`, { X, y }];
      }),
    ),
  );
}

describe('the skeleton with the binomial and poisson families', () => {
  it('binomial: the target is not standardised (the features are); predictions are probabilities; evaluate gives the binomial metrics', async () => {
    const ds = data('binary');
    seen.length = 0;
    const m = await new TaskGlm({ family: 'binomial' }).fit(ds);
    for (const d of seen)
      for (const y of d.y) for (const v of y) expect(v === 0 || v === 1).toBe(true);
    // features standardised with pooled statistics of the refit rows
    const all = seen[1].X.flatMap((X) => Array.from(X).filter((_, k) => k % 2 === 0));
    expect(all.reduce((a, b) => a + b, 0) / all.length).toBeCloseTo(0, 10);
    expect(m.family).toBe(binomial);
    // the refit is on all rows, shrink chosen on validation: predictions are the task or pooled share
    const choice = m.selection.validationDeviance as number;
    expect(Number.isFinite(choice)).toBe(true);
    const tp = ds.tasks().map((t) => t.y.reduce((a, b) => a + b, 0) / t.n);
    const pooled =
      ds.tasks().reduce((a, t) => a + t.y.reduce((b, c) => b + c, 0), 0) / ds.totalRows;
    const got = ds.tasks().map((t) => m.predict([[1, 1]], { task: t.name })[0]);
    const matches = (want: number[]) => got.every((g, r) => Math.abs(g - want[r]) < 1e-12);
    expect(matches(tp) || matches(tp.map(() => pooled))).toBe(true);
    // link and class
    const t0 = ds.task(0);
    const eta = m.predict([[1, 1]], { task: t0.name, type: 'link' })[0];
    expect(binomial.linkinv(eta)).toBeCloseTo(got[0], 14);
    expect(m.predict([[1, 1]], { task: t0.name, type: 'class' })[0]).toBe(got[0] >= 0.5 ? 1 : 0);
    // evaluate: the metrics of the predictions by hand
    const ev = m.evaluate(ds);
    expect(ev.family).toBe('binomial');
    const want = binomialMetrics(t0.y, new Float64Array(t0.n).fill(got[0]));
    expect(ev.tasks[t0.name].logLoss).toBeCloseTo(want.logLoss as number, 14);
    expect(ev.tasks[t0.name].auc).toBe(0.5);
    expect(m.score(ds)).toBe(ev.overall.d2);
  });

  it('the validation score is the mean across tasks of the mean deviance (by hand, given validation rows)', async () => {
    const train = data('counts');
    const valid = data('counts');
    const m = await new TaskGlm({ family: 'poisson', refit: false }).fit(train, {
      validation: valid,
    });
    const raw = {
      X: train.tasks().map((t) => Float64Array.from(t.X)),
      y: train.tasks().map((t) => t.y),
      p: 2,
    };
    const { own, pooled } = taskEtas(raw, 'poisson');
    const scores = SHRINKS.map((sh) => {
      const mus = valid
        .tasks()
        .map((t, r) => new Float64Array(t.n).fill(Math.exp(sh * own[r] + (1 - sh) * pooled)));
      const perTask = valid.tasks().map((t, r) => meanDeviance(poisson, t.y, mus[r]));
      return perTask.reduce((a, b) => a + b, 0) / perTask.length;
    });
    expect(m.selection.validationDeviance).toBeCloseTo(Math.min(...scores), 12);
    expect(m.selection.validationRmse).toBeNull();
  });

  it('poisson with offsets: predictions are exposure × rate; the fit is the exposure-weighted rate', async () => {
    const ds = data('counts');
    const exposure = ds
      .tasks()
      .map((t) => Float64Array.from({ length: t.n }, () => 0.5 + rand() * 3));
    const off = ds.withOffsets(exposure.map((e) => e.map(Math.log)));
    const m = await new TaskGlm({ family: 'poisson' }).fit(off);
    const evp = m.evaluate(off);
    ds.tasks().forEach((t, r) => {
      const rate = m.predict([[0, 0]], { task: t.name })[0];
      const mu = m.predict(
        [
          [0, 0],
          [1, 1],
        ],
        { task: t.name, offset: [Math.log(2), 0] },
      );
      expect(mu[0]).toBeCloseTo(2 * rate, 12);
      expect(mu[1]).toBeCloseTo(rate, 12);
      const want = poissonMetrics(
        t.y,
        Float64Array.from(exposure[r], (e) => e * rate),
      );
      expect(evp.tasks[t.name].meanDeviance).toBeCloseTo(want.meanDeviance as number, 12);
    });
    // the same fit with the offset as a fit option
    const m2 = await new TaskGlm({ family: 'poisson' }).fit(ds, {
      offset: exposure.map((e) => e.map(Math.log)),
    });
    expect(m2.predict([[0, 0]], { task: 't1' })[0]).toBe(m.predict([[0, 0]], { task: 't1' })[0]);
  });

  it('sample weights: integer weights equal duplicated rows (same split rows kept, by rows)', async () => {
    // every row weight 2 against every row twice: the fit statistics are the same
    const ds = data('binary');
    const w = ds.tasks().map((t) => new Float64Array(t.n).fill(2));
    const a = await new TaskGlm({ family: 'binomial' }).fit(ds, { sampleWeight: w });
    const b = await new TaskGlm({ family: 'binomial' }).fit(ds.withWeights(w));
    for (const t of ds.tasks())
      expect(a.predict([[0, 0]], { task: t.name })[0]).toBe(
        b.predict([[0, 0]], { task: t.name })[0],
      );
    // weights change the fit: one heavy row moves its task's probability
    const heavy = ds.tasks().map((t) => Float64Array.from(t.y, (_, i) => (i === 0 ? 50 : 1)));
    const c = await new TaskGlm({ family: 'binomial', refit: true }).fit(ds, {
      sampleWeight: heavy,
    });
    const t0 = ds.task(0);
    const p0 = c.predict([[0, 0]], { task: t0.name })[0];
    const p1 = b.predict([[0, 0]], { task: t0.name })[0];
    expect(p0).not.toBeCloseTo(p1, 3);
  });

  it('refuses: a binomial target of a third value, a negative weight, logTarget, an unknown fit option, a gaussian offset', async () => {
    const bad = fromTaskArrays({
      a: { X: [[1], [2], [3], [4]], y: [0, 1, 2, 0] },
      b: { X: [[1], [2], [3]], y: [1, 0, 1] },
    });
    const err = await new TaskGlm({ family: 'binomial' }).fit(bad).catch((e) => e);
    expect(ValidationError.isInstance(err)).toBe(true);
    expect([err.task, err.row, err.column]).toEqual(['a', 3, 'y']);
    const ok = bad.withTarget([
      [0, 1, 1, 0],
      [1, 0, 1],
    ]);
    await expect(
      new TaskGlm({ family: 'binomial' }).fit(ok, {
        sampleWeight: [
          [1, 1, -1, 1],
          [1, 1, 1],
        ],
      }),
    ).rejects.toThrow(/negative or not finite.*row 3.*sampleWeight/s);
    await expect(new TaskGlm({ family: 'binomial', logTarget: true }).fit(ok)).rejects.toThrow(
      /log target with the binomial family/,
    );
    await expect(
      new TaskGlm({ family: 'binomial' }).fit(ok, {
        weights: [
          [1, 1, 1, 1],
          [1, 1, 1],
        ],
      } as never),
    ).rejects.toThrow(/Unknown fit option weights/);
    await expect(
      new TaskGlm({ family: 'gaussian' }).fit(ok, {
        offset: [
          [0, 0, 0, 0],
          [0, 0, 0],
        ],
      }),
    ).rejects.toThrow(/offset with the gaussian family/);
  });

  it('a learner refuses a family it does not fit and row weights it does not take (never ignored)', async () => {
    const ds = data('binary');
    expect(
      () => new (ShrunkenMean as never as new (o: object) => unknown)({ family: 'binomial' }),
    ).toThrow(/^ShrunkenMean does not fit the binomial family/);
    const w = ds.tasks().map((t) => new Float64Array(t.n).fill(1));
    await expect(new ShrunkenMean().fit(ds, { sampleWeight: w })).rejects.toThrow(
      /does not take row weights/,
    );
    await expect(new ShrunkenMean().fit(ds.withWeights(w))).rejects.toThrow(
      /does not take row weights/,
    );
  });
});
