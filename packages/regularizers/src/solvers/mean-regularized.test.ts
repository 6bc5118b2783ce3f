import { ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { fuse } from '../fusion.js';
import { graph } from '../graph.js';
import { gaussSolve, maxAbsDiff } from '../test-fixtures/oracles.js';
import { plantedProblem, randomProblem } from '../test-fixtures/problems.js';
import {
  type MeanRegularizedOptions,
  MeanRegularizedSolver,
  solveMeanRegularized,
} from './mean-regularized.js';

const problem = randomProblem(3, 5, 3);
const R = problem.A.length;
const K = 3;
const mr = {
  A: problem.A.map((a) => a.data),
  b: problem.b.map((v) => Float64Array.from(v)),
  dim: K,
};

/**
 * Oracle: the normal equations of the whole objective in (β_1 … β_R, m), written out row by row
 * from its definition and solved by Gaussian elimination.
 */
function fullSolve(lambda: number, o: Required<MeanRegularizedOptions>) {
  const n = (R + 1) * K;
  const M = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const rhs = new Array<number>(n).fill(0);
  const taskRidge = o.taskRidge as readonly number[];
  for (let r = 0; r < R; r++) {
    const s = o.lossWeights[r]!;
    const mu = lambda * o.pullWeights[r]!;
    for (let i = 0; i < K; i++) {
      const row = r * K + i;
      for (let j = 0; j < K; j++) M[row]![r * K + j]! += s * mr.A[r]![i * K + j]!;
      M[row]![row]! += s * o.lossRidge + taskRidge[r]! + mu;
      M[row]![R * K + i]! -= mu;
      M[R * K + i]![row]! -= mu;
      M[R * K + i]![R * K + i]! += mu;
      rhs[row] = s * mr.b[r]![i]!;
    }
  }
  for (let i = 0; i < K; i++) M[R * K + i]![R * K + i]! += o.centreRidge;
  const x = gaussSolve(M, rhs);
  return {
    beta: Array.from({ length: R }, (_, r) => x.slice(r * K, (r + 1) * K)),
    centre: x.slice(R * K),
  };
}

const general: Required<MeanRegularizedOptions> = {
  lossWeights: [0.1, 0.3, 0.2, 0.25, 0.15],
  lossRidge: 1e-2,
  taskRidge: [1e-3, 0, 2e-3, 0, 1e-3],
  centreRidge: 0.05,
  pullWeights: [1, 2, 0.5, 1, 3],
};

describe('MeanRegularizedSolver', () => {
  it('solves the whole objective exactly (block elimination = the full normal equations)', () => {
    const solver = new MeanRegularizedSolver(mr, general);
    for (const lambda of [1e-3, 0.2, 5, 300]) {
      const got = solver.solve(lambda);
      const want = fullSolve(lambda, general);
      for (let r = 0; r < R; r++)
        expect(maxAbsDiff(got.beta[r]!, want.beta[r]!)).toBeLessThan(1e-9);
      expect(maxAbsDiff(got.centre, want.centre)).toBeLessThan(1e-9);
    }
  });

  it('λ = 0: independent ridge fits and centre 0; λ = ∞: one β, (Σ H_r + κI) β = Σ g_r; large λ tends to it', () => {
    const solver = new MeanRegularizedSolver(mr, general);
    const zero = solver.solve(0);
    expect(Array.from(zero.centre)).toEqual([0, 0, 0]);
    for (let r = 0; r < R; r++) {
      const s = general.lossWeights[r]!;
      const rho = s * general.lossRidge + (general.taskRidge as number[])[r]!;
      const H = Array.from({ length: K }, (_, i) =>
        Array.from({ length: K }, (_, j) => s * mr.A[r]![i * K + j]! + (i === j ? rho : 0)),
      );
      const want = gaussSolve(
        H,
        Array.from(mr.b[r]!, (v) => s * v),
      );
      expect(maxAbsDiff(zero.beta[r]!, want)).toBeLessThan(1e-10);
    }
    const inf = solver.solve(Number.POSITIVE_INFINITY);
    const H = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    const g = new Array<number>(K).fill(0);
    for (let r = 0; r < R; r++) {
      const s = general.lossWeights[r]!;
      for (let i = 0; i < K; i++) {
        for (let j = 0; j < K; j++) H[i]![j]! += s * mr.A[r]![i * K + j]!;
        H[i]![i]! += s * general.lossRidge + (general.taskRidge as number[])[r]!;
        g[i]! += s * mr.b[r]![i]!;
      }
    }
    for (let i = 0; i < K; i++) H[i]![i]! += general.centreRidge;
    const common = gaussSolve(H, g);
    expect(maxAbsDiff(inf.centre, common)).toBeLessThan(1e-10);
    for (const b of inf.beta) expect(Array.from(b)).toEqual(Array.from(inf.centre));
    const large = solver.solve(1e9);
    for (const b of large.beta) expect(maxAbsDiff(b, common)).toBeLessThan(1e-6);
  });

  it('names its ridge conventions: a ridge in each weighted loss (ρ_loss) is taskRidge s_r·ρ', () => {
    const s = general.lossWeights;
    const inLoss = new MeanRegularizedSolver(mr, { lossWeights: s, lossRidge: 0.01 });
    const perTask = new MeanRegularizedSolver(mr, {
      lossWeights: s,
      taskRidge: s.map((w) => 0.01 * w),
    });
    for (const lambda of [0, 0.3, Number.POSITIVE_INFINITY]) {
      const a = inLoss.solve(lambda);
      const b = perTask.solve(lambda);
      for (let r = 0; r < R; r++) expect(maxAbsDiff(a.beta[r]!, b.beta[r]!)).toBeLessThan(1e-12);
    }
  });

  it('is the fast path of the quadratic fusion solve on all pairs with equal weights (graph)', () => {
    // λ Σ_{r<s} ‖β_r − β_s‖²/|E| = λ (R/|E|) min_m Σ_r ‖β_r − m‖²: pull weights 2R/|E| = 4/(R − 1).
    const { problem: planted } = plantedProblem({ R: 7, K: 3, seed: 5 });
    const P = planted.A.length;
    const ones = Array.from({ length: P }, (_, r) =>
      Array.from({ length: P }, (_, s) => (r === s ? 0 : 1)),
    );
    const solver = new MeanRegularizedSolver(
      { A: planted.A.map((a) => a.data), b: planted.b.map((v) => Float64Array.from(v)), dim: 3 },
      {
        lossWeights: planted.weights,
        taskRidge: 1e-3,
        pullWeights: new Array(P).fill(4 / (P - 1)),
      },
    );
    for (const lambda of [0, 0.01, 0.3, 10, 1e4]) {
      const general = fuse(planted, graph({ weights: ones }), { lambda, ridge: 1e-3 });
      const fast = solver.solve(lambda);
      for (let r = 0; r < P; r++)
        expect(maxAbsDiff(fast.beta[r]!, general.beta[r]!)).toBeLessThan(1e-10);
    }
  });

  it('solveMeanRegularized is one solve; bad inputs are ValidationErrors', () => {
    const a = solveMeanRegularized(mr, 0.2, general);
    const b = new MeanRegularizedSolver(mr, general).solve(0.2);
    expect(a.beta.map((v) => Array.from(v))).toEqual(b.beta.map((v) => Array.from(v)));
    expect(() => new MeanRegularizedSolver({ ...mr, b: mr.b.slice(1) })).toThrow(ValidationError);
    expect(() => new MeanRegularizedSolver(mr, { taskRidge: -1 })).toThrow(ValidationError);
    expect(() => new MeanRegularizedSolver(mr, { pullWeights: [1, 2] })).toThrow(ValidationError);
    expect(() => new MeanRegularizedSolver(mr).solve(Number.NaN)).toThrow(ValidationError);
  });
});
