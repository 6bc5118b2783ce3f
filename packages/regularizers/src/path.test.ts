import { AbortError, matrix } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { modifiedBic } from './criteria.js';
import { fusedLasso } from './fused-lasso.js';
import { prepareFusion } from './fusion.js';
import { mcp } from './mcp.js';
import { lambdaPath, solveAlongPath, tiedPoint } from './path.js';
import type { FusionProblem } from './problem.js';
import { gaussSolve, maxAbsDiff } from './test-fixtures/oracles.js';
import { plantedProblem } from './test-fixtures/problems.js';

/** The planted problem with the residual terms of plain least squares: Q = XᵀX, q = Xᵀy, s = yᵀy. */
function withResidual(seed = 1) {
  const raw = plantedProblem({ seed, R: 6, K: 3, nr: 30, noise: 0.5 });
  const K = 3;
  const Q = raw.X.map((X, r) => {
    const n = raw.y[r]!.length;
    const m = new Float64Array(K * K);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < K; j++)
        for (let k = 0; k < K; k++) m[j * K + k] = m[j * K + k]! + X[i * K + j]! * X[i * K + k]!;
    return matrix(K, K, m);
  });
  const q = raw.X.map((X, r) => {
    const y = raw.y[r]!;
    const v = new Float64Array(K);
    for (let i = 0; i < y.length; i++)
      for (let j = 0; j < K; j++) v[j] = v[j]! + X[i * K + j]! * y[i]!;
    return v;
  });
  const s = raw.y.map((y) => y.reduce((a, v) => a + v * v, 0));
  const problem: FusionProblem = { ...raw.problem, residual: { Q, q, s } };
  return { raw, problem };
}

/** Σ_r ‖y_r − X_r β_r‖², from the rows. */
function directRss(raw: ReturnType<typeof plantedProblem>, beta: readonly Float64Array[]): number {
  let rss = 0;
  raw.X.forEach((X, r) => {
    const y = raw.y[r]!;
    for (let i = 0; i < y.length; i++) {
      let e = y[i]!;
      for (let k = 0; k < 3; k++) e -= X[i * 3 + k]! * beta[r]![k]!;
      rss += e * e;
    }
  });
  return rss;
}

describe('the λ path', () => {
  it('runs λ = 0, the positive grid ascending and λ = ∞; λ = 0 is the unfused solution', async () => {
    const { problem } = withResidual();
    const prepared = prepareFusion(problem, mcp(), { ridge: 1e-3 });
    const path = await lambdaPath(prepared, { numLambdas: 6 });
    const lambdas = path.points.map((p) => p.lambda);
    expect(lambdas[0]).toBe(0);
    expect(lambdas[lambdas.length - 1]).toBe(Number.POSITIVE_INFINITY);
    expect(lambdas).toEqual([...lambdas].sort((a, b) => a - b));
    expect(lambdas.slice(1, -1)).toEqual(prepared.lambdaGrid({ numLambdas: 6 }));
    for (let r = 0; r < 6; r++)
      expect(maxAbsDiff(path.points[0]!.beta[r]!, prepared.unfusedBeta[r]!)).toBeLessThan(1e-12);
    expect(path.points[path.points.length - 1]!.numGroups).toBe(1);
  });

  it('solves the positive λ as one warm-started path, whatever the chunks (same as PreparedFusion.path)', async () => {
    const { problem } = withResidual(2);
    const prepared = prepareFusion(problem, mcp(), { ridge: 1e-3 });
    const grid = prepared.lambdaGrid({ numLambdas: 5 });
    const sync = prepared.path({ lambdas: grid });
    const path = await lambdaPath(prepared, { lambdas: grid, maxIter: 1000 });
    path.points.forEach((p, i) => {
      expect(p.lambda).toBe(grid[i]);
      for (let r = 0; r < 6; r++)
        expect(maxAbsDiff(p.beta[r]!, sync[i]!.beta[r]!)).toBeLessThan(1e-9);
      expect(p.groups).toEqual(sync[i]!.groups);
    });
  });

  it('λ = ∞ is the limit of the path: the tied refit with ρ on every task (R·ρ), not ρ once', async () => {
    // A large ridge makes the two conventions far apart.
    const { problem } = withResidual(3);
    const ridge = 0.2;
    const prepared = prepareFusion(problem, fusedLasso(), { ridge });
    const tied = tiedPoint(prepared).beta[0]!;
    const far = prepared.solve({ lambda: 1e4 * prepared.lambdaMax(1), tol: 1e-10, maxIter: 20000 });
    expect(far.numGroups).toBe(1);
    expect(maxAbsDiff(far.beta[0]!, tied)).toBeLessThan(1e-5);
    // The oracle: (Σ w_r A_r + R·ρ I) θ = Σ w_r b_r by Gaussian elimination.
    const R = problem.A.length;
    const M = [0, 1, 2].map((i) =>
      [0, 1, 2].map(
        (j) =>
          problem.A.reduce((s, A, r) => s + problem.weights[r]! * A.data[i * 3 + j]!, 0) +
          (i === j ? R * ridge : 0),
      ),
    );
    const rhs = [0, 1, 2].map((i) =>
      problem.b.reduce((s, b, r) => s + problem.weights[r]! * b[i], 0),
    );
    expect(maxAbsDiff(tied, gaussSolve(M, rhs))).toBeLessThan(1e-12);
    // ρ counted once (Σ w_r = 1) is a different point, and not the limit.
    const once = gaussSolve(
      M.map((row, i) => row.map((v, j) => v - (i === j ? (R - 1) * ridge : 0))),
      rhs,
    );
    expect(maxAbsDiff(far.beta[0]!, once)).toBeGreaterThan(1e-3);
  });

  it('reaches one λ the way the path does (warm starts through the grid below it)', async () => {
    const { problem } = withResidual(4);
    const prepared = prepareFusion(problem, mcp(), { ridge: 1e-3 });
    const grid = prepared.lambdaGrid({ numLambdas: 8 });
    const target = grid[5]!;
    const walked = await solveAlongPath(prepared, target, { numLambdas: 8 });
    const path = await lambdaPath(prepared, { lambdas: grid.slice(0, 6) });
    const last = path.points[path.points.length - 1]!;
    expect(walked.lambda).toBe(target);
    for (let r = 0; r < 6; r++)
      expect(maxAbsDiff(walked.beta[r]!, last.beta[r]!)).toBeLessThan(1e-12);
    expect((await solveAlongPath(prepared, Number.POSITIVE_INFINITY)).beta[0]).toEqual(
      tiedPoint(prepared).beta[0],
    );
    const zero = await solveAlongPath(prepared, 0);
    expect(maxAbsDiff(zero.beta[2]!, prepared.unfusedBeta[2]!)).toBeLessThan(1e-12);
  });

  it('scores a point by the modified BIC, with the RSS from the problem equal to the rows’ RSS', async () => {
    const { raw, problem } = withResidual(5);
    const prepared = prepareFusion(problem, fusedLasso(), { ridge: 1e-3 });
    const path = await lambdaPath(prepared, { numLambdas: 4 });
    for (const p of path.points) {
      const rss = directRss(raw, p.beta);
      expect(prepared.residualSumOfSquares(p.beta)).toBeCloseTo(rss, 8);
      const N = 6 * 30;
      const byHand =
        Math.log(rss / N) +
        Math.log(Math.log(N + 6 * 3)) * (Math.log(N) / N) * (p.numGroups * 3 + 6 * 2);
      expect(path.bic(p, { taskParameters: 2 })).toBeCloseTo(byHand, 10);
    }
    // The BIC prefers fewer groups at equal fit: its penalty grows with G.
    const sizes = { rows: 100, tasks: 5, dim: 3, taskParameters: 1 };
    expect(modifiedBic(10, { ...sizes, groups: 1 })).toBeLessThan(
      modifiedBic(10, { ...sizes, groups: 2 }),
    );
  });

  it('stops with an AbortError when the signal is aborted', async () => {
    const { problem } = withResidual(7);
    const prepared = prepareFusion(problem, mcp(), { ridge: 1e-3 });
    const c = new AbortController();
    c.abort();
    await expect(lambdaPath(prepared, { signal: c.signal })).rejects.toThrow(AbortError);
    await expect(solveAlongPath(prepared, 0.1, { signal: c.signal })).rejects.toThrow(AbortError);
  });

  it('refuses a residual that does not match the problem, and a BIC without one', async () => {
    const { problem } = withResidual(6);
    const bad = { ...problem, residual: { ...problem.residual!, s: [1, 2] } };
    expect(() => prepareFusion(bad, mcp())).toThrow(/problem.residual does not match/);
    const { residual: _, ...plain } = problem;
    const prepared = prepareFusion(plain, mcp());
    expect(() => prepared.residualSumOfSquares(prepared.unfusedBeta)).toThrow(/no residual terms/);
    await expect(lambdaPath(prepared, { lambdas: [-1] })).rejects.toThrow(/lambda/);
  });
});
