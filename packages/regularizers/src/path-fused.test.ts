// The λ path stops solving once every pair is fused: the oracle is the full path (every λ solved
// by the ADMM, stopWhenFused: false) — the same points up to the stop, and after it every point one
// group with the full path's β to the ADMM's tolerance and the tied (λ = ∞) β.
import { describe, expect, it } from 'vitest';
import { prepareFusion } from './fusion.js';
import { fusedLasso } from './fused-lasso.js';
import { mcp } from './mcp.js';
import { lambdaPath, tiedPoint } from './path.js';
import type { Penalty } from './penalty.js';
import { maxAbsDiff } from './test-fixtures/oracles.js';
import { plantedProblem } from './test-fixtures/problems.js';

const cases: [string, Penalty][] = [
  ['mcp', mcp()],
  ['fused lasso', fusedLasso()],
];

describe('the λ path stops once every pair is fused', () => {
  for (const [name, penalty] of cases) {
    it(`${name}: the full path's points up to the stop, one group after it`, async () => {
      const raw = plantedProblem({ seed: 3, R: 8, K: 3, nr: 20, noise: 0.5 });
      const prepared = prepareFusion(raw.problem, penalty, { ridge: 1e-3 });
      // A grid reaching far beyond full fusion (quantile 1, then ×1000).
      const lambdas = prepared.lambdaGrid({ numLambdas: 16, lambdaMinRatio: 1e-4, quantile: 1 });
      const grid = [...lambdas, ...lambdas.slice(-4).map((l) => 1000 * l)];
      const full = await lambdaPath(prepared, {
        lambdas: grid,
        stopWhenFused: false,
        maxIter: 20000,
      });
      const early = await lambdaPath(prepared, { lambdas: grid, maxIter: 20000 });
      expect(early.points.map((p) => p.lambda)).toEqual(full.points.map((p) => p.lambda));
      const stop = early.points.findIndex(
        (p) => p.result!.numFusedPairs === p.result!.numPairs && p.result!.converged,
      );
      expect(stop).toBeGreaterThanOrEqual(0);
      expect(stop).toBeLessThan(grid.length - 1); // the stop saves solves
      const tied = tiedPoint(prepared).beta;
      early.points.forEach((p, i) => {
        const f = full.points[i]!;
        if (i <= stop) {
          expect(p.groups).toEqual(f.groups);
          expect(p.result!.iterations).toBe(f.result!.iterations);
          p.beta.forEach((b, r) => expect(Array.from(b)).toEqual(Array.from(f.beta[r]!)));
          return;
        }
        expect(p.numGroups).toBe(1);
        expect(f.numGroups).toBe(1);
        expect(p.result!.iterations).toBe(0);
        p.beta.forEach((b, r) => {
          expect(maxAbsDiff(b, f.beta[r]!)).toBeLessThan(1e-3);
          expect(maxAbsDiff(b, tied[r]!)).toBeLessThan(1e-3);
        });
      });
    });
  }
});

describe('the λ path in chunks', () => {
  it('reports at each λ the iterations of one uninterrupted warm-started solve', async () => {
    const raw = plantedProblem({ seed: 5, R: 8, K: 3, nr: 20, noise: 0.5 });
    const prepared = prepareFusion(raw.problem, mcp(), { ridge: 1e-3 });
    const grid = prepared.lambdaGrid({ numLambdas: 12 });
    const path = await lambdaPath(prepared, { lambdas: grid, stopWhenFused: false, maxIter: 300 });
    let warm: ReturnType<typeof prepared.solve>['state'] | undefined;
    const want = grid.map((lambda) => {
      const r = prepared.solve({ lambda, maxIter: 300, ...(warm ? { warm } : {}) });
      warm = r.state;
      return r.iterations;
    });
    expect(Math.max(...want)).toBeGreaterThan(25); // more than the first chunk
    expect(path.points.map((p) => p.result!.iterations)).toEqual(want);
  });
});
