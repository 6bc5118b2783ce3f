import { ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { centre } from '../centre.js';
import { prepareFusion } from '../fusion.js';
import { gaussSolve, maxAbsDiff, norm } from '../test-fixtures/oracles.js';
import { plantedProblem } from '../test-fixtures/problems.js';
import { CentreShrinkageSolver, weightedMedian } from './centre-admm.js';

const RIDGE = 1e-3;
const K = 2;
const { problem } = plantedProblem({
  R: 6,
  K,
  nr: [15, 40, 25, 60, 10, 30],
  noise: 0.6,
  seed: 8,
  centres: [
    [1, 0],
    [0.6, 0.3],
    [-1, 1],
  ],
});
const R = problem.A.length;
/** The centre() fusion problem in the solver's terms: s_r = w_r, ρ_r = ridge, t_r = w_r √(K/n_r). */
const t = problem.weights.map((w, r) => w * Math.sqrt(K / problem.n[r]!));
const solverProblem = {
  A: problem.A.map((a) => a.data),
  b: problem.b.map((v) => Float64Array.from(v)),
  dim: K,
  lossWeights: problem.weights,
  taskRidge: new Array<number>(R).fill(RIDGE),
  penaltyWeights: t,
};
const newSolver = () =>
  new CentreShrinkageSolver(solverProblem, { tolerance: 1e-11, maxIterations: 200_000 });

/** ∇ of task r's smooth part: w_r(A_r β − b_r) + ρ β. */
function gradient(r: number, beta: Float64Array): number[] {
  return Array.from({ length: K }, (_, i) => {
    let g = -problem.weights[r]! * problem.b[r]![i]! + RIDGE * beta[i]!;
    for (let j = 0; j < K; j++)
      g += problem.weights[r]! * problem.A[r]!.data[i * K + j]! * beta[j]!;
    return g;
  });
}

describe('CentreShrinkageSolver (the per-task eigen ADMM for centre shrinkage)', () => {
  const solver = newSolver();
  const top = solver.lambdaMax();
  const lambdas = [0.01, 0.05, 0.2, 0.5, 0.9].map((f) => f * top);
  const path = lambdas.map((lambda) => solver.solve(lambda));

  it('satisfies the KKT conditions: Σ_r ∇f_r = 0, ∇f_r = −λ t_r u_r off the centre, ‖∇f_r‖ ≤ λ t_r on it', () => {
    const patterns = new Set<string>();
    path.forEach((res) => {
      expect(res.converged).toBe(true);
      patterns.add(res.onCentre.join());
      const total = new Array<number>(K).fill(0);
      res.beta.forEach((b, r) => {
        const g = gradient(r, b);
        g.forEach((v, i) => {
          total[i]! += v;
        });
        const d = Array.from(b, (x, i) => x - res.centre[i]!);
        const lt = res.lambda * t[r]!;
        if (res.onCentre[r]) expect(norm(g)).toBeLessThanOrEqual(lt * (1 + 1e-6));
        else
          g.forEach((v, i) => {
            expect(Math.abs(v + (lt * d[i]!) / norm(d))).toBeLessThan(1e-6 * lt);
          });
      });
      total.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-8));
    });
    expect(patterns.size).toBeGreaterThan(1);
  });

  it('equals the general fusion ADMM on the centre() problem (same β, same tasks on the centre)', () => {
    const prep = prepareFusion(problem, centre(), { ridge: RIDGE });
    const general = prep.path({ lambdas, tol: 1e-11, maxIter: 200_000 });
    general.forEach((ref, k) => {
      const fast = path[k]!;
      expect(ref.converged).toBe(true);
      ref.beta.forEach((b, r) => expect(maxAbsDiff(fast.beta[r]!, b)).toBeLessThan(1e-6));
      expect(maxAbsDiff(fast.centre, ref.centre!)).toBeLessThan(1e-6);
      const centreGroup = ref.groups[fast.onCentre.indexOf(true)];
      fast.onCentre.forEach((on, r) => {
        if (on) expect(ref.groups[r]).toBe(centreGroup);
      });
      expect(prep.objective(fast.beta, ref.lambda, fast.centre)).toBeCloseTo(ref.objective, 9);
    });
  });

  it('λ = 0: the independent fits and the weighted median; λ ≥ λ_max: everyone on the pooled fit', () => {
    const s = newSolver();
    const zero = s.solve(0);
    zero.beta.forEach((b, r) => {
      const H = Array.from({ length: K }, (_, i) =>
        Array.from(
          { length: K },
          (_, j) => problem.weights[r]! * problem.A[r]!.data[i * K + j]! + (i === j ? RIDGE : 0),
        ),
      );
      const want = gaussSolve(
        H,
        Array.from(problem.b[r]!, (v) => problem.weights[r]! * v),
      );
      expect(maxAbsDiff(b, want)).toBeLessThan(1e-10);
    });
    expect(Array.from(zero.centre)).toEqual(Array.from(weightedMedian(zero.beta, s.weights)));
    const all = s.solve(top);
    expect(all.onCentre.every(Boolean)).toBe(true);
    const H = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    const g = new Array<number>(K).fill(0);
    for (let r = 0; r < R; r++)
      for (let i = 0; i < K; i++) {
        for (let j = 0; j < K; j++)
          H[i]![j]! += problem.weights[r]! * problem.A[r]!.data[i * K + j]!;
        H[i]![i]! += RIDGE;
        g[i]! += problem.weights[r]! * problem.b[r]![i]!;
      }
    const pooled = gaussSolve(H, g);
    all.beta.forEach((b) => expect(maxAbsDiff(b, pooled)).toBeLessThan(1e-10));
    // λ_max is the smallest λ with every task on the centre: max_r ‖∇f_r(pooled)‖ / t_r.
    const ratios = problem.A.map((_, r) => norm(gradient(r, Float64Array.from(pooled))) / t[r]!);
    expect(top).toBeCloseTo(Math.max(...ratios), 10);
  });

  it('weightedMedian is the argmin of Σ ω_r ‖β_r − m‖ (brute force on a grid) and stops on a dominant point', () => {
    const pts = [
      [0, 0],
      [1, 0],
      [0, 2],
      [3, 1],
    ].map((p) => Float64Array.from(p));
    const w = Float64Array.from([1, 2, 1, 1.5]);
    const m = weightedMedian(pts, w);
    const cost = (x: number, y: number) =>
      pts.reduce((s, p, r) => s + w[r]! * Math.hypot(p[0]! - x, p[1]! - y), 0);
    let best = Number.POSITIVE_INFINITY;
    for (let x = -0.5; x <= 3; x += 0.005)
      for (let y = -0.5; y <= 2; y += 0.005) best = Math.min(best, cost(x, y));
    expect(cost(m[0]!, m[1]!)).toBeLessThanOrEqual(best + 1e-9);
    // A point carrying more than half the weight is the median.
    const heavy = weightedMedian(pts, Float64Array.from([10, 1, 1, 1]));
    expect(maxAbsDiff(heavy, [0, 0])).toBeLessThan(1e-9);
  });

  it('rejects inconsistent problems', () => {
    const opts = { tolerance: 1e-7, maxIterations: 10 };
    expect(
      () => new CentreShrinkageSolver({ ...solverProblem, penaltyWeights: [1, 2] }, opts),
    ).toThrow(ValidationError);
    expect(
      () =>
        new CentreShrinkageSolver(
          { ...solverProblem, taskRidge: new Array<number>(R).fill(-1) },
          opts,
        ),
    ).toThrow(ValidationError);
  });
});
