import { binomial, type Family, meanDeviance, poisson } from './family.js';

/**
 * Metrics of one task, or of all rows together. The regression metrics (RMSE, MAE, R²) are there
 * for every family, on the response scale (probabilities, expected counts); the binomial and
 * poisson fields only for those families. With row weights every mean is a weighted mean.
 */
export interface Metrics {
  readonly n: number;
  readonly rmse: number;
  readonly mae: number;
  /** 1 − SSE / SST around the mean of these y (NaN for fewer than 2 rows or a constant y). */
  readonly r2: number;
  /** binomial: mean log loss −[y log p + (1 − y) log(1 − p)] (p clamped to [1e-15, 1 − 1e-15]). */
  readonly logLoss?: number;
  /** binomial: mean (y − p)². */
  readonly brier?: number;
  /**
   * binomial: the area under the ROC curve (ties in p count one half: mid-ranks); null when these
   * rows have one class only (the AUC is undefined, not 0.5).
   */
  readonly auc?: number | null;
  /** binomial: share of rows with (p ≥ 0.5) = y. */
  readonly accuracy?: number;
  /** binomial and poisson: mean unit deviance (binomial: twice the log loss). */
  readonly meanDeviance?: number;
  /** binomial and poisson: 1 − deviance / deviance of the constant mean of these y (NaN when that is 0). */
  readonly d2?: number;
}

/** RMSE, MAE and R² of predictions `yhat` of `y` (weighted means with `w`). */
export function metrics(
  y: ArrayLike<number>,
  yhat: ArrayLike<number>,
  w?: ArrayLike<number> | null,
): Metrics {
  const n = y.length;
  if (w) return weightedRegression(y, yhat, w);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] / n;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    const e = y[i] - yhat[i];
    sse += e * e;
    sae += Math.abs(e);
    sst += (y[i] - mean) ** 2;
  }
  return {
    n,
    rmse: Math.sqrt(sse / n),
    mae: sae / n,
    r2: n > 1 && sst > 0 ? 1 - sse / sst : Number.NaN,
  };
}

function weightedRegression(
  y: ArrayLike<number>,
  yhat: ArrayLike<number>,
  w: ArrayLike<number>,
): Metrics {
  const n = y.length;
  let sw = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i];
    mean += w[i] * y[i];
  }
  mean /= sw;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    const e = y[i] - yhat[i];
    sse += w[i] * e * e;
    sae += w[i] * Math.abs(e);
    sst += w[i] * (y[i] - mean) ** 2;
  }
  return {
    n,
    rmse: Math.sqrt(sse / sw),
    mae: sae / sw,
    r2: n > 1 && sst > 0 ? 1 - sse / sst : Number.NaN,
  };
}

/**
 * The (weighted) area under the ROC curve of scores `s` for 0/1 labels `y`: the share of
 * (positive, negative) pairs, weighted by wᵢwⱼ, whose positive scores higher, ties counting one
 * half (the mid-rank / Mann–Whitney form). O(n log n). Null when one class is absent (or weighs 0).
 */
export function auc(
  y: ArrayLike<number>,
  s: ArrayLike<number>,
  w?: ArrayLike<number> | null,
): number | null {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a] - s[b]);
  let negBelow = 0;
  let pos = 0;
  let neg = 0;
  let sum = 0;
  for (let k = 0; k < n; ) {
    let wp = 0;
    let wn = 0;
    const v = s[order[k]];
    while (k < n && s[order[k]] === v) {
      const i = order[k];
      const wi = w ? w[i] : 1;
      if (y[i] === 1) wp += wi;
      else wn += wi;
      k++;
    }
    sum += wp * (negBelow + 0.5 * wn);
    negBelow += wn;
    pos += wp;
    neg += wn;
  }
  return pos > 0 && neg > 0 ? sum / (pos * neg) : null;
}

function nullDeviance(family: Family, y: ArrayLike<number>, w?: ArrayLike<number> | null): number {
  let sw = 0;
  let m = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    sw += wi;
    m += wi * y[i];
  }
  return meanDeviance(family, y, new Float64Array(y.length).fill(m / sw), w);
}

/** Log loss, Brier score, AUC, accuracy at 0.5, mean deviance, D² and RMSE / MAE of probabilities `p` of 0/1 labels `y`. */
export function binomialMetrics(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  w?: ArrayLike<number> | null,
): Metrics {
  const n = y.length;
  let sw = 0;
  let brier = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    sw += wi;
    brier += wi * (y[i] - p[i]) ** 2;
    if ((p[i] >= 0.5 ? 1 : 0) === y[i]) hits += wi;
  }
  const dev = meanDeviance(binomial, y, p, w);
  const nullDev = nullDeviance(binomial, y, w);
  return {
    ...metrics(y, p, w),
    logLoss: dev / 2,
    brier: brier / sw,
    auc: auc(y, p, w),
    accuracy: hits / sw,
    meanDeviance: dev,
    d2: nullDev > 0 ? 1 - dev / nullDev : Number.NaN,
  };
}

/** Mean Poisson deviance, D², and RMSE / MAE / R² on the count scale of expected counts `mu` of counts `y`. */
export function poissonMetrics(
  y: ArrayLike<number>,
  mu: ArrayLike<number>,
  w?: ArrayLike<number> | null,
): Metrics {
  const dev = meanDeviance(poisson, y, mu, w);
  const nullDev = nullDeviance(poisson, y, w);
  return {
    ...metrics(y, mu, w),
    meanDeviance: dev,
    d2: nullDev > 0 ? 1 - dev / nullDev : Number.NaN,
  };
}

/** The metrics of a family (gaussian: RMSE, MAE, R²). */
export function familyMetrics(
  family: Family,
  y: ArrayLike<number>,
  pred: ArrayLike<number>,
  w?: ArrayLike<number> | null,
): Metrics {
  if (family.name === 'binomial') return binomialMetrics(y, pred, w);
  if (family.name === 'poisson') return poissonMetrics(y, pred, w);
  return metrics(y, pred, w);
}

/** Mean over tasks of the per-task RMSE (weighted by task size if asked); tasks without rows are skipped. */
export function meanTaskRmse(
  ys: readonly ArrayLike<number>[],
  preds: readonly ArrayLike<number>[],
  weighted = false,
): number {
  let s = 0;
  let w = 0;
  ys.forEach((y, r) => {
    if (y.length === 0) return;
    const wr = weighted ? y.length : 1;
    s += wr * metrics(y, preds[r]).rmse;
    w += wr;
  });
  return s / w;
}

/**
 * Mean over tasks of the per-task (row-weighted) mean deviance of predictions on the response
 * scale — the validation score of the binomial and poisson families, as {@link meanTaskRmse} is the
 * gaussian's (weighted by task size if asked); tasks without rows are skipped.
 */
export function meanTaskDeviance(
  family: Family,
  ys: readonly ArrayLike<number>[],
  mus: readonly ArrayLike<number>[],
  ws?: readonly (ArrayLike<number> | null | undefined)[] | null,
  weighted = false,
): number {
  let s = 0;
  let w = 0;
  ys.forEach((y, r) => {
    if (y.length === 0) return;
    const d = meanDeviance(family, y, mus[r], ws?.[r] ?? null);
    if (Number.isNaN(d)) return;
    const wr = weighted ? y.length : 1;
    s += wr * d;
    w += wr;
  });
  return s / w;
}
