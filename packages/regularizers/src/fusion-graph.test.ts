import { Random, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { connectedComponents } from './connected-components.js';
import { mcp } from './mcp.js';
import { prepareFusion } from './fusion.js';
import { allPairs, allPairsDistanceQuantile, knnPairs, quantile } from './fusion-graph.js';
import { plantedProblem } from './test-fixtures/problems.js';
import { norm } from './test-fixtures/oracles.js';

/** Oracle: the k nearest by sorting all distances of task r (ties by index). */
function nearest(beta: readonly Float64Array[], r: number, k: number): number[] {
  return beta
    .map((b, s) => ({ s, d: norm(b.map((x, i) => x - beta[r]![i]!)) }))
    .filter((o) => o.s !== r)
    .sort((x, y) => x.d - y.d || x.s - y.s)
    .slice(0, k)
    .map((o) => o.s);
}

describe('fusion graphs', () => {
  it('allPairs lists the R(R−1)/2 pairs r < s', () => {
    const p = allPairs(5);
    expect(p.length).toBe(10);
    expect(p[0]).toEqual([0, 1]);
    expect(p.every(([r, s]) => r < s)).toBe(true);
  });

  it('the knn graph is symmetric, contains each task’s 5 nearest, and is connected', () => {
    const rng = new Random(2);
    // Two far-apart clusters: the 5-nearest graph alone would be disconnected.
    const beta = Array.from({ length: 40 }, (_, r) => rng.normals(3, r < 20 ? 0 : 50, 1));
    const pairs = knnPairs(beta, 5);
    const R = 40;
    const adj = Array.from({ length: R }, () => new Array<boolean>(R).fill(false));
    for (const [r, s] of pairs) {
      expect(r).toBeLessThan(s);
      adj[r]![s] = true;
      adj[s]![r] = true;
    }
    for (let r = 0; r < R; r++) for (let s = 0; s < R; s++) expect(adj[r]![s]).toBe(adj[s]![r]);
    for (let r = 0; r < R; r++) for (const s of nearest(beta, r, 5)) expect(adj[r]![s]).toBe(true);
    expect(new Set(connectedComponents(R, pairs)).size).toBe(1);
    // Sparse: at most k·R knn edges plus R − 1 tree edges.
    expect(pairs.length).toBeLessThanOrEqual(5 * R + R - 1);
    expect(pairs.length).toBeLessThan((R * (R - 1)) / 2);
    expect(new Set(pairs.map(([r, s]) => `${r},${s}`)).size).toBe(pairs.length);
  });

  it('is the default fusion graph for R > 30 (built on the unfused β), all pairs for R ≤ 30', () => {
    const big = plantedProblem({ R: 36, K: 3, nr: 30, seed: 4 });
    const prep = prepareFusion(big.problem, mcp());
    expect(prep.pairs).toEqual(knnPairs(prep.unfusedBeta, 5));
    expect(prep.numPairs).toBeLessThan((36 * 35) / 2);
    expect(prepareFusion(big.problem, mcp(), { graph: 'all' }).numPairs).toBe(630);
    expect(prepareFusion(big.problem, mcp(), { knn: 2 }).pairs).toEqual(
      knnPairs(prep.unfusedBeta, 2),
    );
    const small = plantedProblem({ R: 30, nr: 20 });
    expect(prepareFusion(small.problem, mcp()).numPairs).toBe(435);
  });

  it('falls back to all pairs when k ≥ R − 1 and rejects a bad k', () => {
    const beta = [0, 1, 2, 3].map((x) => Float64Array.from([x]));
    expect(knnPairs(beta, 3)).toEqual(allPairs(4));
    expect(() => knnPairs(beta, 0)).toThrow(ValidationError);
  });

  it('quantile interpolates between order statistics (type 7)', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
    expect(quantile([1, 2], 0.9)).toBeCloseTo(1.9, 14);
  });

  it('allPairsDistanceQuantile is the quantile of all R(R−1)/2 distances (sorted by brute force)', () => {
    const rng = new Random(8);
    const sets: Float64Array[][] = [
      Array.from({ length: 70 }, () => rng.normals(4)),
      // Ties: many equal β (distances 0 and repeated values).
      Array.from({ length: 50 }, (_, r) => Float64Array.from([r % 3, 0, (r % 5) * 0.5])),
      [Float64Array.from([1, 2])],
      [Float64Array.from([1, 2]), Float64Array.from([4, 6])],
      Array.from({ length: 6 }, () => Float64Array.from([2, 2])),
    ];
    for (const beta of sets) {
      const all: number[] = [];
      for (let r = 0; r < beta.length; r++)
        for (let s = r + 1; s < beta.length; s++)
          all.push(norm(beta[r]!.map((x, i) => x - beta[s]![i]!)));
      for (const q of [0, 0.1, 0.5, 0.9, 0.97, 1])
        expect(allPairsDistanceQuantile(beta, q)).toBe(all.length ? quantile(all, q) : 0);
    }
  });
});
