// Wide data in the row space of the training rows (row-space.ts). Oracles: the SVD identities
// (VᵀV = I, XV = Z, XVVᵀ = X), a direct product for the lifted encoders, and the run on the p
// features: the start and the λ path (no Adam steps) give the same fit either way.
import { cpuBackend } from '@hetmtl/backend-cpu';
import type { StandardizedTasks } from '@hetmtl/estimator';
import { linear, mlp } from '@hetmtl/encoders';
import { mcp } from '@hetmtl/regularizers';
import { countTensors, Random, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainingRowSpace, useRowSpace } from './row-space.js';
import { type DualRun, runDual } from './sequence.js';
import type { TrainerConfig } from './trainer.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

/** Rows with a few strong directions plus noise, a response on two of them. */
function wide(seed: number, sizes: readonly number[], p: number): StandardizedTasks {
  const rng = new Random(seed);
  const B = rng.normals(3 * p);
  const X = sizes.map((n) => {
    const x = rng.normals(n * p, 0, 0.3);
    for (let i = 0; i < n; i++) {
      const f = rng.normals(3);
      for (let a = 0; a < p; a++)
        x[i * p + a] += f[0] * B[a] + f[1] * B[p + a] + f[2] * B[2 * p + a];
    }
    return x;
  });
  const y = X.map((x, r) =>
    Float64Array.from({ length: x.length / p }, (_, i) => {
      let s = 0;
      for (let a = 0; a < p; a++) s += x[i * p + a] * (B[a] * (r < 2 ? 1 : -1) + 0.5 * B[p + a]);
      return s / Math.sqrt(p) + 0.2 * rng.normal();
    }),
  );
  return { X, y, p };
}

const config: TrainerConfig = {
  shared: linear(),
  specific: linear(),
  K0: 3,
  K1: 1,
  mu: 0.1,
  omega: 1,
  tau: 1e-3,
  nu: 1e-4,
  ridge: 1e-3,
  taskWeights: 'size',
  learningRate: 0.01,
  stepsPerBlock: 5,
};

const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d / scale;
};

describe('the row space of wide rows', () => {
  it('V has orthonormal columns, XV = Z, and XVVᵀ = X (the rows lie in it)', () => {
    const d = wide(1, [6, 7, 5], 90);
    const { space, Z } = trainingRowSpace(d);
    expect(space.q).toBe(18);
    const { p, q: m } = space;
    // V = V·I, through the lift of a weight.
    const I = new Float64Array(m * m);
    for (let j = 0; j < m; j++) I[j * m + j] = 1;
    const V = space.expandColumns(I, m);
    for (let j = 0; j < m; j++)
      for (let l = 0; l <= j; l++) {
        let s = 0;
        for (let a = 0; a < p; a++) s += V[a * m + j] * V[a * m + l];
        expect(Math.abs(s - (j === l ? 1 : 0))).toBeLessThan(1e-10);
      }
    d.X.forEach((X, r) => {
      const XV = space.project(X);
      expect(maxRel(XV, Z.X[r])).toBeLessThan(1e-10);
      const back = new Float64Array(X.length);
      const n = X.length / p;
      for (let i = 0; i < n; i++)
        for (let a = 0; a < p; a++) {
          let s = 0;
          for (let j = 0; j < m; j++) s += XV[i * m + j] * V[a * m + j];
          back[i * p + a] = s;
        }
      expect(maxRel(back, X)).toBeLessThan(1e-10);
    });
  });

  it('applies when p > 4N and every encoder has an input weight (not to identity)', () => {
    const d = wide(2, [6, 7, 5], 90);
    expect(useRowSpace(config, d)).toBe(true);
    expect(useRowSpace(config, wide(2, [6, 7, 5], 60))).toBe(false);
    expect(useRowSpace({ ...config, shared: mlp({ hidden: [4] }) }, d)).toBe(true);
  });
});

describe('a dual run in the row space', () => {
  it('the start and the λ path give the fit on the p features: same λ and groups, predictions to float32 precision', async () => {
    const d = wide(3, [8, 9, 10], 150);
    const va = wide(4, [5, 5, 5], 150);
    const before = countTensors();
    const runs: DualRun[] = [];
    for (const rowSpace of [false, true]) {
      runs.push(
        await runDual(config, d, new Random(5), {
          encoderPhase: { maxRounds: 0, tolerance: 0 },
          path: { similarity: mcp(), ridge: 1e-3, numLambdas: 8, lambda: 'path', criterion: 'bic' },
          validation: va,
          rowSpace,
        }),
      );
    }
    const [full, projected] = runs as [DualRun, DualRun];
    try {
      expect(projected.fitted.state.p).toBe(150);
      // The λ grid starts from the unfused β, which the float32 encoders give to ~1e-7.
      expect(Math.abs(projected.best.lambda - full.best.lambda)).toBeLessThan(
        1e-6 * Math.max(full.best.lambda, 1e-12),
      );
      expect(projected.best.groups).toEqual(full.best.groups);
      expect(projected.startScore).toBeCloseTo(full.startScore, 4);
      // The lifted predictor reads the p features; float32 encoders bound the agreement.
      va.X.forEach((X, r) => {
        expect(maxRel(projected.fitted.predict(r, X), full.fitted.predict(r, X))).toBeLessThan(
          1e-4,
        );
      });
    } finally {
      full.fitted.dispose();
      projected.fitted.dispose();
    }
    expect(countTensors()).toBe(before);
  });

  it('an encoder phase in the row space keeps a finite, improving fit of the p features', async () => {
    const d = wide(6, [8, 9, 10], 150);
    const va = wide(7, [5, 5, 5], 150);
    const run = await runDual(config, d, new Random(8), {
      encoderPhase: { maxRounds: 3, tolerance: 0 },
      path: { similarity: mcp(), ridge: 1e-3, numLambdas: 6, lambda: 'path', criterion: 'bic' },
      validation: va,
    });
    try {
      expect(run.encoderScore).toBeLessThanOrEqual(run.startScore + 1e-9);
      for (const X of va.X)
        expect(Array.from(run.fitted.predict(0, X)).every(Number.isFinite)).toBe(true);
    } finally {
      run.fitted.dispose();
    }
  });
});
