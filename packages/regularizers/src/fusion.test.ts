import { matrix, NotPositiveDefiniteError, NumericError, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { centre } from './centre.js';
import { fusedLasso } from './fused-lasso.js';
import { fuse, prepareFusion } from './fusion.js';
import { fusionPath, lambdaGrid, lambdaMax } from './fusion-path.js';
import { graph } from './graph.js';
import { mcp } from './mcp.js';
import { none } from './none.js';
import { createPenalty, type Penalty } from './penalty.js';
import { scad } from './scad.js';
import {
  gaussSolve,
  maxAbsDiff,
  norm,
  objectiveFrom,
  pooledOracle,
  rowsOf,
} from './test-fixtures/oracles.js';
import { plantedProblem, randomProblem } from './test-fixtures/problems.js';

const RIDGE = 1e-3;

function completeGraph(R: number): Penalty {
  return graph({
    weights: Array.from({ length: R }, (_, r) =>
      Array.from({ length: R }, (_, s) => (r === s ? 0 : 1)),
    ),
  });
}

describe('λ = 0 is per-task profiled least squares', () => {
  // Σ_r w_r(½βᵀAβ − bᵀβ) + (ρ/2)Σ‖β_r‖² separates: w_r A_r β_r + ρ β_r = w_r b_r,
  // i.e. β_r = (A_r + (ρ/w_r) I)⁻¹ b_r — ridge least squares of task r with ridge ρ/w_r.
  const { problem } = plantedProblem({ R: 6, seed: 3, noise: 0.5, nr: [12, 30, 50, 8, 20, 40] });
  const oracle = problem.A.map((A, r) => {
    const M = rowsOf(A).map((row, i) =>
      row.map((v, j) => v + (i === j ? RIDGE / problem.weights[r]! : 0)),
    );
    return gaussSolve(M, Array.from(problem.b[r]!));
  });
  const penalties: Penalty[] = [mcp(), scad(), fusedLasso(), centre(), completeGraph(6), none()];
  for (const penalty of penalties) {
    for (const init of ['unfused', 'zero'] as const) {
      it(`${penalty.kind}, start ${init}`, () => {
        const res = fuse(problem, penalty, { lambda: 0, init, tol: 1e-11, maxIter: 20000 });
        expect(res.converged).toBe(true);
        for (let r = 0; r < 6; r++) expect(maxAbsDiff(res.beta[r]!, oracle[r]!)).toBeLessThan(1e-7);
        expect(res.numGroups).toBe(6);
        expect(res.groups).toEqual([0, 1, 2, 3, 4, 5]);
      });
    }
  }

  it('the ridge may be given per task (ρ_r), e.g. ρ·w_r for a ridge in each task’s own loss units', () => {
    const ridge = problem.weights.map((w) => 1e-2 * w);
    const res = fuse(problem, mcp(), { lambda: 0, ridge });
    problem.A.forEach((A, r) => {
      const M = rowsOf(A).map((row, i) => row.map((v, j) => v + (i === j ? 1e-2 : 0)));
      expect(maxAbsDiff(res.beta[r]!, gaussSolve(M, Array.from(problem.b[r]!)))).toBeLessThan(
        1e-12,
      );
    });
  });
});

describe('a very large λ gives one common β (the pooled solution)', () => {
  const { problem } = plantedProblem({ R: 9, seed: 2, noise: 0.3 });
  const pooled = pooledOracle(problem.A, problem.b, problem.weights, RIDGE);

  for (const penalty of [mcp(), scad(), fusedLasso()]) {
    it(`${penalty.kind}: cold start and along the warm path`, () => {
      const top = lambdaMax(problem, penalty);
      const cold = fuse(problem, penalty, { lambda: 50 * top, tol: 1e-11, maxIter: 20000 });
      const path = fusionPath(problem, penalty, {
        lambdas: [0.01 * top, top, 10 * top, 50 * top],
        tol: 1e-11,
        maxIter: 20000,
      });
      for (const res of [cold, path.at(-1)!]) {
        expect(res.converged).toBe(true);
        expect(res.numGroups).toBe(1);
        expect(res.groups).toEqual(new Array(9).fill(0));
        for (const b of res.beta) expect(maxAbsDiff(b, pooled)).toBeLessThan(1e-8);
      }
    });
  }

  it('centre: every task joins the centre, which is the pooled β', () => {
    const prep = prepareFusion(problem, centre());
    const res = prep.solve({ lambda: 2 * prep.lambdaMax(1), tol: 1e-11, maxIter: 50000 });
    expect(res.numGroups).toBe(1);
    expect(maxAbsDiff(res.centre!, pooled)).toBeLessThan(1e-8);
    for (const b of res.beta) expect(maxAbsDiff(b, pooled)).toBeLessThan(1e-8);
  });

  it('graph (quadratic): β → pooled at rate 1/λ, without exact fusion', () => {
    const penalty = completeGraph(9);
    const errs = [1e2, 1e4, 1e6].map((lambda) => {
      const res = fuse(problem, penalty, { lambda });
      expect(res.numGroups).toBe(9);
      return Math.max(...res.beta.map((b) => maxAbsDiff(b, pooled)));
    });
    expect(errs[1]! / errs[0]!).toBeLessThan(0.02);
    expect(errs[2]! / errs[1]!).toBeLessThan(0.02);
    expect(errs[2]!).toBeLessThan(1e-5);
  });
});

describe('the ADMM', () => {
  const problem = randomProblem(7, 8, 3);

  it('converges (both residuals below tol) and reports the objective of its β', () => {
    const penalty = mcp();
    const prep = prepareFusion(problem, penalty);
    for (const f of [0.05, 0.3, 1]) {
      const res = prep.solve({ lambda: f * prep.lambdaMax() });
      expect(res.converged).toBe(true);
      expect(res.iterations).toBeLessThan(1000);
      expect(res.primalResidual).toBeLessThanOrEqual(1e-5);
      expect(res.dualResidual).toBeLessThanOrEqual(1e-5);
      const edges = prep.pairs.map(([r, s]) => [r, s, 1 / prep.numPairs] as const);
      const obj = objectiveFrom(
        { ...problem, ridge: RIDGE, edges, pen: (t) => penalty.value(t, res.lambda) },
        res.fusedBeta,
      );
      expect(res.objective).toBeCloseTo(obj, 12);
    }
  });

  it('reports the iteration cap when maxIter is too small', () => {
    const res = fuse(problem, mcp(), {
      lambda: 0.3 * lambdaMax(problem, mcp()),
      maxIter: 3,
      tol: 1e-12,
    });
    expect(res.converged).toBe(false);
    expect(res.iterations).toBe(3);
    expect(Math.max(res.primalResidual, res.dualResidual)).toBeGreaterThan(1e-12);
  });

  for (const penalty of [fusedLasso(), mcp(), scad()]) {
    it(`${penalty.kind}: the returned (β, η, v) satisfy the optimality conditions`, () => {
      // ∇f(β) + Σ_e c_e D_eᵀ v_e = 0, β_i − β_j = η_e, v_e ∈ ∂p_λ(‖η_e‖) (for the convex fusedLasso,
      // these certify the global minimum).
      const prep = prepareFusion(problem, penalty);
      // A λ of the path where some but not all tasks are fused.
      const lambda = prep.path().find((r) => r.numGroups > 1 && r.numGroups < 6)!.lambda;
      const res = prep.solve({ lambda, tol: 1e-11, maxIter: 50000 });
      expect(res.converged).toBe(true);
      const K = 3;
      const grad = problem.A.map((A, r) =>
        Float64Array.from({ length: K }, (_, i) => {
          let g = -problem.weights[r]! * problem.b[r]![i]! + RIDGE * res.beta[r]![i]!;
          for (let j = 0; j < K; j++)
            g += problem.weights[r]! * A.data[i * K + j]! * res.beta[r]![j]!;
          return g;
        }),
      );
      prep.pairs.forEach(([a, b], e) => {
        const v = res.state.v[e]!;
        const eta = res.state.eta[e]!;
        for (let k = 0; k < K; k++) {
          grad[a]![k]! += v[k]! / prep.numPairs;
          grad[b]![k]! -= v[k]! / prep.numPairs;
          expect(Math.abs(res.beta[a]![k]! - res.beta[b]![k]! - eta[k]!)).toBeLessThan(1e-8);
        }
        const t = norm(eta);
        if (t === 0) expect(norm(v)).toBeLessThanOrEqual(lambda * (1 + 1e-9));
        else
          for (let k = 0; k < K; k++)
            expect(v[k]!).toBeCloseTo((penalty.derivative!(t, lambda) * eta[k]!) / t, 9);
      });
      for (const g of grad) expect(norm(g)).toBeLessThan(1e-9);
      expect(res.numGroups).toBeLessThan(8);
      expect(res.numGroups).toBeGreaterThan(1);
      if (penalty.kind === 'fusedLasso') {
        // Convex: no perturbation lowers the objective.
        const edges = prep.pairs.map(([r, s]) => [r, s, 1 / prep.numPairs] as const);
        const spec = {
          ...problem,
          ridge: RIDGE,
          edges,
          pen: (t: number) => penalty.value(t, lambda),
        };
        const best = objectiveFrom(spec, res.beta);
        let seed = 1;
        const rand = (): number => {
          seed = (seed * 16807) % 2147483647;
          return seed / 2147483647 - 0.5;
        };
        for (let trial = 0; trial < 200; trial++) {
          const moved = res.beta.map((b) => b.map((x) => x + 1e-3 * rand()));
          expect(objectiveFrom(spec, moved)).toBeGreaterThanOrEqual(best - 1e-12);
        }
      }
    });
  }

  it('a warm start from a converged state at the same λ converges at once to the same β', () => {
    const prep = prepareFusion(problem, mcp());
    const lambda = 0.3 * prep.lambdaMax();
    const first = prep.solve({ lambda, tol: 1e-9, maxIter: 10000 });
    const again = prep.solve({ lambda, warm: first.state, tol: 1e-9 });
    expect(again.iterations).toBeLessThanOrEqual(2);
    for (let r = 0; r < 8; r++)
      expect(maxAbsDiff(again.beta[r]!, first.beta[r]!)).toBeLessThan(1e-8);
    expect(again.groups).toEqual(first.groups);
  });

  it('refuses a warm start from another problem', () => {
    const a = prepareFusion(problem, mcp(), {
      graph: [
        [0, 1],
        [1, 2],
      ],
    }).solve({ lambda: 0.1 });
    expect(() => prepareFusion(problem, mcp()).solve({ lambda: 0.1, warm: a.state })).toThrow(
      /warm start does not belong.*same 28 pairs.*received 2 pairs/,
    );
  });

  it('handles one task (no pairs) and the none penalty (independent β)', () => {
    const one = { A: [problem.A[0]!], b: [problem.b[0]!], weights: [1] };
    const res = fuse(one, mcp(), { lambda: 5 });
    expect(res.groups).toEqual([0]);
    expect(res.numPairs).toBe(0);
    const M = rowsOf(problem.A[0]!).map((row, i) => row.map((v, j) => v + (i === j ? RIDGE : 0)));
    expect(maxAbsDiff(res.beta[0]!, gaussSolve(M, Array.from(problem.b[0]!)))).toBeLessThan(1e-12);
    const ind = fuse(problem, none());
    expect(ind.groups).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ind.iterations).toBe(0);
  });

  it('uses explicit pairs as the fusion graph, dividing the penalty by their number', () => {
    const pairs = [
      [0, 1],
      [2, 1],
      [3, 4],
    ] as const;
    const prep = prepareFusion(problem, fusedLasso(), { graph: pairs });
    expect(prep.pairs).toEqual([
      [0, 1],
      [1, 2],
      [3, 4],
    ]);
    const res = prep.solve({ lambda: 1e3 });
    // Only connected tasks can fuse.
    expect(res.groups).toEqual([0, 0, 0, 1, 1, 2, 3, 4]);
    expect(Array.from(prep.pairWeights)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('accepts a custom pairwise penalty given only by prox (no proxNorm)', () => {
    const custom = createPenalty({
      kind: 'myLasso',
      value: (t, l) => l * t,
      prox: (z, l, step) => {
        const a = norm(z);
        return z.map((x) => (a > l / step ? (1 - l / step / a) * x : 0));
      },
    });
    const lambda = 0.2 * lambdaMax(problem, fusedLasso());
    const a = fuse(problem, custom, { lambda, tol: 1e-10, maxIter: 20000 });
    const b = fuse(problem, fusedLasso(), { lambda, tol: 1e-10, maxIter: 20000 });
    for (let r = 0; r < 8; r++) expect(maxAbsDiff(a.beta[r]!, b.beta[r]!)).toBeLessThan(1e-10);
    expect(a.groups).toEqual(b.groups);
  });
});

describe('the λ grid', () => {
  const { problem } = plantedProblem({ R: 9, seed: 2 });

  it('tops at the 0.9-quantile of the unfused pairwise differences and is log-spaced and ascending', () => {
    const prep = prepareFusion(problem, mcp());
    const d: number[] = [];
    for (let r = 0; r < 9; r++)
      for (let s = r + 1; s < 9; s++)
        d.push(norm(prep.unfusedBeta[r]!.map((x, k) => x - prep.unfusedBeta[s]![k]!)));
    d.sort((x, y) => x - y);
    const h = (d.length - 1) * 0.9;
    const q = d[Math.floor(h)]! + (h - Math.floor(h)) * (d[Math.ceil(h)]! - d[Math.floor(h)]!);
    expect(lambdaMax(problem, mcp())).toBeCloseTo(q, 14);
    expect(lambdaMax(problem, mcp(), { quantile: 1 })).toBeCloseTo(d.at(-1)!, 14);
    const grid = lambdaGrid(problem, mcp());
    expect(grid.length).toBe(20);
    expect(grid.at(-1)).toBeCloseTo(q, 12);
    expect(grid[0]).toBeCloseTo(q * 1e-3, 15);
    for (let i = 1; i < 20; i++) expect(grid[i]! / grid[i - 1]!).toBeCloseTo(1e3 ** (1 / 19), 12);
    expect(lambdaGrid(problem, mcp(), { numLambdas: 5, lambdaMinRatio: 0.01 }).length).toBe(5);
  });

  it('centre’s top is set by the λ at which tasks join the pooled centre', () => {
    const prep = prepareFusion(problem, centre());
    // Above the max ratio all tasks sit at the centre; just below it one task leaves.
    const top = prep.lambdaMax(1);
    expect(prep.solve({ lambda: top * 1.01, tol: 1e-10, maxIter: 50000 }).numGroups).toBe(1);
    expect(prep.solve({ lambda: top * 0.9, tol: 1e-10, maxIter: 50000 }).numGroups).toBeGreaterThan(
      1,
    );
  });

  it('fusionPath sorts λ ascending and returns one result per λ', () => {
    const path = fusionPath(problem, mcp(), { lambdas: [0.5, 0.01, 0.1] });
    expect(path.map((r) => r.lambda)).toEqual([0.01, 0.1, 0.5]);
    expect(fusionPath(problem, mcp(), { numLambdas: 4 }).length).toBe(4);
    expect(() => fusionPath(problem, mcp(), { lambdas: [0.1, -1] })).toThrow(/lambda in lambdas/);
    expect(() => fusionPath(problem, mcp(), { lambdas: [] })).toThrow(/Invalid lambdas/);
    expect(() => lambdaGrid(problem, mcp(), { numLambdas: 0 })).toThrow(/numLambdas/);
  });
});

describe('bad input gives clear errors', () => {
  const { problem } = plantedProblem({ R: 4, seed: 1 });
  const K = 3;

  it('mismatched sizes', () => {
    expect(() => fuse({ ...problem, b: problem.b.slice(0, 3) }, mcp(), { lambda: 1 })).toThrow(
      /problem\.b does not match problem\.A: expected 4 vectors/,
    );
    expect(() => fuse({ ...problem, weights: [1, 1] }, mcp(), { lambda: 1 })).toThrow(
      /problem\.weights does not match problem\.A: expected 4 weights/,
    );
    const A = [...problem.A];
    A[2] = matrix(2, 2);
    expect(() => fuse({ ...problem, A }, mcp(), { lambda: 1 })).toThrow(
      /wrong size \(at task 2\): expected a 3×3 Matrix.*received 2×2/,
    );
    const b = [...problem.b];
    b[1] = new Float64Array(2);
    expect(() => fuse({ ...problem, b }, mcp(), { lambda: 1 })).toThrow(
      /vector of the wrong length \(at task 1\): expected 3, received 2/,
    );
    expect(() => fuse({ ...problem, A: [] }, mcp(), { lambda: 1 })).toThrow(ValidationError);
    expect(() =>
      fuse({ A: problem.A, b: problem.b, weights: problem.weights }, centre(), { lambda: 1 }),
    ).toThrow(/problem\.n.*centre penalty weighs task r by w_r √\(K\/n_r\)/);
  });

  it('non-finite A or b, naming the task', () => {
    const A = [...problem.A];
    const bad = problem.A[3]!.data.slice();
    bad[4] = Number.NaN;
    A[3] = matrix(K, K, bad);
    expect(() => fuse({ ...problem, A }, mcp(), { lambda: 1 })).toThrow(
      /non-finite entry \(at task 3\).*received NaN at \[1, 1\]/,
    );
    const b = [...problem.b];
    b[0] = Float64Array.from([1, Number.POSITIVE_INFINITY, 0]);
    expect(() => fuse({ ...problem, b }, mcp(), { lambda: 1 })).toThrow(
      /problem\.b has a non-finite entry \(at task 0\).*Infinity at \[1\]/,
    );
  });

  it('negative, missing or non-finite λ, and invalid options', () => {
    expect(() => fuse(problem, mcp(), { lambda: -0.1 })).toThrow(
      /Invalid lambda: expected a finite number λ ≥ 0, received -0\.1/,
    );
    expect(() => fuse(problem, mcp(), { lambda: Number.NaN })).toThrow(ValidationError);
    expect(() => fuse(problem, mcp(), {})).toThrow(/options\.lambda is required/);
    expect(() => fuse(problem, mcp(), { lambda: 1, tol: 0 })).toThrow(/Invalid tol/);
    expect(() => fuse(problem, mcp(), { lambda: 1, maxIter: 1.5 })).toThrow(/Invalid maxIter/);
    expect(() => fuse(problem, mcp(), { lambda: 1, step: -1 })).toThrow(/Invalid step/);
    expect(() => fuse(problem, mcp(), { lambda: 1, step: 0.2 })).toThrow(
      /kappa·step > 1.*κ·ϑ = 0\.6/,
    );
    expect(() => fuse(problem, mcp(), { lambda: 1, ridge: -1 })).toThrow(/Invalid ridge/);
    expect(() => fuse(problem, mcp(), { lambda: 1, init: 'random' as never })).toThrow(
      /Invalid init/,
    );
    expect(() => fuse(problem, mcp(), { lambda: 1, graph: [[0, 4]] })).toThrow(
      /Invalid pair in the fusion graph/,
    );
    expect(() => fuse(problem, centre(), { lambda: 1, graph: 'all' })).toThrow(
      /couples each task to a centre/,
    );
    expect(() => fuse(problem, graph({ edges: [[0, 1]] }), { lambda: 1, graph: 'all' })).toThrow(
      /has its own task graph/,
    );
    expect(() => fuse(problem, {} as never, { lambda: 1 })).toThrow(/Not a similarity penalty/);
  });

  it('invalid weights, asymmetric or indefinite A', () => {
    expect(() => fuse({ ...problem, weights: [0.5, 0, 0.25, 0.25] }, mcp(), { lambda: 1 })).toThrow(
      /invalid weight \(at task 1\)/,
    );
    const A = [...problem.A];
    const asym = problem.A[1]!.data.slice();
    asym[1] = asym[1]! + 0.5;
    A[1] = matrix(K, K, asym);
    expect(() => fuse({ ...problem, A }, mcp(), { lambda: 1 })).toThrow(
      /not symmetric \(at task 1\)/,
    );
    const neg = matrix(K, K, Float64Array.from([-1, 0, 0, 0, 1, 0, 0, 0, 1]));
    A[1] = neg;
    let err: unknown;
    try {
      fuse({ ...problem, A }, mcp(), { lambda: 1 });
    } catch (e) {
      err = e;
    }
    expect(NotPositiveDefiniteError.isInstance(err)).toBe(true);
    expect((err as Error).message).toMatch(/\(at task 1\).*positive semidefinite/);
    // The failing value is a field, carried through the rethrow (no parsing of the message).
    const npd = err as NotPositiveDefiniteError;
    expect(npd.value).toBeLessThanOrEqual(0);
    expect(npd.message).toContain(`pivot ${npd.pivot} is ${npd.value}`);
    expect((npd.cause as NotPositiveDefiniteError).value).toBe(npd.value);
    // A singular A_r needs the ridge.
    A[1] = matrix(K, K);
    expect(() => fuse({ ...problem, A }, mcp(), { lambda: 1, ridge: 0 })).toThrow(
      /task 1.*needs ridge > 0/,
    );
    expect(fuse({ ...problem, A }, mcp(), { lambda: 1 }).converged).toBe(true);
  });

  it('a prox that returns NaN stops the ADMM with a NumericError, never a NaN β', () => {
    const broken = createPenalty({ kind: 'broken', value: () => 0, proxNorm: () => Number.NaN });
    expect(() => fuse(problem, broken, { lambda: 1 })).toThrow(NumericError);
  });
});
