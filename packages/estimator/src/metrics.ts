/** Regression metrics of one task, or of all rows together. */
export interface Metrics {
  readonly n: number;
  readonly rmse: number;
  readonly mae: number;
  /** 1 − SSE / SST around the mean of these y (NaN for fewer than 2 rows or a constant y). */
  readonly r2: number;
}

/** RMSE, MAE and R² of predictions `yhat` of `y`. */
export function metrics(y: ArrayLike<number>, yhat: ArrayLike<number>): Metrics {
  const n = y.length;
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
