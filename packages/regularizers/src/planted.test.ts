import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '@hetmtl/estimator';
import { type FusionResult, prepareFusion } from './fusion.js';
import { knnPairs } from './fusion-graph.js';
import { mcp } from './mcp.js';
import { scad } from './scad.js';
import { gaussSolve, maxAbsDiff, norm, pooledOracle } from './test-fixtures/oracles.js';
import { plantedProblem, type RawProblem } from './test-fixtures/problems.js';

const RIDGE = 1e-3;

/** Oracle: least squares with β tied within the true groups, from the raw designs (X_r, y_r). */
function tiedLeastSquares(raw: RawProblem, groups: readonly number[]): number[][] {
  const K = raw.problem.A[0]!.rows;
  const G = Math.max(...groups) + 1;
  return Array.from({ length: G }, (_, g) => {
    const M = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    const v = new Array<number>(K).fill(0);
    groups.forEach((l, r) => {
      if (l !== g) return;
      const X = raw.X[r]!;
      const y = raw.y[r]!;
      const n = y.length;
      const f = raw.problem.weights[r]! / n;
      for (let i = 0; i < n; i++) {
        for (let a = 0; a < K; a++) {
          v[a]! += f * X[i * K + a]! * y[i]!;
          for (let b = 0; b < K; b++) M[a]![b]! += f * X[i * K + a]! * X[i * K + b]!;
        }
      }
      for (let a = 0; a < K; a++) M[a]![a]! += RIDGE;
    });
    return gaussSolve(M, v);
  });
}

function withinGroupSpread(res: FusionResult): number {
  let d = 0;
  res.beta.forEach((a, r) => {
    res.beta.forEach((b, s) => {
      if (res.groups[r] === res.groups[s]) d = Math.max(d, maxAbsDiff(a, b));
    });
  });
  return d;
}

function minBetweenGap(res: FusionResult): number {
  let d = Number.POSITIVE_INFINITY;
  res.beta.forEach((a, r) => {
    res.beta.forEach((b, s) => {
      if (res.groups[r] !== res.groups[s]) d = Math.min(d, norm(a.map((x, k) => x - b[k]!)));
    });
  });
  return d;
}

describe('a planted 3-group problem (R = 9, K = 3) is recovered exactly along the warm path', () => {
  const raw = plantedProblem({ R: 9, K: 3, nr: 50, noise: 0.1, seed: 1 });
  const oracle = tiedLeastSquares(raw, raw.truth);

  for (const [penalty, kappa, recover] of [
    [mcp(), 3, [0.12, 0.18, 0.25, 0.35, 0.5, 0.65, 0.8]],
    [scad(), 3.7, [0.12, 0.18, 0.25, 0.35, 0.5, 0.6]],
  ] as const) {
    it(`${penalty.kind}: ARI = 1, tied β within groups, and β = the tied least squares (oracle property)`, () => {
      const prep = prepareFusion(raw.problem, penalty);
      const path = prep.path({
        lambdas: [0.001, 0.01, 0.03, 0.06, ...recover],
        tol: 1e-10,
        maxIter: 20000,
      });
      for (const res of path) expect(res.converged).toBe(true);
      expect(path[0]!.numGroups).toBe(9);
      for (const res of path.filter((r) => r.lambda >= 0.12)) {
        expect(adjustedRandIndex(res.groups, raw.truth)).toBe(1);
        expect(res.groups).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
        expect(withinGroupSpread(res)).toBeLessThan(1e-8);
        // Between-group gaps beyond κλ sit where the penalty is flat, so the solution is the
        // least-squares fit with β tied within groups.
        expect(minBetweenGap(res)).toBeGreaterThan(kappa * res.lambda);
        res.beta.forEach((b, r) => {
          expect(maxAbsDiff(b, oracle[raw.truth[r]!]!)).toBeLessThan(1e-8);
        });
      }
    });
  }

  it('the default grid recovers the groups on a contiguous range of λ', () => {
    const path = prepareFusion(raw.problem, mcp()).path({ tol: 1e-10, maxIter: 20000 });
    const hits = path.map(
      (r) => adjustedRandIndex(r.groups, raw.truth) === 1 && withinGroupSpread(r) < 1e-8,
    );
    const first = hits.indexOf(true);
    const last = hits.lastIndexOf(true);
    expect(first).toBeGreaterThan(0);
    expect(last - first + 1).toBeGreaterThanOrEqual(5);
    expect(hits.slice(first, last + 1).every(Boolean)).toBe(true);
    // Below the range tasks are (mostly) apart; above it groups merge.
    expect(path[0]!.numGroups).toBe(9);
    expect(path.at(-1)!.numGroups).toBeLessThan(3);
  });

  it('starting at η = 0 with a large λ collapses every task into one group (the pooled β)', () => {
    const prep = prepareFusion(raw.problem, mcp());
    const res = prep.solve({ lambda: prep.lambdaMax(), init: 'zero', tol: 1e-10, maxIter: 20000 });
    expect(res.numGroups).toBe(1);
    const pooled = pooledOracle(raw.problem.A, raw.problem.b, raw.problem.weights, RIDGE);
    for (const b of res.beta) expect(maxAbsDiff(b, pooled)).toBeLessThan(1e-8);
  });
});

describe('many tasks (R = 160, K = 4): sparse knn graph, default tolerance', () => {
  it('converges at every λ of the default path and recovers the planted groups', () => {
    const raw = plantedProblem({ R: 160, K: 4, nr: 120, noise: 0.5, seed: 3 });
    const prep = prepareFusion(raw.problem, mcp());
    expect(prep.pairs).toEqual(knnPairs(prep.unfusedBeta, 5));
    const path = prep.path();
    expect(path.length).toBe(20);
    for (const res of path) {
      expect(res.converged).toBe(true);
      expect(res.primalResidual).toBeLessThanOrEqual(1e-5);
      expect(res.dualResidual).toBeLessThanOrEqual(1e-5);
    }
    const best = Math.max(...path.map((r) => adjustedRandIndex(r.groups, raw.truth)));
    expect(best).toBe(1);
  });
});
