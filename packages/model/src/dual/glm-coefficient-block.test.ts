// The IRLS coefficient block (glm-coefficient-block.ts) against a Newton solve written here from
// the textbook score and information of the logistic / Poisson log-likelihood: at λ = 0 (no fusion)
// it equals each task's own penalised GLM fit; at a very large λ (mcp, refit) one common β equal to
// the tied fit of all tasks.
import { binomial, type Family, poisson } from '@hetmtl/estimator';
import { mcp, none } from '@hetmtl/regularizers';
import { Random } from '@hetmtl/tensor';
import { gaussSolve, poissonInverse } from '@hetmtl/testing';
import { describe, expect, it } from 'vitest';
import { type GlmCoefficientInput, glmCoefficientBlock } from './glm-coefficient-block.js';

interface Row {
  x: number[];
  y: number;
  w: number;
  o: number;
  /** the row's loss weight (task weight / the task's total row weight) */
  scale: number;
}

/**
 * Minimises Σ_rows scale·w·(−loglik) + ½ Σ_j pen_j θ_j² by 60 plain Newton steps from 0 (score
 * Xᵀ(y − μ), information XᵀVX): −loglik = d/2 up to a constant.
 */
function newton(f: Family, rows: Row[], pen: number[]): number[] {
  const D = pen.length;
  let th = new Array<number>(D).fill(0);
  for (let it = 0; it < 60; it++) {
    const g = pen.map((p, j) => -p * th[j]);
    const H = Array.from({ length: D }, (_, j) =>
      Array.from({ length: D }, (_, k) => (j === k ? pen[j] : 0)),
    );
    for (const q of rows) {
      const eta = q.o + q.x.reduce((a, v, j) => a + v * th[j], 0);
      const mu = f.name === 'binomial' ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta);
      const v = f.name === 'binomial' ? mu * (1 - mu) : mu;
      const s = q.scale * q.w;
      for (let j = 0; j < D; j++) {
        if (q.x[j] === 0) continue;
        g[j] += s * (q.y - mu) * q.x[j];
        for (let k = 0; k < D; k++) H[j][k] += s * v * q.x[j] * q.x[k];
      }
    }
    const step = gaussSolve(H, g);
    th = th.map((t, j) => t + step[j]);
  }
  return th;
}

function problem(family: 'binomial' | 'poisson', seed: number): GlmCoefficientInput {
  const rng = new Random(seed);
  const sizes = [40, 30, 50];
  const K0 = 3;
  const K1 = 2;
  const hasSpecific = [true, false, true];
  const F = sizes.map((n) => rng.normals(n * K0));
  const G = sizes.map((n) => rng.normals(n * K1));
  const offsets = sizes.map((n) =>
    Float64Array.from({ length: n }, () =>
      family === 'poisson' ? Math.log(0.5 + rng.uniform()) : 0,
    ),
  );
  const weights = sizes.map((n) => Float64Array.from({ length: n }, () => 0.5 + rng.uniform()));
  const y = sizes.map((n, r) =>
    Float64Array.from({ length: n }, (_, i) => {
      let eta = 0.3 * (r - 1) + offsets[r][i];
      for (let k = 0; k < K0; k++) eta += F[r][i * K0 + k] * (0.5 - 0.3 * k + 0.2 * r);
      if (hasSpecific[r]) eta += 0.3 * G[r][i * K1];
      const mu = family === 'binomial' ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta);
      if (family === 'binomial') return rng.uniform() < mu ? 1 : 0;
      return poissonInverse(mu, rng.uniform());
    }),
  );
  const N = sizes.reduce((a, b) => a + b, 0);
  return {
    family: family === 'binomial' ? binomial : poisson,
    F,
    G,
    y,
    hasSpecific,
    K0,
    K1,
    tau: 0.05,
    ridge: 0.01,
    taskWeights: sizes.map((n) => n / N),
    weights,
    offsets,
  };
}

/** Rows of task r as [c, γ (if any), β] designs for the independent Newton. */
function taskRows(
  inp: GlmCoefficientInput,
  r: number,
  layout: (k: 'c' | 'g' | 'b', j: number) => number,
  D: number,
) {
  const n = inp.y[r].length;
  const W = (inp.weights as Float64Array[])[r].reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, (_, i): Row => {
    const x = new Array<number>(D).fill(0);
    x[layout('c', 0)] = 1;
    if (inp.hasSpecific[r])
      for (let k = 0; k < inp.K1; k++) x[layout('g', k)] = inp.G[r][i * inp.K1 + k];
    for (let k = 0; k < inp.K0; k++) x[layout('b', k)] = inp.F[r][i * inp.K0 + k];
    return {
      x,
      y: inp.y[r][i],
      w: (inp.weights as Float64Array[])[r][i],
      o: (inp.offsets as Float64Array[])[r][i],
      scale: inp.taskWeights[r] / W,
    };
  });
}

describe('the IRLS coefficient block (binomial, poisson)', () => {
  for (const family of ['binomial', 'poisson'] as const) {
    it(`${family}: at λ = 0 each task's penalised GLM fit (independent Newton), weights and offsets included`, () => {
      const inp = problem(family, family === 'binomial' ? 3 : 4);
      const res = glmCoefficientBlock(inp, none(), { lambda: 0 });
      expect(res.converged).toBe(true);
      const { K0, K1 } = inp;
      for (let r = 0; r < inp.y.length; r++) {
        const q = inp.hasSpecific[r] ? K1 : 0;
        const D = 1 + q + K0;
        const layout = (k: 'c' | 'g' | 'b', j: number) =>
          k === 'c' ? 0 : k === 'g' ? 1 + j : 1 + q + j;
        // task r alone: w_r[(1/Ω)Σ ω d/2 + τ/2‖γ‖²] + ρ/2‖β‖²
        const pen = [
          0,
          ...new Array(q).fill(inp.taskWeights[r] * inp.tau),
          ...new Array(K0).fill(inp.ridge),
        ];
        const th = newton(inp.family, taskRows(inp, r, layout, D), pen);
        expect(Math.abs(res.c[r] - th[0])).toBeLessThan(1e-7);
        for (let k = 0; k < q; k++)
          expect(Math.abs(res.gamma[r][k] - th[1 + k])).toBeLessThan(1e-7);
        for (let k = 0; k < K0; k++)
          expect(Math.abs(res.beta[r][k] - th[1 + q + k])).toBeLessThan(1e-7);
      }
    });

    it(`${family}: at a very large λ one common β, the tied fit of all tasks (independent Newton)`, () => {
      const inp = problem(family, family === 'binomial' ? 5 : 6);
      const res = glmCoefficientBlock(inp, mcp(), { lambda: 1e6, refit: true });
      expect(res.converged).toBe(true);
      expect(new Set(res.groups).size).toBe(1);
      const R = inp.y.length;
      const { K0, K1 } = inp;
      // θ = (β common, then per task c_r, γ_r)
      const offs: number[] = [];
      let D = K0;
      for (let r = 0; r < R; r++) {
        offs.push(D);
        D += 1 + (inp.hasSpecific[r] ? K1 : 0);
      }
      const pen = new Array<number>(D).fill(0);
      for (let k = 0; k < K0; k++) pen[k] = R * inp.ridge;
      const rows: Row[] = [];
      for (let r = 0; r < R; r++) {
        for (let k = 0; k < (inp.hasSpecific[r] ? K1 : 0); k++)
          pen[offs[r] + 1 + k] = inp.taskWeights[r] * inp.tau;
        const layout = (kind: 'c' | 'g' | 'b', j: number) =>
          kind === 'b' ? j : kind === 'c' ? offs[r] : offs[r] + 1 + j;
        rows.push(...taskRows(inp, r, layout, D));
      }
      const th = newton(inp.family, rows, pen);
      for (let r = 0; r < R; r++) {
        for (let k = 0; k < K0; k++) {
          expect(Math.abs(res.beta[r][k] - res.beta[0][k])).toBeLessThan(1e-7);
          expect(Math.abs(res.beta[r][k] - th[k])).toBeLessThan(1e-6);
        }
        expect(Math.abs(res.c[r] - th[offs[r]])).toBeLessThan(1e-6);
      }
    });
  }

  it('a positive λ lies between: the objective it reports is below both endpoints evaluated at that λ', () => {
    const inp = problem('binomial', 8);
    const mid = glmCoefficientBlock(inp, mcp(), { lambda: 0.05 });
    expect(mid.converged).toBe(true);
    expect(Number.isFinite(mid.objective)).toBe(true);
    // the smooth objective alone cannot be lower than the λ = 0 minimum
    const free = glmCoefficientBlock(inp, none(), { lambda: 0 });
    expect(mid.objective).toBeGreaterThanOrEqual(free.objective - 1e-12);
  });
});
