import { type Scalar, type Tensor, tf } from '@hetmtl/tensor';
import type { DualTrainer } from './trainer.js';

/**
 * The objective of method.md §3 without the fusion term (constant in the encoder blocks): the
 * weighted squared error, the ridge τ on γ, the orthogonality μ, the reconstruction ω and the
 * weight decay ν on the encoders.
 */
export function objectiveTensor(tr: DualTrainer): Scalar {
  return tf.tidy(() => {
    const t = tr.store.tensors();
    const { x, y, mask } = tr.train;
    const { F, G } = tr.factors(x, false);
    let pred = tf.add(tf.sum(tf.mul(F, t.beta), -1, true), t.c);
    if (G) pred = tf.add(pred, tf.sum(tf.mul(G, t.gamma), -1, true));
    const resid = tf.mul(tf.sub(y, pred), mask);
    const loss = tf.sum(tf.mul(tf.sum(tf.square(resid), [1, 2]), tr.consts.wOver2n));
    return tf.add(loss, regularizerTerms(tr, F, G)) as Scalar;
  });
}

/**
 * The terms of the objective besides the data term, at the training rows' factors F, G: the ridge τ
 * on γ, the orthogonality μ, the reconstruction ω and the weight decay ν (shared by the squared
 * error of {@link objectiveTensor} and the deviance of glm-objective.ts). Call inside a tidy.
 */
export function regularizerTerms(tr: DualTrainer, F: Tensor, G: Tensor | null): Scalar {
  const t = tr.store.tensors();
  const { x, mask, nMax } = tr.train;
  let loss: Tensor = tf.scalar(0);
  const cfg = tr.config;
  if (G && tr.K1 > 0) {
    loss = tf.add(
      loss,
      tf.mul(cfg.tau / 2, tf.sum(tf.mul(tf.sum(tf.square(t.gamma), [1, 2]), tr.consts.w))),
    );
    if (cfg.mu > 0) {
      const n = tr.consts.n;
      const Fm = tf.mul(tf.sub(F, tf.div(tf.sum(tf.mul(F, mask), 1, true), n)), mask);
      const Gm = tf.mul(tf.sub(G, tf.div(tf.sum(tf.mul(G, mask), 1, true), n)), mask);
      const Cm = tf.div(tf.matMul(Fm, Gm, true, false), n);
      loss = tf.add(loss, tf.mul(cfg.mu, tf.sum(tf.square(Cm))));
    }
  }
  if (cfg.omega > 0 && tr.decoder0) {
    let xhat = tf.reshape(tr.decoder0.forward(tf.reshape(F, [-1, tr.K0])), [tr.R, nMax, tr.p]);
    if (G && tr.decoderS) xhat = tf.add(xhat, tr.decoderS.forward(G));
    const rec = tf.sum(tf.square(tf.mul(tf.sub(x, xhat), mask)), [1, 2]);
    loss = tf.add(
      loss,
      tf.mul(cfg.omega / tr.reconstructionDim, tf.sum(tf.mul(rec, tr.consts.wOver2n))),
    );
  }
  if (cfg.nu > 0) {
    const enc = [
      ...Object.values(tr.shared.variables),
      ...Object.values(tr.specific?.variables ?? {}),
    ];
    if (enc.length > 0)
      loss = tf.add(loss, tf.mul(cfg.nu / 2, tf.addN(enc.map((v) => tf.sum(tf.square(v))))));
  }
  return loss as Scalar;
}

/** The objective's value. */
export function objective(tr: DualTrainer): number {
  const t = objectiveTensor(tr);
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}
