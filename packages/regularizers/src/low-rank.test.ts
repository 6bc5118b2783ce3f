// The factored problem (A_r = L_rᵀL_r, solved through Woodbury m×m systems) against the dense
// problem built from the same L_r (A_r = L_rᵀL_r as K×K matrices, dense / sparse Cholesky) at
// K ≈ m_r, to 1e-8; at large K (no dense oracle affordable) against the stationarity conditions.
import { gram, matrix, Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { centre } from './centre.js';
import { fusedLasso } from './fused-lasso.js';
import { prepareFusion } from './fusion.js';
import { fusionPath } from './fusion-path.js';
import { graph } from './graph.js';
import { mcp } from './mcp.js';
import type { Penalty } from './penalty.js';
import type { FactoredFusionProblem, FusionProblem } from './problem.js';
import { refitGroups } from './refit.js';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const maxDiffs = (a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]) =>
  a.reduce((m, x, r) => Math.max(m, maxDiff(x, b[r]!)), 0);

/** Both forms of one problem: L_r m_r×K (two pairs of tasks with close β), b_r, residual terms. */
function problems(seed: number, K: number, rows: readonly number[]) {
  const rng = new Random(seed);
  const centres = [rng.normals(K), rng.normals(K)];
  const L = rows.map((m) => rng.normals(m * K).map((v) => v / Math.sqrt(m)));
  const b = rows.map((m, r) => {
    const beta = centres[r % 2]!.map((v) => v + 0.05 * rng.normal());
    // b = A β + noise, so that the fused solution is near the centres.
    const Lb = new Float64Array(m);
    for (let i = 0; i < m; i++)
      for (let k = 0; k < K; k++) Lb[i] = Lb[i]! + L[r]![i * K + k]! * beta[k]!;
    const out = new Float64Array(K);
    for (let i = 0; i < m; i++)
      for (let k = 0; k < K; k++) out[k] = out[k]! + L[r]![i * K + k]! * Lb[i]!;
    return out.map((v) => v + 0.01 * rng.normal());
  });
  const E = rows.map((m) => rng.normals(m * K));
  const q = rows.map(() => rng.normals(K));
  const s = rows.map(() => 50 + rng.uniform());
  const weights = rows.map((m) => m / rows.reduce((a, c) => a + c, 0));
  const n = [...rows];
  const factored: FactoredFusionProblem = {
    factors: L.map((l, r) => matrix(rows[r]!, K, l)),
    b,
    weights,
    n,
    residual: { factors: E.map((e, r) => matrix(rows[r]!, K, e)), q, s },
  };
  // The same problem with K×K matrices (built only when asked: not at a large K).
  const dense = (): FusionProblem => ({
    A: L.map((l, r) => matrix(K, K, gram(l, rows[r]!, K))),
    b,
    weights,
    n,
    residual: { Q: E.map((e, r) => matrix(K, K, gram(e, rows[r]!, K))), q, s },
  });
  return { factored, dense };
}

describe('a fusion problem in factored form', () => {
  const K = 12;
  const rows = [10, 12, 14, 9];
  const both = problems(1, K, rows);
  const factored = both.factored;
  const dense = both.dense();
  const penalties: [string, Penalty][] = [
    ['mcp (all pairs)', mcp()],
    ['fused lasso', fusedLasso()],
    ['centre', centre()],
    [
      'graph (quadratic)',
      graph({
        edges: [
          [0, 2, 1],
          [1, 3, 1],
          [0, 1, 0.5],
        ],
      }),
    ],
  ];

  it.each(penalties)('solves like the dense problem at K ≈ m_r: %s', (_name, penalty) => {
    const pf = prepareFusion(factored, penalty, { ridge: 1e-3 });
    const pd = prepareFusion(dense, penalty, { ridge: 1e-3 });
    expect(maxDiffs(pf.unfusedBeta, pd.unfusedBeta)).toBeLessThan(1e-8);
    expect(Math.abs(pf.lambdaMax() - pd.lambdaMax())).toBeLessThan(1e-8 * pd.lambdaMax());
    const lambda = 0.3 * pd.lambdaMax();
    const opts = { lambda, tol: 1e-10, maxIter: 5000 };
    const f = pf.solve(opts);
    const d = pd.solve(opts);
    expect(d.converged).toBe(true);
    expect(f.iterations).toBe(d.iterations);
    expect(maxDiffs(f.beta, d.beta)).toBeLessThan(1e-8);
    expect(f.groups).toEqual(d.groups);
    expect(Math.abs(f.objective - d.objective)).toBeLessThan(1e-8 * Math.abs(d.objective));
    expect(
      Math.abs(pf.residualSumOfSquares(f.beta) - pd.residualSumOfSquares(d.beta)),
    ).toBeLessThan(1e-6);
  });

  it('follows the dense path with warm starts and refits the same groups', () => {
    const opts = { ridge: 1e-3, numLambdas: 6, tol: 1e-10, maxIter: 5000, refit: true };
    const f = fusionPath(factored, mcp(), opts);
    const d = fusionPath(dense, mcp(), opts);
    f.forEach((res, i) => {
      expect(Math.abs(res.lambda - d[i]!.lambda)).toBeLessThan(1e-12 * d[i]!.lambda);
      expect(res.groups).toEqual(d[i]!.groups);
      expect(maxDiffs(res.beta, d[i]!.beta)).toBeLessThan(1e-8);
    });
    // Some point of the path fuses (the test would not see the refit otherwise).
    expect(d.some((r) => r.numGroups < rows.length)).toBe(true);
    const groups = [0, 1, 0, 1];
    expect(maxDiffs(refitGroups(factored, groups), refitGroups(dense, groups))).toBeLessThan(1e-8);
  });

  it('rejects both forms at once, a zero ridge and factors of the wrong size', () => {
    expect(() =>
      prepareFusion({ ...factored, A: dense.A } as FactoredFusionProblem, mcp()),
    ).toThrow(/both A and factors/);
    expect(() => prepareFusion(factored, mcp(), { ridge: 0 })).toThrow(/ridge > 0/);
    const bad = {
      ...factored,
      factors: [factored.factors[0]!, matrix(2, K - 1), ...factored.factors.slice(2)],
    };
    expect(() => prepareFusion(bad, mcp())).toThrow(/wrong size/);
  });

  it('solves a wide problem (K = 4,000, 30 rows a task) without a K×K matrix: stationarity holds', () => {
    const Kw = 4000;
    const wide = problems(2, Kw, [30, 25, 35]).factored;
    const ridge = 1e-2;
    const pf = prepareFusion(
      wide,
      graph({
        edges: [
          [0, 1, 1],
          [1, 2, 1],
        ],
      }),
      { ridge },
    );
    const lambda = 0.5;
    const res = pf.solve({ lambda });
    // ∇: w_r(A_rβ_r − b_r) + ρβ_r + 2λ Σ_s c_rs (β_r − β_s) = 0, with A_rβ = L_rᵀ(L_rβ).
    const c = 1 / 2; // pair weights a_rs/|E|
    const edges: [number, number][] = [
      [0, 1],
      [1, 2],
    ];
    let worst = 0;
    let scale = 0;
    res.beta.forEach((beta, r) => {
      const L = wide.factors[r]!;
      const Lb = new Float64Array(L.rows);
      for (let i = 0; i < L.rows; i++)
        for (let k = 0; k < Kw; k++) Lb[i] = Lb[i]! + L.data[i * Kw + k]! * beta[k]!;
      const g = new Float64Array(Kw);
      for (let i = 0; i < L.rows; i++)
        for (let k = 0; k < Kw; k++) g[k] = g[k]! + L.data[i * Kw + k]! * Lb[i]!;
      const w = wide.weights[r]!;
      const b = wide.b[r]!;
      for (let k = 0; k < Kw; k++) {
        let v = w * (g[k]! - b[k]!) + ridge * beta[k]!;
        for (const [a, s] of edges) {
          if (a === r) v += 2 * lambda * c * (beta[k]! - res.beta[s]![k]!);
          if (s === r) v += 2 * lambda * c * (beta[k]! - res.beta[a]![k]!);
        }
        worst = Math.max(worst, Math.abs(v));
        scale = Math.max(scale, Math.abs(w * b[k]!));
      }
    });
    expect(worst).toBeLessThan(1e-9 * scale);
  });
});
