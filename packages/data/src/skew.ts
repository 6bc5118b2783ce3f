import { opt, ValidationError } from '@hetmtl/tensor';
import type { MultiTaskDataset } from './dataset.js';
import type { NumericColumn } from './encoding.js';
import { allocFloat } from './values.js';

/** The skewness above which {@link skewedColumns} picks a column. */
export const SKEWNESS_THRESHOLD = 2;

export interface SkewedColumn {
  readonly name: string;
  /** The sample skewness of the column over the rows given (Fisher–Pearson, g1 = m3 / m2^1.5). */
  readonly skewness: number;
}

/**
 * The skewed non-negative numeric columns of a dataset, for a log(1 + v) transform
 * ({@link log1pColumns}): a numeric column whose values over all rows of all tasks (pass the
 * training rows only) are all ≥ 0, take more than 2 distinct values (not an indicator) and have a
 * sample skewness above `threshold` (default 2) — counts, incomes, concentrations. A fixed rule
 * with nothing fitted to the target. Columns already transformed are not candidates. In column order.
 */
export function skewedColumns(
  dataset: MultiTaskDataset,
  options: { readonly threshold?: number } = {},
): SkewedColumn[] {
  const threshold = options.threshold ?? SKEWNESS_THRESHOLD;
  if (!(Number.isFinite(threshold) && threshold >= 0))
    throw new ValidationError('Invalid skewness threshold', {
      column: 'threshold',
      expected: 'a finite number ≥ 0',
      received: String(threshold),
      fix: ['Pass ', opt('threshold', SKEWNESS_THRESHOLD), ' (the default) or another number ≥ 0'],
    });
  const enc = dataset.encoding;
  const p = dataset.numFeatures;
  const N = dataset.totalRows;
  const out: SkewedColumn[] = [];
  if (N < 3) return out;
  enc.columns.forEach((c, j) => {
    if (c.kind !== 'numeric' || c.transform !== undefined) return;
    const f = enc.offsets[j];
    let sum = 0;
    let negative = false;
    const distinct = new Set<number>();
    for (const t of dataset.tasks())
      for (let i = 0; i < t.n; i++) {
        const v = t.X[i * p + f];
        if (v < 0) negative = true;
        if (distinct.size < 3) distinct.add(v);
        sum += v;
      }
    if (negative || distinct.size < 3) return;
    const mean = sum / N;
    let m2 = 0;
    let m3 = 0;
    for (const t of dataset.tasks())
      for (let i = 0; i < t.n; i++) {
        const d = t.X[i * p + f] - mean;
        m2 += d * d;
        m3 += d * d * d;
      }
    m2 /= N;
    m3 /= N;
    const skewness = m2 > 0 ? m3 / m2 ** 1.5 : 0;
    if (skewness > threshold) out.push({ name: c.name, skewness });
  });
  return out;
}

/**
 * The dataset with log(1 + v) in place of v in the given numeric columns, and its encoding marking
 * them (`transform: 'log1p'`, fill values on the new scale), so that the encoding of a saved model
 * reads new rows the same way and refuses a negative value there. Columns must be numeric, present
 * and not already transformed; every value of theirs must be ≥ 0.
 */
export function log1pColumns(
  dataset: MultiTaskDataset,
  columns: readonly string[],
): MultiTaskDataset {
  const enc = dataset.encoding;
  const wanted = new Set(columns);
  const positions: number[] = [];
  enc.columns.forEach((c, j) => {
    if (!wanted.has(c.name)) return;
    if (c.kind !== 'numeric' || c.transform !== undefined)
      throw new ValidationError('Not a column to log-transform', {
        column: c.name,
        expected: 'a numeric column not transformed yet',
        received:
          c.kind === 'numeric' ? `a column already read as ${c.transform}` : 'a categorical column',
        fix: 'Pass the names skewedColumns returns',
      });
    positions.push(j);
    wanted.delete(c.name);
  });
  for (const name of wanted)
    throw new ValidationError('Unknown column to log-transform', {
      column: name,
      expected: `a numeric feature column (${enc.columns.length} columns)`,
      received: JSON.stringify(name),
      fix: 'Pass the names skewedColumns returns',
    });
  if (positions.length === 0) return dataset;
  const p = dataset.numFeatures;
  const features = positions.map((j) => enc.offsets[j]);
  const X = dataset.tasks().map((t) => {
    const out = allocFloat(dataset.dtype, t.n * p);
    out.set(t.X);
    for (let i = 0; i < t.n; i++)
      for (const [k, f] of features.entries()) {
        const v = out[i * p + f];
        if (!(v >= 0))
          throw new ValidationError('A negative value in a column to log-transform', {
            task: t.name,
            row: i + 1,
            column: enc.columns[positions[k]].name,
            expected: 'values ≥ 0 (log(1 + v) is taken)',
            received: String(v),
            fix: 'Leave the column out of the transform',
          });
        out[i * p + f] = Math.log1p(v);
      }
    return out;
  });
  const transformed = new Set(positions);
  const encoding = enc.withColumns(
    enc.columns.map((c, j): (typeof enc.columns)[number] => {
      if (!transformed.has(j) || c.kind !== 'numeric') return c;
      const col: NumericColumn = {
        name: c.name,
        kind: 'numeric',
        fill: c.fill === null ? null : Math.log1p(c.fill),
        transform: 'log1p',
      };
      return col;
    }),
  );
  return dataset.withFeatures(X, encoding);
}
