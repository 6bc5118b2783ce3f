import type { Family } from '@hetmtl/estimator';
import type { GlmCoefficientInput } from './glm-coefficient-block.js';
import { type Scalar, type Tensor, tf } from '@hetmtl/tensor';
import { regularizerTerms } from './objective.js';
import type { DualTrainer } from './trainer.js';

/**
 * The objective of method.md §3 for a binomial or poisson family, as the encoder phase sees it: the
 * squared error replaced by the per-task mean deviance,
 *
 *   Σ_r w_r (1/(2Ω_r)) Σ_i ω_ri d(y_ri, μ_ri),   μ_ri = g⁻¹(o_ri + c_r + f_riᵀβ_r + g_riᵀγ_r),
 *
 * ω the row weights (1 when absent), Ω_r = Σ_i ω_ri, o the offsets (0 when absent), plus the same
 * ridge τ, orthogonality μ, reconstruction ω and weight decay ν as the gaussian objective
 * (objective.ts, `regularizerTerms`) and the ridge ρ on β. The rows are those of the GLM
 * coefficient block's input (glm-coefficient-block.ts): the trainer's training rows first, then
 * any extra rows of a task (the intercept pseudo-rows of glm-dual.ts) at f = 0, g = 0, whose terms
 * depend on c_r only. So the value is the coefficient block's smooth objective plus μ, ω and ν:
 * each block of the alternating phase lowers the same function.
 *
 * For the canonical links ½d(y, μ) = h(y) − yη + b(η), b = softplus (logit) or exp (log),
 * h(y) = y log y + (1 − y) log(1 − y) (binomial) or y log y − y (poisson); the data term on the
 * training rows is Σ a_ri (h(y_ri) − y_ri η_ri + b(η_ri)), a_ri = w_r ω_ri/Ω_r, in tensors (the
 * part the encoders' gradient needs), the h terms a Float64 constant.
 */
export interface GlmRows {
  readonly family: Family;
  /** a_ri = w_r ω_ri / Ω_r on the training rows, 0 on padding: [R, nMax, 1]. */
  readonly a: Tensor;
  /** The offsets o_ri (0 on padding), or null without offsets: [R, nMax, 1]. */
  readonly offset: Tensor | null;
  /** Σ a_ri h(y_ri) over the training rows. */
  readonly constant: number;
  /** The extra rows (f = 0, g = 0): task, a, y, offset. */
  readonly extra: readonly { r: number; a: number; y: number; o: number }[];
  dispose(): void;
}

/** The largest linear predictor the log link's exp takes in float32 (e^80 ≈ 5.5e34). */
const LOG_ETA_MAX = 80;

const xlogx = (v: number) => (v > 0 ? v * Math.log(v) : 0);

/** The row weights, offsets and constants of a coefficient block's rows on the trainer. */
export function glmRows(tr: DualTrainer, inp: GlmCoefficientInput): GlmRows {
  const { family } = inp;
  if (family.link !== 'logit' && family.link !== 'log')
    throw new Error(`glmRows: the ${family.name} family has no deviance objective here`);
  const { R, counts, taskWeights } = tr;
  const nMax = tr.train.nMax;
  const a = new Float32Array(R * nMax);
  const o = inp.offsets ? new Float32Array(R * nMax) : null;
  const h = (y: number) => (family.link === 'logit' ? xlogx(y) + xlogx(1 - y) : xlogx(y) - y);
  let constant = 0;
  const extra: { r: number; a: number; y: number; o: number }[] = [];
  inp.y.forEach((y, r) => {
    const w = inp.weights?.[r];
    let Omega = 0;
    for (let i = 0; i < y.length; i++) Omega += w ? w[i] : 1;
    if (Omega <= 0) return;
    for (let i = 0; i < y.length; i++) {
      const air = (taskWeights[r] * (w ? w[i] : 1)) / Omega;
      const oi = inp.offsets ? inp.offsets[r][i] : 0;
      if (i >= counts[r]) {
        extra.push({ r, a: air, y: y[i], o: oi });
        continue;
      }
      a[r * nMax + i] = air;
      constant += air * h(y[i]);
      if (o) o[r * nMax + i] = oi;
    }
  });
  const aT = tf.tensor3d(a, [R, nMax, 1]);
  const oT = o ? tf.tensor3d(o, [R, nMax, 1]) : null;
  return {
    family,
    a: aT,
    offset: oT,
    constant,
    extra,
    dispose: () => tf.dispose(oT ? [aT, oT] : [aT]),
  };
}

/**
 * The part of the deviance objective that depends on the encoders (the training rows' deviance and
 * the terms of `regularizerTerms`), at the trainer's current encoders and coefficients.
 */
export function glmObjectiveTensor(tr: DualTrainer, rows: GlmRows): Scalar {
  return tf.tidy(() => {
    const t = tr.store.tensors();
    const { x, y } = tr.train;
    const { F, G } = tr.factors(x, false);
    let eta = tf.add(tf.sum(tf.mul(F, t.beta), -1, true), t.c);
    if (G) eta = tf.add(eta, tf.sum(tf.mul(G, t.gamma), -1, true));
    if (rows.offset) eta = tf.add(eta, rows.offset);
    const b =
      rows.family.link === 'logit' ? tf.softplus(eta) : tf.exp(tf.minimum(eta, LOG_ETA_MAX));
    const data = tf.add(tf.sum(tf.mul(rows.a, tf.sub(b, tf.mul(y, eta)))), rows.constant);
    return tf.add(data, regularizerTerms(tr, F, G)) as Scalar;
  });
}

/** The whole deviance objective without the fusion term: the tensor part, the extra rows and ρ/2 Σ‖β_r‖². */
export function glmObjective(tr: DualTrainer, rows: GlmRows): number {
  const t = glmObjectiveTensor(tr, rows);
  let v = t.dataSync()[0];
  t.dispose();
  const { beta, c } = tr.store.coef;
  const { family } = rows;
  for (const e of rows.extra)
    v += (e.a / 2) * family.unitDeviance(e.y, family.linkinv(c[e.r] + e.o));
  for (const b of beta) for (const x of b) v += 0.5 * tr.config.ridge * x * x;
  return v;
}
