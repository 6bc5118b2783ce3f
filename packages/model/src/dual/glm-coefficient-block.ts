import { type Family, workingResponse } from '@hetmtl/estimator';
import { type Penalty, prepareFusion, type PreparedFusion } from '@hetmtl/regularizers';
import { buildCoefficientProblem, profiledIntercepts } from './coefficient-block.js';

/**
 * The coefficient block of method.md §4 for a binomial or poisson family (the encoders fixed), by
 * proximal Newton / IRLS around the current coefficients. With η_ri = o_ri + c_r + g_riᵀγ_r + f_riᵀβ_r
 * it minimises
 *
 *   Σ_r w_r [ (1/(2Ω_r)) Σ_i ω_ri d(y_ri, μ_ri) + (τ/2)‖γ_r‖² ] + ½ρ Σ_r ‖β_r‖² + P_λ(β),
 *
 * d the family's unit deviance, ω the row weights (1 when absent), Ω_r = Σ_i ω_ri (the per-task mean
 * deviance; gaussian: the least-squares block of coefficient-block.ts), P_λ the fusion penalty.
 * Each step: the working weights W and response z at the current η (IRLS: for these canonical links
 * one Newton step of the deviance), the weighted least-squares coefficient problem
 * (`buildCoefficientProblem` with row weights n_r ω_ri V(μ_ri)/Ω_r — the task-private (c_r, γ_r)
 * profiled out), the fusion ADMM on that quadratic model (`fuse`), then (c, γ) profiled; the step
 * from the current point to that solution is halved while the objective above rises. Stops when the
 * objective changes by less than `tol` (relative, default 1e-10) or after `maxIter` (default 50)
 * steps (`converged` false).
 */
export interface GlmCoefficientInput {
  readonly family: Family;
  /** Shared factors per task (n_r × K0, row-major). */
  readonly F: readonly Float64Array[];
  /** Task factors per task (n_r × K1); empty arrays when K1 = 0. */
  readonly G: readonly Float64Array[];
  readonly y: readonly Float64Array[];
  readonly hasSpecific: readonly boolean[];
  readonly K0: number;
  readonly K1: number;
  /** Ridge τ on γ_r. */
  readonly tau: number;
  /** Ridge ρ on every β_r. */
  readonly ridge: number;
  /** Task weights w_r. */
  readonly taskWeights: ArrayLike<number>;
  /** Row weights ω_ri (absent: 1). */
  readonly weights?: readonly Float64Array[];
  /** Row offsets o_ri on the link scale (absent: 0). */
  readonly offsets?: readonly Float64Array[];
}

export interface GlmCoefficients {
  readonly beta: Float64Array[];
  readonly c: Float64Array;
  readonly gamma: Float64Array[];
}

export interface GlmBlockOptions {
  readonly lambda: number;
  /** Where the Newton steps start (default: β = 0, γ = 0, c_r at the link of the task's mean). */
  readonly start?: GlmCoefficients;
  readonly tol?: number;
  readonly maxIter?: number;
  /** ADMM tolerance of each quadratic model (default 1e-10). */
  readonly admmTol?: number;
  /** Refit β tied within the groups the ADMM finds (as the λ path does; default false). */
  readonly refit?: boolean;
}

export interface GlmBlockResult extends GlmCoefficients {
  readonly objective: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly groups: number[];
}

/** The linear predictor η_r (offset included) of task r at the coefficients. */
function etaOf(inp: GlmCoefficientInput, co: GlmCoefficients, r: number): Float64Array {
  const { F, G, K0, K1 } = inp;
  const n = inp.y[r].length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let e = co.c[r] + (inp.offsets ? inp.offsets[r][i] : 0);
    for (let k = 0; k < K0; k++) e += F[r][i * K0 + k] * co.beta[r][k];
    if (inp.hasSpecific[r]) for (let k = 0; k < K1; k++) e += G[r][i * K1 + k] * co.gamma[r][k];
    out[i] = e;
  }
  return out;
}

/** The smooth part of the objective (deviance, τ and ρ terms); the fusion penalty is added apart. */
export function glmSmoothObjective(inp: GlmCoefficientInput, co: GlmCoefficients): number {
  let f = 0;
  inp.y.forEach((y, r) => {
    const eta = etaOf(inp, co, r);
    let s = 0;
    let W = 0;
    for (let i = 0; i < y.length; i++) {
      const w = inp.weights ? inp.weights[r][i] : 1;
      if (w === 0) continue;
      s += w * inp.family.unitDeviance(y[i], inp.family.linkinv(eta[i]));
      W += w;
    }
    let g2 = 0;
    for (const v of co.gamma[r]) g2 += v * v;
    let b2 = 0;
    for (const v of co.beta[r]) b2 += v * v;
    f += inp.taskWeights[r] * ((W > 0 ? s / (2 * W) : 0) + 0.5 * inp.tau * g2);
    f += 0.5 * inp.ridge * b2;
  });
  return f;
}

/** The fusion penalty P_λ(β) of a prepared problem (its objective at λ less that at λ = 0). */
function penaltyAt(prep: PreparedFusion, beta: readonly Float64Array[], lambda: number): number {
  if (lambda === 0) return 0;
  return prep.objective(beta, lambda) - prep.objective(beta, 0);
}

function startOf(inp: GlmCoefficientInput): GlmCoefficients {
  const { family } = inp;
  const c = Float64Array.from(inp.y, (y, r) => {
    let sy = 0;
    let se = 0;
    for (let i = 0; i < y.length; i++) {
      const w = inp.weights ? inp.weights[r][i] : 1;
      const o = inp.offsets ? inp.offsets[r][i] : 0;
      sy += w * y[i];
      se += w * (family.link === 'log' ? Math.exp(o) : 1);
    }
    const m = se > 0 ? sy / se : 0.5;
    return family.linkfun(
      family.link === 'logit' ? Math.min(Math.max(m, 1e-4), 1 - 1e-4) : Math.max(m, 1e-4),
    );
  });
  return {
    beta: inp.y.map(() => new Float64Array(inp.K0)),
    c,
    gamma: inp.y.map(() => new Float64Array(inp.K1)),
  };
}

const lerp = (a: Float64Array, b: Float64Array, t: number) =>
  Float64Array.from(a, (v, j) => v + t * (b[j] - v));

/** The GLM coefficient block at one λ (see {@link GlmCoefficientInput}). */
export function glmCoefficientBlock(
  inp: GlmCoefficientInput,
  penalty: Penalty,
  options: GlmBlockOptions,
): GlmBlockResult {
  const tol = options.tol ?? 1e-10;
  const maxIter = options.maxIter ?? 50;
  const { lambda } = options;
  const R = inp.y.length;
  let cur = options.start ?? startOf(inp);
  let prep: PreparedFusion | null = null;
  let F = Number.POSITIVE_INFINITY;
  let groups = Array.from({ length: R }, (_, r) => r);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    // IRLS: working weights and response at the current η (offset removed from z).
    const rowW: Float64Array[] = [];
    const z: Float64Array[] = [];
    inp.y.forEach((y, r) => {
      const n = y.length;
      const w = inp.weights?.[r];
      let Omega = 0;
      for (let i = 0; i < n; i++) Omega += w ? w[i] : 1;
      const wk = workingResponse(inp.family, y, etaOf(inp, cur, r), w ?? null);
      rowW.push(wk.weight.map((v) => (Omega > 0 ? (v * n) / Omega : 0)));
      z.push(wk.response.map((v, i) => v - (inp.offsets ? inp.offsets[r][i] : 0)));
    });
    const cp = buildCoefficientProblem(
      inp.F,
      inp.G,
      z,
      inp.hasSpecific,
      inp.K0,
      inp.K1,
      inp.tau,
      inp.taskWeights,
      false,
      'auto',
      inp.ridge,
      rowW,
    );
    prep = prepareFusion(cp.fusion, penalty, { ridge: inp.ridge });
    if (!Number.isFinite(F)) F = glmSmoothObjective(inp, cur) + penaltyAt(prep, cur.beta, lambda);
    const sol = prep.solve({
      lambda,
      tol: options.admmTol ?? 1e-10,
      maxIter: 20000,
      ...(options.refit ? { refit: true } : {}),
    });
    const u = profiledIntercepts(cp, sol.beta);
    const next: GlmCoefficients = { beta: sol.beta, c: u.c, gamma: u.gamma };
    iterations++;
    // Step-halving on the objective (the new point's penalty from its own quadratic model's prep).
    let t = 1;
    let accepted: GlmCoefficients | null = null;
    let Fn = F;
    for (let h = 0; h <= 30; h++) {
      const trial: GlmCoefficients =
        t === 1
          ? next
          : {
              beta: cur.beta.map((b, r) => lerp(b, next.beta[r], t)),
              c: lerp(cur.c, next.c, t),
              gamma: cur.gamma.map((g, r) => lerp(g, next.gamma[r], t)),
            };
      Fn = glmSmoothObjective(inp, trial) + penaltyAt(prep, trial.beta, lambda);
      if (Fn <= F + 1e-13 * Math.max(1, Math.abs(F))) {
        accepted = trial;
        break;
      }
      t /= 2;
    }
    if (accepted === null) {
      converged = true;
      break;
    }
    const change = F - Fn;
    cur = accepted;
    F = Fn;
    groups = t === 1 ? sol.groups : groups;
    if (change <= tol * Math.max(1, Math.abs(F))) {
      converged = true;
      break;
    }
  }
  return { ...cur, objective: F, iterations, converged, groups };
}
