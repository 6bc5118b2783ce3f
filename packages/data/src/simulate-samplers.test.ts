import { Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { bernoulli, poisson } from './simulate-common.js';

describe('the simulators’ samplers', () => {
  it('poisson: mean, variance and P(0) of 20,000 draws at several rates', () => {
    const rng = new Random(21);
    for (const rate of [0.2, 1, 4.5, 30]) {
      const n = 20_000;
      let s = 0;
      let s2 = 0;
      let zeros = 0;
      for (let i = 0; i < n; i++) {
        const k = poisson(rng, rate);
        expect(Number.isInteger(k) && k >= 0).toBe(true);
        s += k;
        s2 += k * k;
        if (k === 0) zeros++;
      }
      const mean = s / n;
      const variance = s2 / n - mean * mean;
      expect(Math.abs(mean - rate)).toBeLessThan(4 * Math.sqrt(rate / n));
      expect(Math.abs(variance - rate)).toBeLessThan(4 * Math.sqrt((2 * rate * rate + rate) / n));
      const p0 = Math.exp(-rate);
      expect(Math.abs(zeros / n - p0)).toBeLessThan(4 * Math.sqrt((p0 * (1 - p0)) / n) + 1e-9);
    }
    expect(poisson(rng, 0)).toBe(0);
    expect(() => poisson(rng, -1)).toThrow(/Invalid Poisson rate/);
  });

  it('bernoulli: the frequency of 1 is the logistic of η', () => {
    const rng = new Random(22);
    for (const eta of [-3, 0, 0.7, 4]) {
      const n = 20_000;
      let ones = 0;
      for (let i = 0; i < n; i++) ones += bernoulli(rng, eta);
      const p = 1 / (1 + Math.exp(-eta));
      expect(Math.abs(ones / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
  });
});
