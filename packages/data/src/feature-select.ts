import { opt, ValidationError } from '@hetmtl/tensor';
import type { MultiTaskDataset } from './dataset.js';
import { allocFloat } from './values.js';

/**
 * The `k` most variable numeric feature columns of a dataset (genomics' variance filter): the
 * variance of each numeric column over all rows of all tasks (the rows given: pass the training
 * rows only, so that no held-out row takes part), ties broken by column order. Categorical columns
 * are not candidates (they are kept by {@link keepColumns}). Returns column names in column order.
 */
export function mostVariableColumns(dataset: MultiTaskDataset, k: number): readonly string[] {
  const enc = dataset.encoding;
  const numeric = enc.columns.flatMap((c, j) => (c.kind === 'numeric' ? [j] : []));
  if (!Number.isInteger(k) || k < 1 || k > numeric.length) {
    throw new ValidationError('Invalid maxFeatures', {
      column: 'maxFeatures',
      expected: `a whole number from 1 to ${numeric.length}, the number of numeric feature columns (p)`,
      received: String(k),
      fix: ['Pass ', opt('maxFeatures', Math.min(Math.max(1, numeric.length), 1000)), ' or less'],
    });
  }
  const p = dataset.numFeatures;
  const N = dataset.totalRows;
  const mean = new Float64Array(p);
  for (const t of dataset.tasks())
    for (let i = 0; i < t.n; i++) for (let f = 0; f < p; f++) mean[f] += t.X[i * p + f];
  for (let f = 0; f < p; f++) mean[f] /= N;
  const ss = new Float64Array(p);
  for (const t of dataset.tasks())
    for (let i = 0; i < t.n; i++)
      for (let f = 0; f < p; f++) {
        const d = t.X[i * p + f] - mean[f];
        ss[f] += d * d;
      }
  const order = numeric
    .map((j) => ({ j, v: ss[enc.offsets[j]] }))
    .sort((a, b) => b.v - a.v || a.j - b.j)
    .slice(0, k)
    .map((c) => c.j)
    .sort((a, b) => a - b);
  return order.map((j) => enc.columns[j].name);
}

/**
 * The dataset restricted to the given numeric columns and every categorical column, with its
 * encoding restricted the same way (so that the encoding of a saved model reads only these
 * columns of a new file).
 */
export function keepColumns(
  dataset: MultiTaskDataset,
  columns: readonly string[],
): MultiTaskDataset {
  const enc = dataset.encoding;
  const keep = new Set(columns);
  const kept = enc.columns.flatMap((c, j) =>
    c.kind === 'categorical' || keep.has(c.name) ? [j] : [],
  );
  const reduced = enc.withColumns(kept.map((j) => enc.columns[j]));
  // Source position of each kept encoded feature.
  const src: number[] = [];
  for (const j of kept) {
    const width = (enc.offsets[j + 1] ?? enc.numFeatures) - enc.offsets[j];
    for (let k = 0; k < width; k++) src.push(enc.offsets[j] + k);
  }
  const p = dataset.numFeatures;
  const q = src.length;
  const X = dataset.tasks().map((t) => {
    const out = allocFloat(dataset.dtype, t.n * q);
    for (let i = 0; i < t.n; i++) for (let f = 0; f < q; f++) out[i * q + f] = t.X[i * p + src[f]];
    return out;
  });
  return dataset.withFeatures(X, reduced);
}
