import { solveWithJitter } from '@hetmtl/tensor';
import type { StandardizedTasks as TaskArrays } from './estimator-input.js';
import type { Family } from './family.js';

/** What a linear learner keeps: slopes and intercepts per task on the standardised scale. */
export interface LinearFit {
  readonly slopes: readonly Float64Array[];
  readonly intercepts: Float64Array;
  /** The shared part (w₀ of mean regularisation, β̄ of centre shrinkage), when the learner has one. */
  readonly centre: Float64Array | null;
}

/**
 * Penalised generalised linear models with task intercepts, by Newton's method (IRLS: the links are
 * canonical, so Newton and Fisher scoring coincide) with step-halving. On standardised features,
 * with row weights wᵢ (1 when absent), offsets oᵢ (0 when absent) and W = Σ wᵢ over the rows of
 * the problem, it minimises
 *
 *   F = (1/W) Σᵢ wᵢ d(yᵢ, μᵢ) / 2 + penalty,   μᵢ = g⁻¹(oᵢ + c_r + xᵢᵀβ_r),
 *
 * d the family's unit deviance (half of it is the negative log-likelihood up to a constant; for the
 * gaussian family ½(y − μ)², so these are the ridge objectives of the linear learners). The forms:
 *
 * - `per-task`: each task alone, penalty (λ/2)‖β_r‖² (W = the task's weight);
 * - `pooled`: one β for all tasks, task intercepts, penalty (λ/2)‖β‖²;
 * - `mean-regularized`: β_r = w₀ + v_r, penalty (λ/2) Σ_r ‖v_r‖² + (ρ/2)‖w₀‖² (λ = ∞: v_r = 0).
 *
 * Intercepts are never penalised. Each Newton step solves the dense system in the intercepts and
 * the coefficients together — R + p (pooled), 1 + p per task, R + p(R + 1) (mean-regularised) — so
 * it is meant for the moderate p of these baselines, not for the wide row space. Stopping: once
 * the Newton decrement gᵀH⁻¹g/2 ≤ `tol`·max(1, |F|) (default 1e-12: F within about that of its
 * minimum) one last full step is taken (kept unless it raises F); also when no step-halving (30
 * halvings) lowers F, or after `maxIter` (default 100) steps (then `converged` is false).
 */
export type GlmForm =
  | { readonly kind: 'per-task' }
  | { readonly kind: 'pooled' }
  | { readonly kind: 'mean-regularized'; readonly ridge: number };

export interface GlmSolveOptions {
  readonly tol?: number;
  readonly maxIter?: number;
  /** A fit to start from (warm start along a λ path); default: β = 0, intercepts at the task means. */
  readonly start?: LinearFit | null;
}

export interface GlmSolution {
  readonly fit: LinearFit;
  /** Newton steps taken (the largest over tasks for `per-task`). */
  readonly iterations: number;
  /** False when `maxIter` steps were taken without meeting the tolerance. */
  readonly converged: boolean;
  /** The objective F at the solution (the sum over tasks for `per-task`). */
  readonly objective: number;
}

/** One problem: some tasks, their intercepts, and a parameter vector θ whose p-blocks sum to each task's β. */
interface Problem {
  readonly tasks: readonly number[];
  /** θ offsets of the p-blocks whose sum is β of tasks[k]. */
  readonly blocks: readonly (readonly number[])[];
  readonly dim: number;
  /** Diagonal penalty on θ (the objective adds ½ Σ penalty_k θ_k²). */
  readonly penalty: Float64Array;
}

export function solveGlm(
  family: Family,
  data: TaskArrays,
  form: GlmForm,
  lambda: number,
  options: GlmSolveOptions = {},
): GlmSolution {
  const R = data.y.length;
  const p = data.p;
  const slopes: Float64Array[] = Array.from({ length: R }, () => new Float64Array(p));
  const intercepts = new Float64Array(R);
  const start = options.start ?? null;
  if (form.kind === 'per-task') {
    let iterations = 0;
    let converged = true;
    let objective = 0;
    for (let r = 0; r < R; r++) {
      if (data.y[r].length === 0) continue;
      const pen = new Float64Array(p).fill(lambda);
      const theta0 = start ? start.slopes[r] : null;
      const c0 = start ? Float64Array.of(start.intercepts[r]) : null;
      const s = newton(
        family,
        data,
        { tasks: [r], blocks: [[0]], dim: p, penalty: pen },
        theta0,
        c0,
        options,
      );
      slopes[r] = s.theta;
      intercepts[r] = s.c[0];
      iterations = Math.max(iterations, s.iterations);
      converged &&= s.converged;
      objective += s.objective;
    }
    return { fit: { slopes, intercepts, centre: null }, iterations, converged, objective };
  }
  const tasks = Array.from({ length: R }, (_, r) => r).filter((r) => data.y[r].length > 0);
  const pooled = form.kind === 'pooled' || lambda === Number.POSITIVE_INFINITY;
  let problem: Problem;
  let theta0: Float64Array | null = null;
  if (pooled) {
    const pen = new Float64Array(p).fill(form.kind === 'pooled' ? lambda : form.ridge);
    problem = { tasks, blocks: tasks.map(() => [0]), dim: p, penalty: pen };
    if (start) theta0 = start.centre ?? start.slopes[tasks[0]];
  } else {
    // θ = (w₀, v_r for each task with rows)
    const dim = p * (tasks.length + 1);
    const pen = new Float64Array(dim).fill(lambda);
    pen.fill(form.ridge, 0, p);
    problem = { tasks, blocks: tasks.map((_, k) => [0, p * (k + 1)]), dim, penalty: pen };
    if (start?.centre) {
      const t = new Float64Array(dim);
      t.set(start.centre, 0);
      tasks.forEach((r, k) => {
        for (let a = 0; a < p; a++)
          t[p * (k + 1) + a] = start.slopes[r][a] - (start.centre as Float64Array)[a];
      });
      theta0 = t;
    }
  }
  const c0 = start ? Float64Array.from(tasks, (r) => start.intercepts[r]) : null;
  const s = newton(family, data, problem, theta0, c0, options);
  const centre = form.kind === 'mean-regularized' ? s.theta.slice(0, p) : null;
  tasks.forEach((r, k) => {
    const b = new Float64Array(p);
    for (const off of problem.blocks[k]) for (let a = 0; a < p; a++) b[a] += s.theta[off + a];
    slopes[r] = b;
    intercepts[r] = s.c[k];
  });
  // Tasks without rows (none reach here from the skeleton) keep β = w₀ (or the pooled β) and c = 0.
  for (let r = 0; r < R; r++)
    if (data.y[r].length === 0) slopes[r] = pooled ? s.theta.slice(0, p) : (centre ?? slopes[r]);
  return {
    fit: { slopes, intercepts, centre },
    iterations: s.iterations,
    converged: s.converged,
    objective: s.objective,
  };
}

interface NewtonResult {
  readonly theta: Float64Array;
  readonly c: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  readonly objective: number;
}

function newton(
  family: Family,
  data: TaskArrays,
  problem: Problem,
  theta0: Float64Array | null,
  c0: Float64Array | null,
  options: GlmSolveOptions,
): NewtonResult {
  const tol = options.tol ?? 1e-12;
  const maxIter = options.maxIter ?? 100;
  const { tasks, blocks, dim, penalty } = problem;
  const p = data.p;
  const K = tasks.length;
  const D = K + dim;
  const w = (r: number, i: number) => (data.weights ? data.weights[r][i] : 1);
  const o = (r: number, i: number) => (data.offsets ? data.offsets[r][i] : 0);
  let W = 0;
  for (const r of tasks) for (let i = 0; i < data.y[r].length; i++) W += w(r, i);
  // u = (c_1..c_K, θ)
  let u = new Float64Array(D);
  if (theta0) u.set(theta0, K);
  tasks.forEach((r, k) => {
    if (c0) {
      u[k] = c0[k];
      return;
    }
    // the task's (offset-adjusted) weighted mean on the link scale, kept inside the family's range
    let sy = 0;
    let se = 0;
    for (let i = 0; i < data.y[r].length; i++) {
      sy += w(r, i) * data.y[r][i];
      se += w(r, i) * (family.link === 'log' ? Math.exp(o(r, i)) : 1);
    }
    let m = sy / se;
    if (family.link === 'logit') m = Math.min(Math.max(m, 1e-4), 1 - 1e-4);
    if (family.link === 'log') m = Math.max(m, 1e-4);
    u[k] = family.linkfun(m) - (family.link === 'log' ? 0 : meanOffset(data, r, w));
  });
  const eta = (uu: Float64Array, k: number, r: number, i: number): number => {
    const X = data.X[r];
    let e = uu[k] + o(r, i);
    for (const off of blocks[k]) for (let a = 0; a < p; a++) e += X[i * p + a] * uu[K + off + a];
    return e;
  };
  const objective = (uu: Float64Array): number => {
    let f = 0;
    tasks.forEach((r, k) => {
      const y = data.y[r];
      for (let i = 0; i < y.length; i++) {
        const wi = w(r, i);
        if (wi !== 0) f += wi * family.unitDeviance(y[i], family.linkinv(eta(uu, k, r, i)));
      }
    });
    f /= 2 * W;
    for (let j = 0; j < dim; j++) f += 0.5 * penalty[j] * uu[K + j] ** 2;
    return f;
  };
  let F = objective(u);
  let iterations = 0;
  let converged = false;
  const g = new Float64Array(D);
  const H = new Float64Array(D * D);
  const idx = new Int32Array(1 + p * Math.max(...blocks.map((b) => b.length)));
  const val = new Float64Array(idx.length);
  while (iterations < maxIter) {
    g.fill(0);
    H.fill(0);
    tasks.forEach((r, k) => {
      const y = data.y[r];
      const X = data.X[r];
      for (let i = 0; i < y.length; i++) {
        const wi = w(r, i) / W;
        if (wi === 0) continue;
        const e = eta(u, k, r, i);
        const mu = family.linkinv(e);
        const d = family.muEta(e);
        // canonical links: ∂(d/2)/∂η = (μ − y), ∂²/∂η² = V(μ) = dμ/dη
        const gi = wi * (mu - y[i]);
        const hi = wi * d;
        let m = 0;
        idx[m] = k;
        val[m++] = 1;
        for (const off of blocks[k])
          for (let a = 0; a < p; a++) {
            idx[m] = K + off + a;
            val[m++] = X[i * p + a];
          }
        for (let s = 0; s < m; s++) {
          const vs = val[s];
          if (vs === 0) continue;
          g[idx[s]] += gi * vs;
          const row = idx[s] * D;
          const hv = hi * vs;
          for (let t = 0; t < m; t++) H[row + idx[t]] += hv * val[t];
        }
      }
    });
    for (let j = 0; j < dim; j++) {
      g[K + j] += penalty[j] * u[K + j];
      H[(K + j) * D + K + j] += penalty[j];
    }
    const { x: step } = solveWithJitter(H, g, D);
    // Newton decrement: gᵀH⁻¹g / 2 (the predicted decrease)
    let dec = 0;
    for (let j = 0; j < D; j++) dec += g[j] * step[j];
    dec /= 2;
    if (!(dec > tol * Math.max(1, Math.abs(F)))) {
      // Within the tolerance: the last full step (quadratically closer still) unless it raises F.
      const last = Float64Array.from(u, (v, j) => v - step[j]);
      const Fl = objective(last);
      if (Fl <= F + 1e-14 * Math.max(1, Math.abs(F))) {
        u = last;
        F = Fl;
      }
      converged = true;
      break;
    }
    iterations++;
    let t = 1;
    let next = u;
    let Fn = F;
    let improved = false;
    for (let halving = 0; halving <= 30; halving++) {
      next = Float64Array.from(u, (v, j) => v - t * step[j]);
      Fn = objective(next);
      // (a rise within rounding of F is no rise: near the minimum F is flat to machine precision)
      if (Fn <= F + 1e-14 * Math.max(1, Math.abs(F))) {
        improved = true;
        break;
      }
      t /= 2;
    }
    if (!improved) {
      // No step lowers F any more: at the minimum up to rounding (or a saturated intercept).
      converged = true;
      break;
    }
    u = next;
    F = Fn;
  }
  return { theta: u.slice(K), c: u.slice(0, K), iterations, converged, objective: F };
}

function meanOffset(data: TaskArrays, r: number, w: (r: number, i: number) => number): number {
  if (!data.offsets) return 0;
  let s = 0;
  let sw = 0;
  for (let i = 0; i < data.y[r].length; i++) {
    s += w(r, i) * data.offsets[r][i];
    sw += w(r, i);
  }
  return s / sw;
}
