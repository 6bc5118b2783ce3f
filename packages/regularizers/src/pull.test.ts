import { Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { nearestGroupCentre, pullToward } from './pull.js';
import { gaussSolve, maxAbsDiff } from './test-fixtures/oracles.js';

describe('the new-task pull (method.md §6)', () => {
  const rng = new Random(3);
  const K = 3;
  const X = rng.normals(10 * K);
  const A = new Float64Array(K * K);
  for (let i = 0; i < 10; i++)
    for (let j = 0; j < K; j++)
      for (let k = 0; k < K; k++)
        A[j * K + k] = A[j * K + k]! + (X[i * K + j]! * X[i * K + k]!) / 10;
  const b = rng.normals(K);
  const centre = Float64Array.of(1, -1, 0.5);

  it('solves the pulled normal equations (A + (λ + ρ)I)β = b + λ·centre; ∞ is the centre', () => {
    for (const lambda of [0, 0.1, 3]) {
      const M = [0, 1, 2].map((i) =>
        [0, 1, 2].map((j) => A[i * K + j]! + (i === j ? lambda + 0.01 : 0)),
      );
      const want = gaussSolve(
        M,
        [0, 1, 2].map((i) => b[i]! + lambda * centre[i]!),
      );
      expect(maxAbsDiff(pullToward(A, b, centre, lambda, 0.01), want)).toBeLessThan(1e-12);
    }
    expect(Array.from(pullToward(A, b, centre, Number.POSITIVE_INFINITY, 0.01))).toEqual([
      1, -1, 0.5,
    ]);
    // A large pull approaches the centre.
    expect(maxAbsDiff(pullToward(A, b, centre, 1e9, 0.01), centre)).toBeLessThan(1e-6);
  });

  it('finds the group centre (mean β of a group) nearest to a vector, by brute force', () => {
    const beta = [
      Float64Array.of(0, 0),
      Float64Array.of(2, 0),
      Float64Array.of(10, 10),
      Float64Array.of(12, 10),
    ];
    const groups = [0, 0, 1, 1];
    const near = nearestGroupCentre(beta, groups, Float64Array.of(9, 9));
    expect(near.group).toBe(1);
    expect(Array.from(near.centre)).toEqual([11, 10]);
    expect(nearestGroupCentre(beta, groups, Float64Array.of(1.2, -1)).group).toBe(0);
  });
});
