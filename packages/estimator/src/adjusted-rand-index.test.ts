import { Random, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from './adjusted-rand-index.js';

/** Oracle: ARI from pair counting, ARI = 2(tp·tn − fn·fp)/((tp+fn)(fn+tn) + (tp+fp)(fp+tn)). */
function ariByPairs(a: readonly number[], b: readonly number[]): number {
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const sa = a[i] === a[j];
      const sb = b[i] === b[j];
      if (sa && sb) tp++;
      else if (!sa && !sb) tn++;
      else if (sb) fp++;
      else fn++;
    }
  }
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

describe('adjustedRandIndex', () => {
  it('matches hand-computed values', () => {
    // Contingency [[2,1,0],[0,1,2]]: Σ C(n_ij,2) = 2, rows 6, cols 3, C(6,2) = 15:
    // expected 6·3/15 = 1.2, max 4.5, ARI = 0.8/3.3 = 8/33.
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo(8 / 33, 15);
    // scikit-learn's documented example: 0.57…  = 4/7.
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(4 / 7, 15);
    // Independent halves: index 0, expected 2/3, max 2 → −1/2.
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 15);
  });

  it('is 1 for the same partition under any labels, and symmetric', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2], [5, 5, 3, 3, 9])).toBe(1);
    expect(adjustedRandIndex(['a', 'a', 'b'], [1, 1, 0])).toBe(1);
    expect(adjustedRandIndex([0, 0, 0], [1, 1, 1])).toBe(1);
    expect(adjustedRandIndex([0, 1, 2], [2, 0, 1])).toBe(1);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(adjustedRandIndex([7], [3])).toBe(1);
  });

  it('agrees with pair counting on random labellings', () => {
    const rng = new Random(9);
    for (let t = 0; t < 50; t++) {
      const n = 2 + rng.integer(0, 30);
      const a = Array.from({ length: n }, () => rng.integer(0, 1 + rng.integer(0, 5)));
      const b = Array.from({ length: n }, () => rng.integer(0, 1 + rng.integer(0, 5)));
      expect(adjustedRandIndex(a, b)).toBeCloseTo(ariByPairs(a, b), 12);
      expect(adjustedRandIndex(a, b)).toBeCloseTo(adjustedRandIndex(b, a), 14);
    }
  });

  it('rejects labellings of different lengths', () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(ValidationError);
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(/same items.*equal length/);
  });
});
