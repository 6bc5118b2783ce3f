import { matrix } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { fusionPath, mcp } from './index.js';

describe('the README example', () => {
  it('goes from four tasks through the two true groups to one common β', () => {
    const b = [
      [1, 0],
      [1.05, 0.02],
      [-1, 1],
      [-0.97, 1.04],
    ].map((v) => Float64Array.from(v));
    const A = b.map(() => matrix(2, 2, Float64Array.from([1, 0, 0, 1])));
    const problem = { A, b, weights: [0.25, 0.25, 0.25, 0.25] };
    const path = fusionPath(problem, mcp(), { numLambdas: 8 });
    const groups = path.map((r) => r.groups.join(' '));
    expect(groups[0]).toBe('0 1 2 3');
    expect(groups).toContain('0 0 1 1');
    expect(groups.at(-1)).toBe('0 0 0 0');
    const two = path.find((r) => r.groups.join(' ') === '0 0 1 1')!;
    // Tied up to the ADMM tolerance (1e-5 relative), exactly after a refit.
    expect(Math.abs(two.beta[0]![0]! - two.beta[1]![0]!)).toBeLessThan(1e-4);
    const refit = fusionPath(problem, mcp(), { lambdas: [two.lambda], refit: true })[0]!;
    expect(refit.beta[0]![0]).toBe(refit.beta[1]![0]);
    // λ = 0 end: β_r = b_r/(1 + ρ/w_r) with ρ = 1e-3, w_r = 1/4.
    expect(path[0]!.beta[0]![0]).toBeCloseTo(1 / 1.004, 3);
  });
});
