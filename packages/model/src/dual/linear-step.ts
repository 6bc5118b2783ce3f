import type { EncoderInstance } from '@hetmtl/encoders';
import type { GradientProgram, GradientStep } from '@hetmtl/optimizer';
import { type Scalar, type Tensor, tf, type Variable } from '@hetmtl/tensor';
import type { DualTrainer } from './trainer.js';

/**
 * The analytic gradient of the objective of method.md §3 (objective.ts, without the fusion term)
 * for a block of Adam steps on a *linear* encoder, with everything outside the block fixed:
 *
 *   block (a): g_r(x) = xW_r + b_r with γ_r, c_r and D_r, given F;
 *   block (b): g0(x) = xW0 + b0 with D0, given G, γ, c.
 *
 * With a_r = w_r/n_r on task r's rows (0 on padding), e = a⊙(ŷ − y), H = (ω/p)·a⊙(x̂ − x) and
 * C_r = F̃_rᵀG̃_r/n_r: ∂/∂F = eβᵀ + HD0ᵀ + (2μ/n_r)G̃C_rᵀ, ∂/∂G = eγᵀ + HD_rᵀ + (2μ/n_r)F̃C_r
 * (method.md §4: the centring drops out because G̃, F̃ sum to 0 over a task's rows), then
 * ∂/∂W = Xᵀ(∂/∂F ⊘ sd), ∂/∂b = 1ᵀ(∂/∂F ⊘ sd), ∂/∂D0 = Fᵀ H, ∂/∂γ_r = G_rᵀe_r + τw_rγ_r,
 * ∂/∂c_r = 1ᵀe_r; weight decay νW and the ridge τw_rγ_r go into the fused Adam update as decay.
 * Plain tensor ops (no tape, no saved clones); the terms that are fixed in a block are computed
 * once per run (`prepare`).
 */

/** The variables of a built-in `linear` encoder: W (`…/w0`) and the bias (`…/b0`) if it has one. */
export interface LinearVars {
  readonly W: Variable;
  readonly b: Variable | null;
}

/** The variables of a linear encoder, or null for any other encoder. */
export function linearVars(e: EncoderInstance | null): LinearVars | null {
  if (e?.spec.kind !== 'linear') return null;
  const find = (n: string) =>
    Object.entries(e.variables).find(([k]) => k === n || k.endsWith(`/${n}`))?.[1] ?? null;
  const W = find('w0');
  return W ? { W, b: find('b0') } : null;
}

/** One analytic block: its variables (in order), their decay, and the gradient program. */
export interface AnalyticBlock {
  readonly variables: Variable[];
  readonly decay: (number | Tensor)[];
  readonly program: GradientProgram<Tensor[]>;
  dispose(): void;
}

const f32 = (xs: ArrayLike<number>, shape: number[]) => tf.tensor(Float32Array.from(xs), shape);

/** Constants of the trainer that no block changes: row weights a = w/n on real rows, 0 on padding. */
function rowWeights(tr: DualTrainer, scale: number, equal = false): Tensor {
  const { R, counts, taskWeights } = tr;
  const nMax = tr.train.nMax;
  const a = new Float32Array(R * nMax);
  counts.forEach((n, r) =>
    a.fill((scale * (equal ? 1 : taskWeights[r])) / n, r * nMax, r * nMax + n),
  );
  return f32(a, [R, nMax, 1]);
}

/** mask/n_r on the rows: the weights of a task's mean. */
const rowMeans = (tr: DualTrainer) => rowWeights(tr, 1, true);

/**
 * The ridge terms of the objective at the current values, (ν/2)‖encoder weights‖² + (τ/2)Σ w_r‖γ_r‖²,
 * summed in JS (a read of the small parameter arrays, no kernels).
 */
function ridgeTerms(tr: DualTrainer): number {
  const { nu, tau } = tr.config;
  let s = 0;
  for (const v of [...encoderVars(tr.shared), ...encoderVars(tr.specific)])
    for (const x of v.dataSync()) s += (nu / 2) * x * x;
  if (tr.specific && tr.K1 > 0)
    tr.store
      .tensors()
      .gamma.dataSync()
      .forEach((g, i) => {
        s += (tau / 2) * tr.taskWeights[Math.floor(i / tr.K1)] * g * g;
      });
  return s;
}

/** The rest of the objective: ½Σ e⊙d + ½Σ H⊙R + μΣ‖C_r‖² (+ the ridge terms). */
function lossOf(
  tr: DualTrainer,
  e: Tensor,
  d: Tensor,
  rec: Tensor[] | null,
  C: Tensor | null,
): Scalar {
  let loss = tf.sum(tf.mul(e, d));
  if (rec) loss = tf.add(loss, tf.sum(tf.mul(rec[0], rec[1])));
  loss = tf.mul(loss, 0.5);
  if (C) loss = tf.add(loss, tf.mul(tf.sum(tf.square(C)), tr.config.mu));
  return tf.add(loss, ridgeTerms(tr)) as Scalar;
}

const encoderVars = (e: EncoderInstance | null) => Object.values(e?.variables ?? {});

/** The standardised shared factors F [R, n, K0] of the training rows. */
function sharedFactors(tr: DualTrainer, g0: LinearVars, invSd0: Tensor, mu0: Tensor): Tensor {
  // (Not tf.fused.matMul: tfjs-wasm 4.22 adds its bias wrongly to a batched product.)
  const xw = tf.matMul(tr.train.x, g0.W);
  const raw = g0.b ? tf.add(xw, g0.b) : xw;
  return tf.mul(tf.sub(raw, mu0), invSd0);
}

/** Z̃/n_r: a task's rows centred on their mean, 0 on padding, over n_r (`maskN` = mask/n_r). */
function centredOverN(Z: Tensor, maskN: Tensor): Tensor {
  return tf.mul(tf.sub(Z, tf.matMul(maskN, Z, true)), maskN);
}

/** The task factors G [R, n, K1] of a linear g_r: (xW_r + b_r − mean) ⊙ (hasSpec/sd). */
function specificFactors(tr: DualTrainer, gs: LinearVars, hs: Tensor, muS: Tensor): Tensor {
  const raw = tf.matMul(tr.train.x, gs.W);
  return tf.mul(tf.sub(gs.b ? tf.add(raw, gs.b) : raw, muS), hs);
}

/** hasSpec_r / sd_rk as [R, 1, K1] (0 for tasks without their own encoder). */
function specificScale(tr: DualTrainer): Tensor {
  const s = tr.store.stats.sdS;
  return f32(
    s.flatMap((sd, r) => Array.from(sd, (v) => (tr.hasSpecific[r] ? 1 / v : 0))),
    [tr.R, 1, tr.K1],
  );
}

/** Block (a): Adam on the task-specific linear encoders, γ, c and D_r. */
export function specificBlock(tr: DualTrainer, g0: LinearVars | null): AnalyticBlock | null {
  const gs = linearVars(tr.specific);
  if (!gs || tr.K1 === 0) return null;
  const { R, K1, config: cfg } = tr;
  const t = tr.store.tensors();
  const Ds = tr.decoderS ? encoderVars(tr.decoderS)[0] : null;
  const D0 = tr.decoder0 ? encoderVars(tr.decoder0)[0] : null;
  const variables = [gs.W, ...(gs.b ? [gs.b] : []), t.gamma, t.c, ...(Ds ? [Ds] : [])];
  const rho = cfg.omega / tr.reconstructionDim;
  const a = rowWeights(tr, 1);
  const aRec = rowWeights(tr, rho);
  const maskN = rowMeans(tr);
  const tauW = f32(
    Array.from({ length: R * K1 }, (_, i) => cfg.tau * tr.taskWeights[Math.floor(i / K1)]),
    [R, 1, K1],
  );
  const decay: (number | Tensor)[] = [
    cfg.nu,
    ...(gs.b ? [cfg.nu] : []),
    tauW,
    0,
    ...(Ds ? [0] : []),
  ];
  const orth = cfg.mu > 0;
  const program: GradientProgram<Tensor[]> = {
    // [F̃/n, 2μF̃/n, y − Fβ, F D0 − x, hasSpec/sdS, muS]: fixed during the run.
    prepare: () =>
      tf.tidy(() => {
        const s = tr.store.stats;
        const hs = specificScale(tr);
        // (The statistics' tensors are replaced at every rescaling: read them at every run.)
        const st = tr.store.tensors();
        const F = g0
          ? sharedFactors(
              tr,
              g0,
              f32(
                Array.from(s.sd0, (v) => 1 / v),
                [tr.K0],
              ),
              st.mu0,
            )
          : tr.factors(tr.train.x, false).F;
        const Fn = orth ? centredOverN(F, maskN) : tf.zeros([0]);
        const Fn2 = orth ? tf.mul(Fn, 2 * cfg.mu) : tf.zeros([0]);
        const target = tf.sub(tr.train.y, tf.matMul(F, t.beta, false, true));
        const negX = D0 ? tf.sub(tf.matMul(F, D0), tr.train.x) : tf.neg(tr.train.x);
        return [Fn, Fn2, target, negX, hs, st.muS];
      }),
    step: ([Fn, Fn2, target, negX, hs, muS], withLoss) => {
      const out = tf.tidy(() => {
        const G = specificFactors(tr, gs, hs, muS);
        const d = tf.add(tf.sub(tf.matMul(G, t.gamma, false, true), target), t.c);
        const e = tf.mul(a, d);
        const parts = [tf.mul(e, t.gamma)];
        const grads: Tensor[] = [];
        let Rr: Tensor | null = null;
        let H: Tensor | null = null;
        if (Ds) {
          Rr = tf.add(tf.matMul(G, Ds), negX);
          H = tf.mul(aRec, Rr);
          parts.push(tf.matMul(H, Ds, false, true));
        }
        const C = orth ? tf.matMul(Fn, G, true) : null;
        if (C) parts.push(tf.matMul(Fn2, C));
        const dG = tf.mul(parts.length > 1 ? tf.addN(parts) : parts[0], hs);
        grads.push(tf.matMul(tr.train.x, dG, true));
        if (gs.b) grads.push(tf.sum(dG, 1, true));
        grads.push(tf.matMul(e, G, true), tf.sum(e, 1, true));
        if (Ds && H) grads.push(tf.matMul(G, H, true));
        if (!withLoss) return { grads };
        return { grads, loss: lossOf(tr, e, d, H && Rr ? [H, Rr] : null, C) };
      });
      return out as GradientStep;
    },
    release: (c) => tf.dispose(c.slice(0, 5)),
  };
  return { variables, decay, program, dispose: () => tf.dispose([a, aRec, maskN, tauW]) };
}

/** Block (b): Adam on the shared linear encoder and D0. */
export function sharedBlock(tr: DualTrainer): AnalyticBlock | null {
  const g0 = linearVars(tr.shared);
  if (!g0) return null;
  const { K0, K1, config: cfg } = tr;
  const t = tr.store.tensors();
  const Ds = tr.decoderS ? encoderVars(tr.decoderS)[0] : null;
  const D0 = tr.decoder0 ? encoderVars(tr.decoder0)[0] : null;
  const variables = [g0.W, ...(g0.b ? [g0.b] : []), ...(D0 ? [D0] : [])];
  const decay: (number | Tensor)[] = [cfg.nu, ...(g0.b ? [cfg.nu] : []), ...(D0 ? [0] : [])];
  const a = rowWeights(tr, 1);
  const aRec = rowWeights(tr, cfg.omega / tr.reconstructionDim);
  const maskN = rowMeans(tr);
  const gs = linearVars(tr.specific);
  const withG = tr.specific !== null && K1 > 0;
  const orth = withG && cfg.mu > 0;
  const program: GradientProgram<Tensor[]> = {
    // [G̃/n, 2μG̃/n, y − c − Gγ, G D_r − x, 1/sd0]: fixed during the run.
    prepare: () =>
      tf.tidy(() => {
        const invSd = f32(
          Array.from(tr.store.stats.sd0, (v) => 1 / v),
          [K0],
        );
        const st = tr.store.tensors();
        const G = !withG
          ? null
          : gs
            ? specificFactors(tr, gs, specificScale(tr), st.muS)
            : tr.factors(tr.train.x, false).G;
        const Gn = G && orth ? centredOverN(G, maskN) : tf.zeros([0]);
        const Gn2 = G && orth ? tf.mul(Gn, 2 * cfg.mu) : tf.zeros([0]);
        let target = tf.sub(tr.train.y, t.c);
        if (G) target = tf.sub(target, tf.matMul(G, t.gamma, false, true));
        const negX = G && Ds ? tf.sub(tf.matMul(G, Ds), tr.train.x) : tf.neg(tr.train.x);
        return [Gn, Gn2, target, negX, invSd, st.mu0];
      }),
    step: ([Gn, Gn2, target, negX, invSd, mu0], withLoss) => {
      const out = tf.tidy(() => {
        const F = sharedFactors(tr, g0, invSd, mu0);
        const d = tf.sub(tf.matMul(F, t.beta, false, true), target);
        const e = tf.mul(a, d);
        const parts = [tf.mul(e, t.beta)];
        let Rr: Tensor | null = null;
        let H: Tensor | null = null;
        if (D0) {
          Rr = tf.add(tf.matMul(F, D0), negX);
          H = tf.mul(aRec, Rr);
          parts.push(tf.matMul(H, D0, false, true));
        }
        const C = orth ? tf.matMul(F, Gn, true) : null;
        if (C) parts.push(tf.matMul(Gn2, C, false, true));
        const dF = tf.mul(parts.length > 1 ? tf.addN(parts) : parts[0], invSd);
        const grads = [tf.sum(tf.matMul(tr.train.x, dF, true), 0)];
        if (g0.b) grads.push(tf.sum(dF, [0, 1]));
        if (D0 && H) grads.push(tf.sum(tf.matMul(F, H, true), 0));
        if (!withLoss) return { grads };
        return { grads, loss: lossOf(tr, e, d, H && Rr ? [H, Rr] : null, C) };
      });
      return out as GradientStep;
    },
    release: (c) => tf.dispose(c.slice(0, 5)),
  };
  return { variables, decay, program, dispose: () => tf.dispose([a, aRec, maskN]) };
}
