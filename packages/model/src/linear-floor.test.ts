// The linear MTL floor's dual (row-space) form against its primal (p×p) form: the same fit, λ by λ
// and along the validation path, just below and above the switch p = N − R and at p = 2N.
import type { StandardizedTasks } from '@hetmtl/estimator';
import { Pacer, Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { fitLinearFloor, LINEAR_FLOOR_LAMBDAS, linearFloorPath } from './linear-floor.js';
import { type LinearDesignOptions, linearDesign } from './linear-mtl.js';
import type { LinearPredictor } from './predictors/linear.js';

const SIZES = [9, 14, 11];
const N = 34;
const R = 3;

/** Standard-normal features with task-shifted means, y = task slope·x + noise. */
function tasks(p: number, seed: number, sizes = SIZES): StandardizedTasks {
  const rng = new Random(seed);
  const base = rng.normals(p);
  const X: Float64Array[] = [];
  const y: Float64Array[] = [];
  for (const n of sizes) {
    const beta = Float64Array.from(base, (b) => (b + 0.5 * rng.normal()) / Math.sqrt(p));
    const shift = rng.normals(p);
    const Xr = new Float64Array(n * p);
    const yr = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let v = rng.normal();
      for (let a = 0; a < p; a++) {
        const x = rng.normal() + 0.5 * shift[a]!;
        Xr[i * p + a] = x;
        v += x * beta[a]!;
      }
      yr[i] = v + 0.3 * rng.normal();
    }
    X.push(Xr);
    y.push(yr);
  }
  return { X, y, p };
}

/** max |a − b| / max |a| over every task's slopes and intercepts. */
function relativeDiff(a: LinearPredictor, b: LinearPredictor): number {
  let diff = 0;
  let scale = 0;
  a.beta.forEach((ba, r) => {
    ba.forEach((v, j) => {
      diff = Math.max(diff, Math.abs(v - b.beta[r]![j]!));
      scale = Math.max(scale, Math.abs(v));
    });
    diff = Math.max(diff, Math.abs(a.intercept[r]! - b.intercept[r]!));
    scale = Math.max(scale, Math.abs(a.intercept[r]!));
  });
  return diff / scale;
}

const PRIMAL: LinearDesignOptions = { form: 'primal' };
const DUALS: readonly [string, LinearDesignOptions][] = [
  ['dual (Gram)', { form: 'dual', rowSpace: { method: 'gram' } }],
  ['dual (Gram–Schmidt)', { form: 'dual', rowSpace: { method: 'gram-schmidt' } }],
];

describe('linear floor: dual (row-space) form = primal form', () => {
  it('switches to the dual form exactly when p > N − R', () => {
    const below = tasks(N - R, 1);
    const above = tasks(N - R + 1, 1);
    expect(linearDesign(below.X, below.y, below.p).space).toBeNull();
    const d = linearDesign(above.X, above.y, above.p);
    expect(d.space?.q).toBe(N - R);
    // The dual terms are q×q, never p×p.
    expect(d.tasks[0]!.A.length).toBe((N - R) ** 2);
    const wide = tasks(2 * N, 1);
    expect(linearDesign(wide.X, wide.y, wide.p).tasks[0]!.A.length).toBe((N - R) ** 2);
  });

  for (const p of [N - R - 3, N - R + 3, 2 * N]) {
    for (const [name, dual] of DUALS) {
      it(`fitLinearFloor at p = ${p}: ${name} equals the primal form to 1e-8 at every λ`, () => {
        const data = tasks(p, 2 + p);
        for (const lambda of [0, 1e-2, 1, 1e2, Number.POSITIVE_INFINITY]) {
          for (const weights of ['size', 'equal'] as const) {
            const a = fitLinearFloor(data, lambda, 1e-3, weights, PRIMAL);
            const b = fitLinearFloor(data, lambda, 1e-3, weights, dual);
            expect(relativeDiff(a, b)).toBeLessThan(1e-8);
          }
        }
      });
    }
  }

  it('fitLinearFloor with no ridge at λ = 0, p = 2N: the same minimum-norm per-task fits', () => {
    // (At λ > 0 without a ridge the primal centre system is singular off the row space and is
    // solved with a jitter, so the primal form is not the exact minimum-norm fit there.)
    const data = tasks(2 * N, 5);
    const a = fitLinearFloor(data, 0, 0, 'size', PRIMAL);
    const b = fitLinearFloor(data, 0, 0, 'size');
    expect(relativeDiff(a, b)).toBeLessThan(1e-8);
  });

  for (const p of [N - R - 3, N - R + 3, 2 * N]) {
    it(`linearFloorPath at p = ${p}: the same validation path and chosen λ in both forms`, async () => {
      const tr = tasks(p, 7 + p);
      const va = tasks(p, 8 + p, [5, 6, 5]);
      const pacer = new Pacer(undefined, 1000);
      const a = await linearFloorPath(tr, va, 1e-3, true, pacer, PRIMAL);
      const b = await linearFloorPath(tr, va, 1e-3, true, pacer, { form: 'dual' });
      expect(a.path.map((row) => row.lambda)).toEqual([...LINEAR_FLOOR_LAMBDAS]);
      a.path.forEach((row, i) => {
        const other = b.path[i]!;
        expect(other.lambda).toBe(row.lambda);
        expect(other.numGroups).toBe(row.numGroups);
        expect(Math.abs(other.validationRmse - row.validationRmse)).toBeLessThan(
          1e-8 * row.validationRmse,
        );
      });
      expect(b.best.lambda).toBe(a.best.lambda);
      expect(relativeDiff(a.best.fit, b.best.fit)).toBeLessThan(1e-8);
    });
  }
});
