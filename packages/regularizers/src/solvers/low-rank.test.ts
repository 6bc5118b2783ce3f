// The solvers' low-rank forms (wide data: A_r = Z_rᵀZ_r of rank n_r ≪ q) against independent
// oracles: the dense spectral forms, the full normal equations, the KKT conditions.
import { applySpectral, gram, Random, spectralMatrix, symmetricEigen } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { gaussSolve, maxAbsDiff, norm } from '../test-fixtures/oracles.js';
import { CentreShrinkageSolver } from './centre-admm.js';
import { addLowRank, applyLowRank, rangeOf } from './low-rank.js';
import { MeanRegularizedSolver } from './mean-regularized.js';

const Q = 14;
const ROWS = [4, 6, 3, 5];
const rng = new Random(21);
const Z = ROWS.map((n) => rng.normals(n * Q));
const A = Z.map((z, r) => gram(z, ROWS[r]!, Q));
const b = Z.map((z, r) => {
  const y = rng.normals(ROWS[r]!);
  return Float64Array.from({ length: Q }, (_, a) => {
    let s = 0;
    for (let i = 0; i < ROWS[r]!; i++) s += z[i * Q + a]! * y[i]!;
    return s;
  });
});
const R = ROWS.length;

describe('low-rank spectral forms', () => {
  it('rangeOf finds the rank; f(0)I + U_k diag(f(v) − f(0)) U_kᵀ is the dense U f(v) Uᵀ', () => {
    A.forEach((a, r) => {
      const eig = symmetricEigen(a, Q);
      const range = rangeOf(eig);
      expect(range?.idx.length).toBe(ROWS[r]);
      const f = (v: number) => 1 / (Math.max(v, 0) + 0.7);
      const inRange = new Set(range!.idx);
      const dense = spectralMatrix(
        eig,
        Float64Array.from(eig.values, (v, j) => (inRange.has(j) ? f(v) : f(0))),
      );
      const low = new Float64Array(Q * Q);
      const w = Float64Array.from(range!.idx, (j) => f(eig.values[j]!) - f(0));
      addLowRank(low, Q, range!, f(0), w);
      expect(maxAbsDiff(low, dense)).toBeLessThan(1e-13);
      const v = rng.normals(Q);
      const want = applySpectral(
        eig,
        Float64Array.from(eig.values, (x, j) => (inRange.has(j) ? f(x) : f(0))),
        v,
      );
      expect(maxAbsDiff(applyLowRank(range!, f(0), w, v), want)).toBeLessThan(1e-13);
    });
    // More than half the space: the dense forms are kept.
    expect(rangeOf(symmetricEigen(gram(rng.normals(10 * 6), 10, 6), 6))).toBeNull();
  });

  it('MeanRegularizedSolver on low-rank A_r solves the full normal equations in (β_1 … β_R, m)', () => {
    const s = [0.2, 0.3, 0.1, 0.4];
    const pull = [1, 2, 0.5, 1.5];
    const ridge = 1e-2;
    const kappa = 0.05;
    const solver = new MeanRegularizedSolver(
      { A, b, dim: Q },
      { lossWeights: s, lossRidge: ridge, pullWeights: pull, centreRidge: kappa },
    );
    for (const lambda of [1e-3, 0.3, 20]) {
      const n = (R + 1) * Q;
      const M = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      const rhs = new Array<number>(n).fill(0);
      for (let r = 0; r < R; r++) {
        const mu = lambda * pull[r]!;
        for (let i = 0; i < Q; i++) {
          const row = r * Q + i;
          for (let j = 0; j < Q; j++) M[row]![r * Q + j]! += s[r]! * A[r]![i * Q + j]!;
          M[row]![row]! += s[r]! * ridge + mu;
          M[row]![R * Q + i]! -= mu;
          M[R * Q + i]![row]! -= mu;
          M[R * Q + i]![R * Q + i]! += mu;
          rhs[row] = s[r]! * b[r]![i]!;
        }
      }
      for (let i = 0; i < Q; i++) M[R * Q + i]![R * Q + i]! += kappa;
      const x = gaussSolve(M, rhs);
      const got = solver.solve(lambda);
      for (let r = 0; r < R; r++)
        expect(maxAbsDiff(got.beta[r]!, x.slice(r * Q, (r + 1) * Q))).toBeLessThan(1e-10);
      expect(maxAbsDiff(got.centre, x.slice(R * Q))).toBeLessThan(1e-10);
    }
  });

  it('CentreShrinkageSolver on low-rank A_r satisfies the KKT conditions', () => {
    const ridge = [4e-3, 6e-3, 3e-3, 5e-3];
    const t = ROWS.map((n) => Math.sqrt(Q * n));
    const solver = new CentreShrinkageSolver(
      { A, b, dim: Q, taskRidge: ridge, penaltyWeights: t },
      { tolerance: 1e-11, maxIterations: 200_000 },
    );
    const top = solver.lambdaMax();
    const patterns = new Set<string>();
    for (const f of [0.05, 0.3, 0.7]) {
      const res = solver.solve(f * top);
      expect(res.converged).toBe(true);
      patterns.add(res.onCentre.join());
      const total = new Float64Array(Q);
      res.beta.forEach((beta, r) => {
        // ∇f_r = A_r β − b_r + ρ_r β, from the definition (not the solver's gradient()).
        const g = Float64Array.from({ length: Q }, (_, i) => {
          let v = ridge[r]! * beta[i]! - b[r]![i]!;
          for (let j = 0; j < Q; j++) v += A[r]![i * Q + j]! * beta[j]!;
          return v;
        });
        g.forEach((v, i) => {
          total[i] = total[i]! + v;
        });
        const lt = res.lambda * t[r]!;
        const d = Float64Array.from(beta, (x, i) => x - res.centre[i]!);
        if (res.onCentre[r]) expect(norm(g)).toBeLessThanOrEqual(lt * (1 + 1e-6));
        else
          g.forEach((v, i) => expect(Math.abs(v + (lt * d[i]!) / norm(d))).toBeLessThan(1e-6 * lt));
      });
      total.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-7));
    }
    expect(patterns.size).toBeGreaterThan(1);
  });
});
