// Poisson with an offset against the fit on rates with weights, at the model's GLM dual: with
// exposure t, Σ_i d(y_i, t_i e^η_i) = Σ_i t_i d(y_i/t_i, e^η_i), so the deviance of y with offset
// log t is the t-weighted deviance of y/t. The per-task mean divides by Ω_r (n_r with the offset,
// Σ_i t_ri with the weights), so the identity holds when every task's exposures average 1, and
// without the intercept pseudo-rows (priorRows 0). Then the whole path gives the same coefficients.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { poisson, type StandardizedTasks } from '@hetmtl/estimator';
import { mcp } from '@hetmtl/regularizers';
import { Random, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainerConfig } from '../test-fixtures/trainer-config.js';
import { runGlmDual } from './glm-dual.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

function counts(seed: number, sizes: number[]) {
  const p = 3;
  const rng = new Random(seed);
  const X = sizes.map((n) => rng.normals(n * p));
  const t = sizes.map((n) => {
    const raw = Float64Array.from({ length: n }, () => 0.2 + 2 * rng.uniform());
    const m = raw.reduce((a, b) => a + b, 0) / n;
    return raw.map((v) => v / m); // mean exposure 1 in every task
  });
  const y = X.map((x, r) =>
    Float64Array.from({ length: x.length / p }, (_, i) => {
      const mu = t[r][i] * Math.exp(0.2 + 0.5 * x[i * p] - 0.3 * (r % 2 ? 1 : -1) * x[i * p + 1]);
      let k = 0;
      let q = Math.exp(-mu);
      let s = q;
      const u = rng.uniform();
      while (u > s && k < 200) {
        k++;
        q *= mu / k;
        s += q;
      }
      return k;
    }),
  );
  const withOffset: StandardizedTasks = { X, y, p, offsets: t.map((e) => e.map(Math.log)) };
  const rates: StandardizedTasks = {
    X,
    y: y.map((v, r) => v.map((k, i) => k / t[r][i])),
    p,
    weights: t,
  };
  return { withOffset, rates };
}

describe('poisson: offset log t = rates y/t with weights t', () => {
  it('gives the same path and coefficients (exposures of mean 1 per task, no pseudo-rows)', async () => {
    const { withOffset, rates } = counts(3, [60, 50, 45, 40]);
    const config = trainerConfig({ specific: null, K0: 2, K1: 0, omega: 0, mu: 0 });
    const run = (data: StandardizedTasks) =>
      runGlmDual(config, data, new Random(1), {
        family: poisson,
        similarity: mcp(),
        numLambdas: 6,
        criterion: 'bic',
        priorRows: 0,
      });
    const a = await run(withOffset);
    const b = await run(rates);
    const ca = a.fitted.coefficients();
    const cb = b.fitted.coefficients();
    expect(b.point).toBe(a.point);
    a.path.forEach((pt, j) => {
      expect(b.path[j].groups).toEqual(pt.groups);
      expect(Math.abs(b.path[j].bic - pt.bic)).toBeLessThan(1e-8);
    });
    let diff = 0;
    let scale = 0;
    ca.beta.forEach((row, r) =>
      row.forEach((v, k) => {
        diff = Math.max(diff, Math.abs(v - cb.beta[r][k]));
        scale = Math.max(scale, Math.abs(v));
      }),
    );
    ca.intercept.forEach((v, r) => {
      diff = Math.max(diff, Math.abs(v - cb.intercept[r]));
    });
    expect(scale).toBeGreaterThan(0.05);
    expect(diff).toBeLessThan(1e-6);
    a.fitted.dispose();
    b.fitted.dispose();
  });
});
