import { fromTaskArrays } from '@hetmtl/data';
import { describe, expect, it } from 'vitest';
import { binomial, poisson } from './family.js';
import { auc, binomialMetrics, meanTaskDeviance, metrics, poissonMetrics } from './metrics.js';
import { evaluatePredictions } from './predictor.js';

let seed = 7;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

/** AUC by counting every (positive, negative) pair, ties one half, pairs weighted wᵢwⱼ. */
function pairAuc(y: number[], s: number[], w?: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++)
    for (let j = 0; j < y.length; j++) {
      if (y[i] !== 1 || y[j] !== 0) continue;
      const ww = (w?.[i] ?? 1) * (w?.[j] ?? 1);
      den += ww;
      num += ww * (s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0);
    }
  return num / den;
}

describe('metrics by family', () => {
  it('AUC equals the count over pairs, with ties (mid-ranks) and weights', () => {
    for (let rep = 0; rep < 20; rep++) {
      const n = 5 + Math.floor(rand() * 40);
      // coarse scores force many ties
      const s = Array.from({ length: n }, () => Math.round(rand() * 6) / 6);
      const y = s.map((v) => (rand() < 0.3 + 0.4 * v ? 1 : 0));
      if (!y.includes(0) || !y.includes(1)) continue;
      const w = y.map(() => 0.1 + rand() * 3);
      expect(auc(y, s)).toBeCloseTo(pairAuc(y, s), 12);
      expect(auc(y, s, w)).toBeCloseTo(pairAuc(y, s, w), 12);
    }
    expect(auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(auc([1, 1, 0], [0.9, 0.8, 0.1])).toBe(1);
    expect(auc([1, 1, 1], [0.9, 0.8, 0.1])).toBeNull();
  });

  it('binomial metrics by hand', () => {
    const y = [1, 0, 1, 0];
    const p = [0.8, 0.4, 0.3, 0.5];
    const m = binomialMetrics(y, p);
    const ll = -(Math.log(0.8) + Math.log(0.6) + Math.log(0.3) + Math.log(0.5)) / 4;
    expect(m.logLoss).toBeCloseTo(ll, 14);
    expect(m.meanDeviance).toBeCloseTo(2 * ll, 14);
    expect(m.brier).toBeCloseTo((0.04 + 0.16 + 0.49 + 0.25) / 4, 14);
    // p ≥ 0.5 → class 1: right, right, wrong, wrong
    expect(m.accuracy).toBe(0.5);
    // pairs (pos, neg): (0.8,0.4) (0.8,0.5) (0.3,0.4) (0.3,0.5) → 2 of 4
    expect(m.auc).toBe(0.5);
    expect(m.rmse).toBeCloseTo(Math.sqrt(m.brier as number), 14);
    // D² against the constant 0.5: deviance 2 log 2 per row
    expect(m.d2).toBeCloseTo(1 - (2 * ll) / (2 * Math.log(2)), 12);
    // weight 2 on a row equals the row twice
    const w2 = binomialMetrics(y, p, [2, 1, 1, 1]);
    const dup = binomialMetrics([1, ...y], [0.8, ...p]);
    for (const k of ['logLoss', 'brier', 'auc', 'accuracy', 'rmse', 'mae', 'd2'] as const)
      expect(w2[k]).toBeCloseTo(dup[k] as number, 12);
  });

  it('poisson metrics by hand: mean deviance and RMSE on the count scale', () => {
    const y = [0, 2, 5];
    const mu = [0.5, 2, 4];
    const m = poissonMetrics(y, mu);
    const dev = (2 * 0.5 + 0 + 2 * (5 * Math.log(5 / 4) - 1)) / 3;
    expect(m.meanDeviance).toBeCloseTo(dev, 14);
    expect(m.rmse).toBeCloseTo(Math.sqrt((0.25 + 0 + 1) / 3), 14);
    expect(metrics(y, mu).rmse).toBe(m.rmse);
    expect(meanTaskDeviance(poisson, [y, [1]], [mu, [1]])).toBeCloseTo(dev / 2, 14);
  });

  it('evaluate: per task and overall; a task of one class has AUC null and a note, the overall AUC is defined', () => {
    const ds = fromTaskArrays({
      a: { X: [[1], [2], [3], [4]], y: [1, 0, 1, 0] },
      b: { X: [[1], [2]], y: [1, 1] },
    });
    const preds: Record<string, number[]> = { a: [0.8, 0.4, 0.3, 0.5], b: [0.6, 0.9] };
    const ev = evaluatePredictions(ds, (t) => Float64Array.from(preds[t.name]), binomial);
    expect(ev.family).toBe('binomial');
    expect(ev.tasks.a.auc).toBe(0.5);
    expect(ev.tasks.b.auc).toBeNull();
    expect(ev.meanTaskAuc).toBe(0.5);
    expect(ev.notes?.[0]).toMatch(/AUC undefined for 1 of 2 tasks.*\(b\)/);
    const ally = [1, 0, 1, 0, 1, 1];
    const allp = [0.8, 0.4, 0.3, 0.5, 0.6, 0.9];
    expect(ev.overall.auc).toBeCloseTo(pairAuc(ally, allp), 14);
    expect(ev.overall.logLoss).toBeCloseTo(binomialMetrics(ally, allp).logLoss as number, 14);
    expect(ev.meanTaskLogLoss).toBeCloseTo(
      ((ev.tasks.a.logLoss as number) + (ev.tasks.b.logLoss as number)) / 2,
      14,
    );
    // row weights of the dataset weigh the metrics
    const w = ds.withWeights([
      [2, 1, 1, 1],
      [1, 1],
    ]);
    const evw = evaluatePredictions(w, (t) => Float64Array.from(preds[t.name]), binomial);
    expect(evw.tasks.a.logLoss).toBeCloseTo(
      binomialMetrics([1, 1, 0, 1, 0], [0.8, 0.8, 0.4, 0.3, 0.5]).logLoss as number,
      14,
    );
    // gaussian evaluation unchanged without a family
    const g = evaluatePredictions(ds, (t) => Float64Array.from(preds[t.name]));
    expect(g.family).toBeUndefined();
    expect(g.overall).toEqual(metrics(ally, allp));
  });
});
