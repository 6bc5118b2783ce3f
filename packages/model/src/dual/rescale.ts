import { NumericError, tf, type Variable } from '@hetmtl/tensor';
import { type ClipRange, type Coefficients, copyCoefficients, type FactorStats } from './store.js';
import type { DualTrainer } from './trainer.js';

const SD_FLOOR = 1e-6;

/** Factor statistics and clipping ranges of the current encoders on the training rows. */
function measure(tr: DualTrainer): { stats: FactorStats; range: ClipRange } {
  const { R, K0, K1, counts } = tr;
  const nMax = tr.train.nMax;
  const [raw0, rawS] = tf.tidy(() => [
    tr.sharedRaw(tr.train.x),
    tr.specific ? tr.specific.forward(tr.train.x) : tf.zeros([R, nMax, 0]),
  ]);
  const f = raw0.dataSync();
  const g = rawS.dataSync();
  tf.dispose([raw0, rawS]);
  const N = counts.reduce((a, b) => a + b, 0);
  const mu0 = new Float64Array(K0);
  const sd0 = new Float64Array(K0);
  counts.forEach((n, r) => {
    for (let i = 0; i < n; i++)
      for (let k = 0; k < K0; k++) mu0[k] = mu0[k] + f[(r * nMax + i) * K0 + k] / N;
  });
  counts.forEach((n, r) => {
    for (let i = 0; i < n; i++)
      for (let k = 0; k < K0; k++) sd0[k] = sd0[k] + (f[(r * nMax + i) * K0 + k] - mu0[k]) ** 2 / N;
  });
  for (let k = 0; k < K0; k++) sd0[k] = Math.max(Math.sqrt(sd0[k]), SD_FLOOR);
  const muS = counts.map(() => new Float64Array(K1));
  const sdS = counts.map(() => new Float64Array(K1).fill(1));
  const gMin = counts.map(() => new Float64Array(K1));
  const gMax = counts.map(() => new Float64Array(K1));
  counts.forEach((n, r) => {
    if (!tr.hasSpecific[r]) return;
    const m = muS[r] as Float64Array;
    const s = sdS[r] as Float64Array;
    s.fill(0);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < K1; k++) m[k] = m[k] + g[(r * nMax + i) * K1 + k] / n;
    for (let i = 0; i < n; i++)
      for (let k = 0; k < K1; k++) s[k] = s[k] + (g[(r * nMax + i) * K1 + k] - m[k]) ** 2 / n;
    for (let k = 0; k < K1; k++) s[k] = Math.max(Math.sqrt(s[k]), SD_FLOOR);
    const lo = gMin[r] as Float64Array;
    const hi = gMax[r] as Float64Array;
    lo.fill(Number.POSITIVE_INFINITY);
    hi.fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K1; k++) {
        const z = (g[(r * nMax + i) * K1 + k] - m[k]) / s[k];
        lo[k] = Math.min(lo[k], z);
        hi[k] = Math.max(hi[k], z);
      }
    }
  });
  for (const v of [...mu0, ...sd0])
    if (!Number.isFinite(v))
      throw new NumericError('The shared factors are not finite in the rescaling step', {
        fix: 'Lower the learning rate',
      });
  return { stats: { mu0, sd0, muS, sdS }, range: { min: gMin, max: gMax } };
}

/**
 * The coefficients that keep every prediction c_r + f̃β_r + g̃γ_r unchanged when the factor
 * standardisation changes from `old` to `stats`.
 */
export function compensate(
  coef: Coefficients,
  old: FactorStats,
  stats: FactorStats,
  hasSpecific: readonly boolean[],
): Coefficients {
  const out = copyCoefficients(coef);
  const { mu0, sd0, muS, sdS } = stats;
  const K0 = mu0.length;
  out.beta.forEach((b, r) => {
    let dc = 0;
    for (let k = 0; k < K0; k++) {
      dc += b[k] * ((mu0[k] - old.mu0[k]) / old.sd0[k]);
      b[k] = b[k] * (sd0[k] / old.sd0[k]);
    }
    const gm = out.gamma[r];
    for (let k = 0; k < gm.length; k++) {
      if (!hasSpecific[r]) continue;
      const om = old.muS[r];
      const os = old.sdS[r];
      dc += (gm[k] * (muS[r][k] - om[k])) / os[k];
      gm[k] = gm[k] * (sdS[r][k] / os[k]);
    }
    out.c[r] = out.c[r] + dc;
  });
  return out;
}

/**
 * Step (c) of method.md §4: re-standardises the factors (pooled mean 0 / variance 1 for the shared
 * ones, per task for the task ones); with `compensate`, β, γ, c and the decoders are rescaled so
 * that predictions and reconstructions do not change.
 */
export function restandardize(tr: DualTrainer, withCompensation: boolean): void {
  const { stats, range } = measure(tr);
  const old = tr.store.stats;
  let coef: Coefficients = tr.store.coef;
  if (withCompensation) {
    coef = compensate(coef, old, stats, tr.hasSpecific);
    scaleDecoders(tr, old, stats);
  }
  tr.store.rescale(coef, stats, range);
}

function scaleDecoders(tr: DualTrainer, old: FactorStats, stats: FactorStats): void {
  const scaleRows = (v: Variable, factors: Float32Array) => {
    const scaled = tf.tidy(() =>
      tf.mul(v, tf.reshape(tf.tensor1d(factors), v.shape.length === 2 ? [-1, 1] : [tr.R, -1, 1])),
    );
    v.assign(scaled);
    scaled.dispose();
  };
  const d0 = tr.decoder0 ? Object.values(tr.decoder0.variables)[0] : undefined;
  if (d0)
    scaleRows(
      d0,
      Float32Array.from(stats.sd0, (s, k) => s / old.sd0[k]),
    );
  const ds = tr.decoderS ? Object.values(tr.decoderS.variables)[0] : undefined;
  if (ds) {
    scaleRows(
      ds,
      Float32Array.from(stats.sdS.flatMap((s, r) => Array.from(s, (x, k) => x / old.sdS[r][k]))),
    );
  }
}
