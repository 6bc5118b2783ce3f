// The linear baselines' dual (row-space) form against their primal form (the features themselves,
// p×p terms): the same slopes, intercepts and centre along each learner's λ grid, just below and
// above the switch p = N − R and at p = 2N, with the row space built either way.
import type { StandardizedTasks } from '@hetmtl/estimator';
import { Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import type { FitContext } from './baseline-regressor.js';
import { CentreShrinkageRegressor } from './centre-shrinkage.js';
import type { LinearSolver } from './linear-baseline.js';
import { type LinearDesignOptions, type LinearFit, linearDesign } from './linear-design.js';
import { MeanRegularizedRegressor } from './mean-regularized.js';
import { RidgeRegressor } from './ridge.js';

const SIZES = [8, 13, 10];
const N = 31;
const R = 3;

function tasks(p: number, seed: number): StandardizedTasks {
  const rng = new Random(seed);
  const base = rng.normals(p);
  const X: Float64Array[] = [];
  const y: Float64Array[] = [];
  SIZES.forEach((n, r) => {
    const beta = Float64Array.from(base, (b) => (b + (r + 1) * 0.4 * rng.normal()) / Math.sqrt(p));
    const Xr = rng.normals(n * p);
    const c = rng.normal();
    X.push(Xr);
    y.push(
      Float64Array.from({ length: n }, (_, i) => {
        let v = c + 0.3 * rng.normal();
        for (let a = 0; a < p; a++) v += Xr[i * p + a]! * beta[a]!;
        return v;
      }),
    );
  });
  return { X, y, p };
}

/** The learners' protected steps, called directly on a design of either form. */
interface Internals {
  solver(design: ReturnType<typeof linearDesign>, ctx: FitContext): LinearSolver;
  lambdaGrid(design: ReturnType<typeof linearDesign>): number[];
}
const internals = (learner: object) => learner as unknown as Internals;
const notes: string[] = [];
const ctx = { note: (m: string) => notes.push(m) } as unknown as FitContext;

/** max |a − b| / max |a| over slopes, intercepts and the centre. */
function relativeDiff(a: LinearFit, b: LinearFit): number {
  let diff = 0;
  let scale = 0;
  const add = (u: ArrayLike<number>, v: ArrayLike<number>) => {
    for (let i = 0; i < u.length; i++) {
      diff = Math.max(diff, Math.abs(u[i]! - v[i]!));
      scale = Math.max(scale, Math.abs(u[i]!));
    }
  };
  a.slopes.forEach((s, r) => add(s, b.slopes[r]!));
  add(a.intercepts, b.intercepts);
  expect(a.centre === null).toBe(b.centre === null);
  if (a.centre && b.centre) add(a.centre, b.centre);
  return diff / scale;
}

const LEARNERS: readonly [string, () => object][] = [
  ['per-task ridge', () => new RidgeRegressor({ mode: 'per-task' })],
  ['pooled ridge with task intercepts', () => new RidgeRegressor({ mode: 'pooled' })],
  ['mean-regularised MTL', () => new MeanRegularizedRegressor({ ridge: 1e-3 })],
  [
    'centre shrinkage',
    () => new CentreShrinkageRegressor({ numLambdas: 6, tolerance: 1e-12, maxIterations: 200000 }),
  ],
];
const DUALS: readonly [string, LinearDesignOptions][] = [
  ['Gram', { form: 'dual', rowSpace: { method: 'gram' } }],
  ['Gram–Schmidt', { form: 'dual', rowSpace: { method: 'gram-schmidt' } }],
];

describe('linear baselines: dual (row-space) form = primal form', () => {
  it('the design switches to the row space exactly when p > N − R', () => {
    expect(linearDesign(tasks(N - R, 1)).space).toBeNull();
    const d = linearDesign(tasks(N - R + 1, 1));
    expect(d.q).toBe(N - R);
    expect(d.A[0]!.length).toBe((N - R) ** 2);
    expect(linearDesign(tasks(N - R + 1, 1), { form: 'primal' }).q).toBe(N - R + 1);
  });

  for (const p of [N - R - 3, N - R + 3, 2 * N]) {
    for (const [name, make] of LEARNERS) {
      for (const [way, dual] of DUALS) {
        it(`${name} at p = ${p}, row space by ${way}: equal to 1e-8 along the λ grid`, () => {
          const data = tasks(p, 3 + p);
          const primalDesign = linearDesign(data, { form: 'primal' });
          const dualDesign = linearDesign(data, dual);
          expect(dualDesign.q).toBe(Math.min(p, N - R));
          const a = internals(make());
          const b = internals(make());
          const grid = a.lambdaGrid(primalDesign);
          const gridDual = b.lambdaGrid(dualDesign);
          expect(gridDual.length).toBe(grid.length);
          grid.forEach((l, i) => {
            if (Number.isFinite(l))
              expect(Math.abs(gridDual[i]! - l)).toBeLessThanOrEqual(1e-10 * l);
            else expect(gridDual[i]).toBe(l);
          });
          const solveA = a.solver(primalDesign, ctx);
          const solveB = b.solver(dualDesign, ctx);
          for (const lambda of grid)
            expect(relativeDiff(solveA(lambda), solveB(lambda))).toBeLessThan(1e-8);
          expect(notes).toEqual([]);
        });
      }
    }
  }
});
