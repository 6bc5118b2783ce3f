import { ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { fusedLasso } from './fused-lasso.js';
import { fuse } from './fusion.js';
import { refitGroups } from './refit.js';
import { gaussSolve, maxAbsDiff } from './test-fixtures/oracles.js';
import { plantedProblem } from './test-fixtures/problems.js';

describe('refit within groups', () => {
  const raw = plantedProblem({
    R: 9,
    K: 3,
    nr: [20, 35, 50, 15, 60, 25, 40, 30, 45],
    noise: 0.3,
    seed: 6,
  });
  const { problem } = raw;
  const K = 3;

  /** Oracle: stacked weighted ridge least squares with tied β, from the raw X_r and y_r. */
  function stacked(groups: readonly number[], ridge: number): number[][] {
    return groups.map((g) => {
      const M = Array.from({ length: K }, () => new Array<number>(K).fill(0));
      const v = new Array<number>(K).fill(0);
      groups.forEach((l, r) => {
        if (l !== g) return;
        const n = raw.y[r]!.length;
        const f = problem.weights[r]! / n;
        for (let i = 0; i < n; i++) {
          for (let a = 0; a < K; a++) {
            v[a]! += f * raw.X[r]![i * K + a]! * raw.y[r]![i]!;
            for (let b = 0; b < K; b++)
              M[a]![b]! += f * raw.X[r]![i * K + a]! * raw.X[r]![i * K + b]!;
          }
        }
        for (let a = 0; a < K; a++) M[a]![a]! += ridge;
      });
      return gaussSolve(M, v);
    });
  }

  it('equals the least-squares solution with tied coefficients', () => {
    for (const groups of [
      raw.truth,
      [0, 0, 1, 1, 1, 2, 2, 3, 3],
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
      new Array(9).fill(0),
    ]) {
      const got = refitGroups(problem, groups);
      const want = stacked(groups, 1e-3);
      for (let r = 0; r < 9; r++) expect(maxAbsDiff(got[r]!, want[r]!)).toBeLessThan(1e-12);
    }
    const got = refitGroups(problem, raw.truth, { ridge: 0.5 });
    const want = stacked(raw.truth, 0.5);
    for (let r = 0; r < 9; r++) expect(maxAbsDiff(got[r]!, want[r]!)).toBeLessThan(1e-12);
  });

  it('fuse({ refit: true }) returns the refit in beta and the ADMM solution in fusedBeta', () => {
    const lambda = 0.3;
    const res = fuse(problem, fusedLasso(), { lambda, refit: true, tol: 1e-10, maxIter: 20000 });
    const plain = fuse(problem, fusedLasso(), { lambda, tol: 1e-10, maxIter: 20000 });
    expect(res.refitted).toBe(true);
    expect(plain.refitted).toBe(false);
    expect(res.numGroups).toBeLessThan(9);
    const want = stacked(res.groups, 1e-3);
    for (let r = 0; r < 9; r++) {
      expect(maxAbsDiff(res.beta[r]!, want[r]!)).toBeLessThan(1e-12);
      expect(maxAbsDiff(res.fusedBeta[r]!, plain.beta[r]!)).toBeLessThan(1e-12);
    }
    // The convex penalty shrinks: the refit removes that bias, so the two differ.
    expect(Math.max(...res.beta.map((b, r) => maxAbsDiff(b, res.fusedBeta[r]!)))).toBeGreaterThan(
      1e-3,
    );
  });

  it('rejects labels that do not match the tasks', () => {
    expect(() => refitGroups(problem, [0, 1])).toThrow(ValidationError);
    expect(() => refitGroups(problem, [0, 1])).toThrow(/expected 9 group labels/);
    expect(() => refitGroups(problem, [0, 0, 0, 0, 0, 0, 0, 0, -1])).toThrow(
      /invalid group label \(at task 8\)/,
    );
  });
});
