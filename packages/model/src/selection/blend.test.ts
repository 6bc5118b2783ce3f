// Model averaging's stacking weights. Oracles: a brute-force search over a fine grid of the simplex,
// the closed form for two candidates, and an exact mixture whose weights are known.
import { Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { blendWeights } from './select.js';
import { simplexWeights } from './blend.js';

const loss = (P: Float64Array[], y: Float64Array, v: Float64Array, w: number[]) => {
  let l = 0;
  for (let i = 0; i < y.length; i++) {
    let f = 0;
    for (let m = 0; m < P.length; m++) f += w[m]! * P[m]![i]!;
    l += v[i]! * (y[i]! - f) ** 2;
  }
  return l;
};

function problem(seed: number, M: number, n = 60) {
  const rng = new Random(seed);
  const y = rng.normals(n);
  // Candidates: noisy, biased and correlated versions of y.
  const P = Array.from({ length: M }, (_, m) =>
    Float64Array.from(
      y,
      (v, i) => (0.4 + 0.2 * m) * v + rng.normal() * (0.5 + 0.3 * m) + (i % 3 === m % 3 ? 0.2 : 0),
    ),
  );
  const v = Float64Array.from({ length: n }, () => 0.5 + rng.uniform());
  return { P, y, v };
}

describe('simplexWeights', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`is the minimum over a 0.002 grid of the 3-simplex, or better (seed ${seed})`, () => {
      const { P, y, v } = problem(seed, 3);
      const got = simplexWeights(P, y, v);
      expect(got.weights.every((w) => w >= 0)).toBe(true);
      expect(got.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(got.loss).toBeCloseTo(loss(P, y, v, got.weights), 10);
      let best = { l: Number.POSITIVE_INFINITY, w: [0, 0, 0] };
      const step = 0.002;
      for (let a = 0; a <= 1 + 1e-9; a += step)
        for (let b = 0; a + b <= 1 + 1e-9; b += step) {
          const w = [a, b, Math.max(0, 1 - a - b)];
          const l = loss(P, y, v, w);
          if (l < best.l) best = { l, w };
        }
      expect(got.loss).toBeLessThanOrEqual(best.l + 1e-12);
      for (let m = 0; m < 3; m++) expect(Math.abs(got.weights[m]! - best.w[m]!)).toBeLessThan(0.02);
    });
  }

  it('for two candidates is the clamped closed form a = ⟨d, y − P₂⟩_v / ‖d‖²_v, d = P₁ − P₂', () => {
    for (const seed of [7, 8, 9]) {
      const { P, y, v } = problem(seed, 2);
      let num = 0;
      let den = 0;
      for (let i = 0; i < y.length; i++) {
        const d = P[0]![i]! - P[1]![i]!;
        num += v[i]! * d * (y[i]! - P[1]![i]!);
        den += v[i]! * d * d;
      }
      const a = Math.min(1, Math.max(0, num / den));
      const got = simplexWeights(P, y, v).weights;
      expect(got[0]).toBeCloseTo(a, 10);
      expect(got[1]).toBeCloseTo(1 - a, 10);
    }
  });

  it('recovers the weights of an exact mixture, and gives duplicates to the first alone', () => {
    const rng = new Random(3);
    const A = rng.normals(40);
    const B = rng.normals(40);
    const C = rng.normals(40);
    const y = Float64Array.from(A, (a, i) => 0.3 * a + 0.7 * C[i]!);
    const v = new Float64Array(40).fill(1);
    const w = simplexWeights([A, B, C], y, v).weights;
    expect(w[0]).toBeCloseTo(0.3, 10);
    expect(w[1]).toBeCloseTo(0, 10);
    expect(w[2]).toBeCloseTo(0.7, 10);
    const dup = simplexWeights([A, A, B], A, v).weights;
    expect(dup).toEqual([1, 0, 0]);
  });
});

describe('blendWeights (the selection step)', () => {
  const cand = (id: string, validationRmse: number) => ({
    id,
    kind: 'dual' as const,
    settings: {},
    lambda: 0,
    validationRmse,
    numGroups: 1,
    chosen: false,
  });

  it('weighs every task alike with the mean metric, drops weights under 0.01 and scores the blend', () => {
    const rng = new Random(5);
    // Two tasks: task 0 has 50 rows, task 1 has 5. Candidate 0 fits task 0, candidate 1 task 1.
    const y = [rng.normals(50), rng.normals(5)];
    const noise = (t: Float64Array, s: number) => Float64Array.from(t, (v) => v + s * rng.normal());
    const p0 = [noise(y[0]!, 0.1), noise(y[1]!, 1)];
    const p1 = [noise(y[0]!, 1), noise(y[1]!, 0.1)];
    const far = [noise(y[0]!, 5), noise(y[1]!, 5)];
    const mean = blendWeights(
      [cand('a', 1), cand('b', 1), cand('far', 2)],
      [p0, p1, far],
      y,
      false,
    );
    const size = blendWeights([cand('a', 1), cand('b', 1), cand('far', 2)], [p0, p1, far], y, true);
    expect(mean).not.toBeNull();
    expect(mean!.weights[2]).toBe(0);
    // Per-task weighting gives task 1's candidate more weight than row weighting does.
    expect(mean!.weights[1]!).toBeGreaterThan(size?.weights[1] ?? 0);
    // The score is the mean over tasks of the blend's RMSE.
    const w = mean!.weights;
    const rmse = y.map((t, r) => {
      let s = 0;
      for (let i = 0; i < t.length; i++)
        s += (t[i]! - w[0]! * p0[r]![i]! - w[1]! * p1[r]![i]! - w[2]! * far[r]![i]!) ** 2;
      return Math.sqrt(s / t.length);
    });
    expect(mean!.score).toBeCloseTo((rmse[0]! + rmse[1]!) / 2, 12);
  });

  it('leaves out a candidate more than 3% behind the best on validation, however it would mix', () => {
    const rng = new Random(8);
    const y = [rng.normals(40)];
    // Two candidates with independent errors: stacking would give each about half.
    const a = [Float64Array.from(y[0]!, (v) => v + 0.5 * rng.normal())];
    const b = [Float64Array.from(y[0]!, (v) => v + 0.5 * rng.normal())];
    const both = blendWeights([cand('a', 0.5), cand('b', 0.51)], [a, b], y, false);
    expect(both!.weights[0]!).toBeGreaterThan(0.2);
    expect(both!.weights[1]!).toBeGreaterThan(0.2);
    expect(blendWeights([cand('a', 0.5), cand('b', 0.5 * 1.031)], [a, b], y, false)).toBeNull();
  });

  it('is null when one candidate takes (nearly) all the weight, or predictions are not finite', () => {
    const rng = new Random(6);
    const y = [rng.normals(30)];
    const good = [Float64Array.from(y[0]!, (v) => v + 0.01 * rng.normal())];
    const bad = [Float64Array.from(y[0]!, () => 3 * rng.normal())];
    expect(blendWeights([cand('good', 0.01), cand('bad', 3)], [good, bad], y, false)).toBeNull();
    const nan = [Float64Array.from(y[0]!, () => Number.NaN)];
    expect(blendWeights([cand('good', 0.01), cand('nan', 0)], [good, nan], y, false)).toBeNull();
  });
});
