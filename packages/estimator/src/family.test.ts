import { fromTaskArrays } from '@hetmtl/data';
import { ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import {
  binomial,
  checkFamilyTarget,
  type Family,
  familyOf,
  gaussian,
  meanDeviance,
  poisson,
  workingResponse,
} from './family.js';

const all: Family[] = [gaussian, binomial, poisson];
const logFactorial = (k: number) => {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
};

describe('families', () => {
  it('inverse link inverts the link; dμ/dη and the canonical variance agree with finite differences', () => {
    for (const f of all) {
      for (const eta of [-3, -0.5, 0, 0.7, 2.5]) {
        const mu = f.linkinv(eta);
        expect(f.linkfun(mu)).toBeCloseTo(eta, 10);
        const h = 1e-6;
        const fd = (f.linkinv(eta + h) - f.linkinv(eta - h)) / (2 * h);
        expect(f.muEta(eta)).toBeCloseTo(fd, 8);
        // canonical links: dμ/dη = V(μ)
        expect(f.variance(mu)).toBeCloseTo(f.muEta(eta), 10);
      }
    }
  });

  it('unit deviances are twice the log-likelihood ratio to the saturated model (written out here)', () => {
    // binomial: −2 log p(y) for y ∈ {0, 1} (the saturated likelihood is 1)
    for (const mu of [0.01, 0.3, 0.5, 0.92]) {
      expect(binomial.unitDeviance(1, mu)).toBeCloseTo(-2 * Math.log(mu), 12);
      expect(binomial.unitDeviance(0, mu)).toBeCloseTo(-2 * Math.log(1 - mu), 12);
    }
    // poisson: 2 [log p(y; y) − log p(y; μ)], log p(k; m) = k log m − m − log k!
    const ll = (k: number, m: number) => (k === 0 ? -m : k * Math.log(m) - m - logFactorial(k));
    for (const y of [0, 1, 4, 17])
      for (const mu of [0.2, 1, 3.5, 20])
        expect(poisson.unitDeviance(y, mu)).toBeCloseTo(2 * (ll(y, y) - ll(y, mu)), 10);
    expect(gaussian.unitDeviance(3, 1.5)).toBe(2.25);
  });

  it('is safe at the extremes: saturated probabilities, huge η, μ → 0', () => {
    expect(binomial.linkinv(1e4)).toBeLessThan(1);
    expect(binomial.linkinv(-1e4)).toBeGreaterThan(0);
    expect(Number.isFinite(binomial.unitDeviance(1, 0))).toBe(true);
    expect(Number.isFinite(binomial.unitDeviance(0, 1))).toBe(true);
    expect(binomial.unitDeviance(1, 0)).toBeGreaterThan(60);
    expect(Number.isFinite(poisson.linkinv(1e5))).toBe(true);
    expect(Number.isFinite(poisson.unitDeviance(3, 0))).toBe(true);
    expect(poisson.unitDeviance(0, 0)).toBe(0);
    const w = workingResponse(binomial, [1, 0], [1e4, -1e4]);
    for (const v of [...w.weight, ...w.response, ...w.mu]) expect(Number.isFinite(v)).toBe(true);
  });

  it('the weighted mean deviance weighs rows (weight 2 = the row twice) and skips weight 0', () => {
    const y = [0, 1, 1];
    const mu = [0.2, 0.6, 0.9];
    const twice = meanDeviance(binomial, [0, 1, 1, 1], [0.2, 0.6, 0.6, 0.9]);
    expect(meanDeviance(binomial, y, mu, [1, 2, 1])).toBeCloseTo(twice, 14);
    expect(meanDeviance(binomial, y, mu, [1, 0, 1])).toBeCloseTo(
      meanDeviance(binomial, [0, 1], [0.2, 0.9]),
      14,
    );
    const byHand = (-2 * (Math.log(0.8) + Math.log(0.6) + Math.log(0.9))) / 3;
    expect(meanDeviance(binomial, y, mu)).toBeCloseTo(byHand, 14);
  });

  it('one weighted least-squares step on the working response is the Newton step of the deviance', () => {
    // One coefficient b (η = o + b·x); Newton on D(b) = Σ wᵢ d(yᵢ, g⁻¹(oᵢ + b xᵢ)) with derivatives
    // by finite differences; the WLS solution Σ W x (z − o) / Σ W x² must match it.
    const x = [0.5, -1, 2, 1.5, -0.3];
    const o = [0.1, 0, -0.2, 0.3, 0];
    const w = [1, 2, 0.5, 1, 3];
    const cases: [Family, number[]][] = [
      [binomial, [1, 0, 1, 1, 0]],
      [poisson, [2, 0, 7, 3, 1]],
    ];
    for (const [f, y] of cases) {
      const b = 0.2;
      const D = (bb: number) =>
        y.reduce((s, yi, i) => s + w[i] * f.unitDeviance(yi, f.linkinv(o[i] + bb * x[i])), 0);
      const h = 1e-4;
      const g = (D(b + h) - D(b - h)) / (2 * h);
      const H = (D(b + h) - 2 * D(b) + D(b - h)) / (h * h);
      const newton = b - g / H;
      const eta = x.map((xi, i) => o[i] + b * xi);
      const { weight, response } = workingResponse(f, y, eta, w);
      let num = 0;
      let den = 0;
      x.forEach((xi, i) => {
        num += weight[i] * xi * (response[i] - o[i]);
        den += weight[i] * xi * xi;
      });
      expect(num / den).toBeCloseTo(newton, 5);
    }
  });

  it('familyOf reads a name and refuses others', () => {
    expect(familyOf('poisson')).toBe(poisson);
    expect(() => familyOf('logistic')).toThrow(/Invalid option family/);
    expect(() => familyOf(undefined)).toThrow(ValidationError);
  });

  it('target checks name the task, the row within the task, the column, what is expected', () => {
    const ds = fromTaskArrays({
      a: { X: [[1], [2]], y: [0, 1] },
      b: { X: [[1], [2], [3]], y: [1, 2, 0] },
    });
    expect(() => checkFamilyTarget(gaussian, ds)).not.toThrow();
    expect(() => checkFamilyTarget(poisson, ds)).not.toThrow();
    const e = (() => {
      try {
        checkFamilyTarget(binomial, ds);
      } catch (err) {
        return err as ValidationError;
      }
      return null;
    })();
    expect(e).not.toBeNull();
    expect(ValidationError.isInstance(e)).toBe(true);
    expect(e?.task).toBe('b');
    expect(e?.row).toBe(2);
    expect(e?.column).toBe('y');
    expect(e?.expected).toBe('0 or 1');
    const counts = fromTaskArrays({ a: { X: [[1], [2]], y: [3, 1.5] } });
    expect(() => checkFamilyTarget(poisson, counts)).toThrow(/poisson family cannot take/);
    const neg = fromTaskArrays({ a: { X: [[1], [2]], y: [-1, 1] } });
    expect(() => checkFamilyTarget(poisson, neg)).toThrow(/row 1/);
    // an offset is for the link-scale families
    const off = ds.withOffsets([
      [0, 0],
      [0, 0, 0],
    ]);
    expect(() => checkFamilyTarget(gaussian, off)).toThrow(/offset/);
    expect(() => checkFamilyTarget(poisson, off)).not.toThrow();
  });
});
