import type { MultiTaskDataset } from '@hetmtl/data';
import type { DualEncoderRegressor } from '@hetmtl/model';
import { jsonNumber } from './format.js';

/**
 * Per-feature effects of a model that is linear in x (linear encoders, or the linear MTL floor):
 * for each task, the change of the prediction per unit of each feature (W·β on the original
 * scale), read off the model's own predictions at the mean row of `rows` (the rows it was fitted
 * on) and one standard deviation away in each feature, so that pred(x) = atMean + Σ effect_j ·
 * (x_j − mean_j) for every row inside the training range. With --log-target, on the log scale.
 * Null for a model with mlp encoders, or a blend with an mlp component (its effects vary with x).
 */
export function featureEffects(model: DualEncoderRegressor, rows: MultiTaskDataset) {
  const o = model.options;
  // The candidates the model is made of (a blend's weighted components, else the chosen one) must
  // all be linear in x: the linear floor, or linear / identity encoders (not the mlp trunk).
  const kind = model.summary().kind;
  const used = model
    .candidates()
    .filter((c) => (kind === 'blend' ? (c.weight ?? 0) > 0 : c.chosen));
  const linearIn = (c: (typeof used)[number]) =>
    c.kind === 'linear' ||
    /^(linear|identity)\/(linear|identity|none)$/.test(String(c.settings.encoder));
  const linear =
    used.length > 0
      ? used.every(linearIn)
      : kind === 'linear' ||
        (o.shared.kind === 'linear' && (o.specific === null || o.specific.kind === 'linear'));
  if (!linear) return null;
  const p = rows.numFeatures;
  const mean = new Float64Array(p);
  const sq = new Float64Array(p);
  let n = 0;
  for (const t of rows.tasks())
    for (let i = 0; i < t.n; i++, n++)
      for (let j = 0; j < p; j++) {
        const v = t.X[i * p + j];
        mean[j] += v;
        sq[j] += v * v;
      }
  const step = Array.from(mean, (s, j) => {
    const m = s / n;
    const sd = Math.sqrt(Math.max(0, sq[j] / n - m * m));
    return sd > 1e-12 * Math.max(1, Math.abs(m)) ? sd : 1;
  });
  mean.forEach((s, j) => {
    mean[j] = s / n;
  });
  // One matrix per task: the mean row, then the mean row moved by one step in each feature.
  const X = new Float64Array((p + 1) * p);
  for (let k = 0; k <= p; k++) X.set(mean, k * p);
  for (let j = 0; j < p; j++) X[(j + 1) * p + j] += step[j];
  const scale = (v: number) => (o.logTarget ? Math.log(v) : v);
  return {
    scale: o.logTarget ? 'log of the target' : 'target',
    features: rows.featureNames,
    at: Array.from(mean),
    tasks: model.taskNames.map((task) => {
      const pred = Array.from(model.predict(X, { task }), scale);
      return {
        task,
        atMean: jsonNumber(pred[0]),
        effects: step.map((h, j) => jsonNumber((pred[j + 1] - pred[0]) / h)),
      };
    }),
  };
}
