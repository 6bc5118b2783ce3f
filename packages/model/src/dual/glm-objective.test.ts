// The deviance objective of the GLM encoder phase (glm-objective.ts): its value and its gradient in
// the encoders' weights against a Float64 oracle written here (the objective from its definition,
// differentiated by central finite differences), for binomial with row weights and poisson with
// offsets; the encoder phase lowers it and leaks no tensors.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { binomial, type Family, poisson, type StandardizedTasks } from '@hetmtl/estimator';
import { mcp } from '@hetmtl/regularizers';
import { Random, tf, useBackend, type Variable } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainerConfig } from '../test-fixtures/trainer-config.js';
import { glmCoefficientBlock, glmSmoothObjective } from './glm-coefficient-block.js';
import { glmInput, runGlmDual } from './glm-dual.js';
import { glmObjective, glmObjectiveTensor, glmRows } from './glm-objective.js';
import { linearVars } from './linear-step.js';
import { start } from './start.js';
import { DualTrainer } from './trainer.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

const p = 3;

/** Tasks of `sizes` rows, X ~ N(0, I); binomial or poisson responses, row weights and offsets. */
function tasks(seed: number, family: Family, sizes: number[]): StandardizedTasks {
  const rng = new Random(seed);
  const X = sizes.map((n) => rng.normals(n * p));
  const offsets = sizes.map((n) => Float64Array.from({ length: n }, () => 0.5 * rng.normal()));
  const y = X.map((x, r) =>
    Float64Array.from({ length: x.length / p }, (_, i) => {
      const eta = 0.3 + x[i * p] - 0.4 * (r + 1) * x[i * p + 1];
      if (family === binomial) return rng.uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
      // poisson by inversion of the cdf
      const mu = Math.exp(eta + offsets[r][i]);
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
  const weights = sizes.map((n) => Float64Array.from({ length: n }, () => 0.5 + rng.uniform()));
  return family === binomial ? { X, y, p, weights } : { X, y, p, offsets };
}

interface Params {
  W0: Float64Array; // p × K0
  b0: Float64Array; // K0
  Ws: Float64Array; // R × p × K1
  bs: Float64Array; // R × K1
}

/**
 * The objective from its definition in Float64 (μ, ν, τ, ρ, the intercept pseudo-rows at f = 0,
 * g = 0), for linear encoders with the trainer's factor statistics fixed.
 */
function oracle(tr: DualTrainer, inp: ReturnType<typeof glmInput>, q: Params): number {
  const { R, K0, K1, counts, config, hasSpecific } = tr;
  const { mu0, sd0, muS, sdS } = tr.store.stats;
  const { beta, gamma, c } = tr.store.coef;
  const fam = inp.family;
  let v = 0;
  for (let r = 0; r < R; r++) {
    const n = counts[r];
    const X = tr.data.X[r];
    const F = new Float64Array(n * K0);
    const G = new Float64Array(n * K1);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K0; k++) {
        let s = q.b0[k];
        for (let a = 0; a < p; a++) s += X[i * p + a] * q.W0[a * K0 + k];
        F[i * K0 + k] = (s - mu0[k]) / sd0[k];
      }
      for (let k = 0; k < K1; k++) {
        let s = q.bs[r * K1 + k];
        for (let a = 0; a < p; a++) s += X[i * p + a] * q.Ws[(r * p + a) * K1 + k];
        G[i * K1 + k] = hasSpecific[r] ? (s - muS[r][k]) / sdS[r][k] : 0;
      }
    }
    const y = inp.y[r];
    const w = (i: number) => (inp.weights ? inp.weights[r][i] : 1);
    let Omega = 0;
    for (let i = 0; i < y.length; i++) Omega += w(i);
    let dev = 0;
    for (let i = 0; i < y.length; i++) {
      let eta = c[r] + (inp.offsets ? inp.offsets[r][i] : 0);
      if (i < n) {
        for (let k = 0; k < K0; k++) eta += F[i * K0 + k] * beta[r][k];
        for (let k = 0; k < K1; k++) eta += G[i * K1 + k] * gamma[r][k];
      }
      dev += w(i) * fam.unitDeviance(y[i], fam.linkinv(eta));
    }
    const wr = tr.taskWeights[r];
    v += (wr * dev) / (2 * Omega);
    for (const g of gamma[r]) v += (config.tau / 2) * wr * g * g;
    for (const b of beta[r]) v += (config.ridge / 2) * b * b;
    // orthogonality μ‖F̃ᵀG̃/n‖²
    const centred = (A: Float64Array, K: number) => {
      const out = A.slice();
      for (let k = 0; k < K; k++) {
        let m = 0;
        for (let i = 0; i < n; i++) m += A[i * K + k] / n;
        for (let i = 0; i < n; i++) out[i * K + k] -= m;
      }
      return out;
    };
    const Fc = centred(F, K0);
    const Gc = centred(G, K1);
    for (let a = 0; a < K0; a++)
      for (let b = 0; b < K1; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += Fc[i * K0 + a] * Gc[i * K1 + b];
        v += config.mu * (s / n) ** 2;
      }
  }
  for (const arr of [q.W0, q.b0, q.Ws, q.bs]) for (const x of arr) v += (config.nu / 2) * x * x;
  return v;
}

const read = (v: Variable) => Float64Array.from(v.dataSync());

async function setup(family: Family) {
  const data = tasks(3, family, [40, 30, 25]);
  const config = trainerConfig({ omega: 0, mu: 0.5, nu: 0.1, tau: 0.2, ridge: 0.05 });
  const tr = new DualTrainer(config, data, new Random(5));
  await start(tr, new Random(6));
  // coefficients away from any optimum, so every term has a gradient
  const rng = new Random(9);
  tr.store.setCoefficients({
    beta: data.y.map(() => Float64Array.from({ length: tr.K0 }, () => rng.normal())),
    gamma: data.y.map(() => Float64Array.from({ length: tr.K1 }, () => rng.normal())),
    c: Float64Array.from(data.y, () => 0.3 * rng.normal()),
  });
  const { F, G } = tr.trainingFactors();
  const inp = glmInput(tr, data, family, F, G, 1);
  return { tr, inp, data };
}

describe('the GLM deviance objective', () => {
  for (const family of [binomial, poisson]) {
    it(`${family.name}: value and encoder gradients equal a Float64 oracle (finite differences)`, async () => {
      const before = tf.memory().numTensors;
      const { tr, inp } = await setup(family);
      const rows = glmRows(tr, inp);
      const g0 = linearVars(tr.shared);
      const gs = linearVars(tr.specific);
      if (!g0?.b || !gs?.b) throw new Error('linear encoders with a bias expected');
      const vars = [g0.W, g0.b, gs.W, gs.b];
      const q: Params = { W0: read(g0.W), b0: read(g0.b), Ws: read(gs.W), bs: read(gs.b) };
      // the value: the tensors' objective, the oracle, and (μ = ν = 0 parts aside) the coefficient
      // block's smooth objective at the same factors
      const value = glmObjective(tr, rows);
      const ref = oracle(tr, inp, q);
      expect(Math.abs(value - ref)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref)));
      // the gradient by tfjs's tape against central differences of the oracle
      const { grads, value: v } = tf.variableGrads(() => glmObjectiveTensor(tr, rows), vars);
      v.dispose();
      const keys = Object.keys(grads);
      const got = vars.map((x) => Float64Array.from(grads[x.name]?.dataSync() ?? []));
      tf.dispose(keys.map((k) => grads[k]));
      const arrays = [q.W0, q.b0, q.Ws, q.bs];
      const h = 1e-6;
      let worst = 0;
      let scale = 0;
      arrays.forEach((arr, j) => {
        for (let i = 0; i < arr.length; i++) {
          const x = arr[i];
          arr[i] = x + h;
          const up = oracle(tr, inp, q);
          arr[i] = x - h;
          const down = oracle(tr, inp, q);
          arr[i] = x;
          const fd = (up - down) / (2 * h);
          worst = Math.max(worst, Math.abs(fd - got[j][i]));
          scale = Math.max(scale, Math.abs(fd));
        }
      });
      expect(scale).toBeGreaterThan(1e-2);
      expect(worst).toBeLessThan(2e-4 * scale);
      rows.dispose();
      tr.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('the coefficient block lowers the objective at fixed encoders (it minimises its smooth part)', async () => {
    const { tr, inp } = await setup(binomial);
    const rows = glmRows(tr, inp);
    const before = glmObjective(tr, rows);
    const smoothBefore = glmSmoothObjective(inp, tr.store.coef);
    const res = glmCoefficientBlock(inp, mcp(), { lambda: 0 });
    tr.store.setCoefficients({ beta: res.beta, gamma: res.gamma, c: res.c });
    const after = glmObjective(tr, rows);
    expect(after).toBeLessThan(before - 1e-3);
    // the two differ by the μ and ν terms, which do not depend on the coefficients
    const rest = before - smoothBefore;
    expect(rest).toBeGreaterThan(0);
    expect(Math.abs(after - res.objective - rest)).toBeLessThan(1e-5);
    rows.dispose();
    tr.dispose();
  });

  for (const family of [binomial, poisson]) {
    it(`${family.name}: the encoder phase lowers the fitted objective and leaks no tensors`, async () => {
      const data = tasks(4, family, [60, 50, 40]);
      const config = trainerConfig({ omega: 1, mu: 0.1, nu: 1e-4, tau: 1e-3, stepsPerBlock: 10 });
      const before = tf.memory().numTensors;
      const run = await runGlmDual(config, data, new Random(2), {
        family,
        similarity: mcp(),
        numLambdas: 4,
        criterion: 'bic',
        encoderPhase: { maxRounds: 8, tolerance: 0 },
      });
      run.fitted.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const trace = run.phase?.trace ?? [];
      const rounds = trace.filter((t) => t.step === 'round');
      expect(rounds.length).toBe(8);
      const first = trace[0].objective;
      const last = rounds[rounds.length - 1].objective;
      expect(trace[0].step).toBe('start');
      expect(last).toBeLessThan(first);
    });
  }
});
