import { describe, expect, it } from 'vitest';
import { centre } from './centre.js';
import { prepareFusion } from './fusion.js';
import { gaussSolve, maxAbsDiff, norm, objectiveFrom } from './test-fixtures/oracles.js';
import { plantedProblem } from './test-fixtures/problems.js';

const RIDGE = 1e-3;

/**
 * Oracle: the convex centre problem solved by a generic method — Newton's method with backtracking
 * on the smoothed objective f(β) + Σ_r c_r λ √(‖β_r − β̄‖² + ε²), continued over ε → 1e-8.
 */
function smoothedNewton(
  A: readonly { data: Float64Array }[],
  b: readonly Float64Array[],
  w: readonly number[],
  c: readonly number[],
  lambda: number,
  K: number,
  start: Float64Array,
): Float64Array {
  const R = A.length;
  const n = (R + 1) * K;
  let x = start.slice();
  const F = (y: Float64Array, eps: number): number => {
    let f = 0;
    for (let r = 0; r < R; r++) {
      let d2 = 0;
      for (let i = 0; i < K; i++) {
        let Ay = 0;
        for (let j = 0; j < K; j++) Ay += A[r]!.data[i * K + j]! * y[r * K + j]!;
        f +=
          w[r]! * (0.5 * y[r * K + i]! * Ay - b[r]![i]! * y[r * K + i]!) +
          0.5 * RIDGE * y[r * K + i]! ** 2;
        d2 += (y[r * K + i]! - y[R * K + i]!) ** 2;
      }
      f += c[r]! * lambda * Math.sqrt(d2 + eps * eps);
    }
    return f;
  };
  for (let eps = 1e-2; eps >= 1e-8; eps /= 10) {
    for (let it = 0; it < 100; it++) {
      const g = new Array<number>(n).fill(0);
      const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let r = 0; r < R; r++) {
        const d = Array.from({ length: K }, (_, i) => x[r * K + i]! - x[R * K + i]!);
        const s = Math.sqrt(d.reduce((t, v) => t + v * v, 0) + eps * eps);
        const cl = c[r]! * lambda;
        for (let i = 0; i < K; i++) {
          let Ax = 0;
          for (let j = 0; j < K; j++) {
            Ax += A[r]!.data[i * K + j]! * x[r * K + j]!;
            H[r * K + i]![r * K + j]! += w[r]! * A[r]!.data[i * K + j]!;
            const h = cl * ((i === j ? 1 / s : 0) - (d[i]! * d[j]!) / s ** 3);
            H[r * K + i]![r * K + j]! += h;
            H[R * K + i]![R * K + j]! += h;
            H[r * K + i]![R * K + j]! -= h;
            H[R * K + i]![r * K + j]! -= h;
          }
          H[r * K + i]![r * K + i]! += RIDGE;
          g[r * K + i]! += w[r]! * (Ax - b[r]![i]!) + RIDGE * x[r * K + i]! + (cl * d[i]!) / s;
          g[R * K + i]! -= (cl * d[i]!) / s;
        }
      }
      const step = gaussSolve(H, g);
      let t = 1;
      const f0 = F(x, eps);
      let next = x.map((v, i) => v - t * step[i]!);
      while (F(next, eps) > f0 && t > 1e-12) {
        t /= 2;
        next = x.map((v, i) => v - t * step[i]!);
      }
      const moved = maxAbsDiff(next, x);
      x = next;
      if (moved < 1e-14) break;
    }
  }
  return x;
}

describe('centre (ARMUL-style shrinkage to a free centre)', () => {
  const raw = plantedProblem({
    R: 6,
    K: 2,
    nr: [15, 40, 25, 60, 10, 30],
    noise: 0.6,
    seed: 8,
    centres: [
      [1, 0],
      [0.6, 0.3],
      [-1, 1],
    ],
  });
  const { problem } = raw;
  const K = 2;
  const c = problem.weights.map((w, r) => w * Math.sqrt(K / problem.n[r]!));
  const prep = prepareFusion(problem, centre());
  const path = prep.path({ numLambdas: 12, tol: 1e-11, maxIter: 100000 });
  const partial = path.filter((r) => r.numGroups > 1 && r.numGroups < 6);

  it('uses the weights w_r √(K/n_r) on the differences β_r − β̄', () => {
    expect(Array.from(prep.pairWeights)).toEqual(c);
    expect(prep.pairs).toEqual([0, 1, 2, 3, 4, 5].map((r) => [r, 6]));
    expect(partial.length).toBeGreaterThan(2);
  });

  it('satisfies the KKT conditions of the convex problem at every λ of the path', () => {
    for (const res of path) {
      expect(res.converged).toBe(true);
      const grads = problem.A.map((A, r) =>
        Array.from({ length: K }, (_, i) => {
          let g = -problem.weights[r]! * problem.b[r]![i]! + RIDGE * res.beta[r]![i]!;
          for (let j = 0; j < K; j++)
            g += problem.weights[r]! * A.data[i * K + j]! * res.beta[r]![j]!;
          return g;
        }),
      );
      const total = [0, 0];
      grads.forEach((g, r) => {
        const d = res.beta[r]!.map((x, k) => x - res.centre![k]!);
        const t = norm(d);
        const cl = c[r]! * res.lambda;
        if (norm(res.state.eta[r]!) === 0) {
          expect(t).toBeLessThan(1e-9);
          // At the centre: ‖g_r‖ ≤ c_r λ.
          expect(norm(g)).toBeLessThanOrEqual(cl * (1 + 1e-6) + 1e-10);
        } else {
          // Away from it: g_r + c_r λ d/‖d‖ = 0.
          for (let k = 0; k < K; k++) expect(Math.abs(g[k]! + (cl * d[k]!) / t)).toBeLessThan(1e-8);
        }
        total[0]! += g[0]!;
        total[1]! += g[1]!;
      });
      // Stationarity in β̄: Σ_r g_r = 0.
      expect(norm(total)).toBeLessThan(1e-8);
    }
  });

  it('agrees with a generic solver (smoothed Newton) where some but not all tasks join the centre', () => {
    for (const res of partial) {
      const start = new Float64Array(7 * K);
      res.beta.forEach((b, r) => {
        start.set(
          b.map((x) => x + 0.05),
          r * K,
        );
      });
      start.set(
        res.centre!.map((x) => x - 0.05),
        6 * K,
      );
      const x = smoothedNewton(
        problem.A,
        problem.b as Float64Array[],
        problem.weights,
        c,
        res.lambda,
        K,
        start,
      );
      res.beta.forEach((b, r) => {
        expect(maxAbsDiff(b, x.subarray(r * K, (r + 1) * K))).toBeLessThan(1e-6);
      });
      expect(maxAbsDiff(res.centre!, x.subarray(6 * K))).toBeLessThan(1e-6);
      const edges = [0, 1, 2, 3, 4, 5].map((r) => [r, 6, c[r]!] as const);
      const obj = objectiveFrom({ ...problem, ridge: RIDGE, edges, pen: (t) => res.lambda * t }, [
        ...res.beta,
        res.centre!,
      ]);
      expect(res.objective).toBeCloseTo(obj, 12);
    }
  });

  it('groups: the tasks at the centre share a group, every other task is alone', () => {
    const res = partial[0];
    const atCentre = res.beta.map((b) => maxAbsDiff(b, res.centre!) < 1e-8);
    const label = res.groups[atCentre.indexOf(true)];
    res.groups.forEach((g, r) => {
      expect(g === label).toBe(atCentre[r]);
    });
    expect(res.numGroups).toBe(1 + atCentre.filter((a) => !a).length);
  });
});
