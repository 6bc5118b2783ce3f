import type { MultiTaskDataset, Standardizer } from '@hetmtl/data';
import { NumericError, ValidationError } from '@hetmtl/tensor';

/**
 * Guards against huge finite values (issue #11): a value whose standardisation overflows is refused
 * at fit naming its task, row and column; a prediction that is not finite is an error naming the
 * row and column that made it so; a model document never carries a non-finite number.
 */

const TOO_LARGE_FIX =
  'Rescale the column (other units, or its logarithm), or remove the row if the value is an error';

/** The row (1-based within its task) of the largest |value| of column j over all tasks. */
function largestIn(ds: MultiTaskDataset, j: number | 'target') {
  let best = { task: ds.taskNames[0], row: 1, value: 0 };
  const p = ds.numFeatures;
  for (const t of ds.tasks()) {
    for (let i = 0; i < t.n; i++) {
      const v = j === 'target' ? t.y[i] : t.X[i * p + j];
      if (Math.abs(v) > Math.abs(best.value) || Number.isNaN(best.value))
        best = { task: t.name, row: i + 1, value: v };
    }
  }
  return best;
}

function tooLarge(ds: MultiTaskDataset, j: number | 'target', why: string): ValidationError {
  const at = largestIn(ds, j);
  return new ValidationError(`A value too large to standardise (${why})`, {
    task: at.task,
    row: at.row,
    column: j === 'target' ? 'target' : ds.featureNames[j],
    expected: 'magnitudes whose squares sum to a finite number (below about 1e150)',
    received: String(at.value),
    fix: TOO_LARGE_FIX,
  });
}

/**
 * Checks that `st` (fitted on `ds`) has finite statistics and that every standardised value of `ds`
 * is finite and within float32 range (the encoders run in float32); else refuses the largest value
 * of the column at fault, naming its task, row and column.
 */
export function checkStandardizable(ds: MultiTaskDataset, st: Standardizer): void {
  const { mean, scale } = st.featureScaling();
  for (let j = 0; j < ds.numFeatures; j++) {
    if (!Number.isFinite(mean[j]) || !Number.isFinite(scale[j]) || !(scale[j] > 0))
      throw tooLarge(ds, j, `the column's mean or standard deviation overflows`);
  }
  const y = st.targetScaling();
  if (!Number.isFinite(y.mean) || !Number.isFinite(y.scale) || !(y.scale > 0))
    throw tooLarge(ds, 'target', `the target's mean or standard deviation overflows`);
  const p = ds.numFeatures;
  for (const t of ds.tasks()) {
    const Xs = st.transformX(t.X);
    for (let k = 0; k < Xs.length; k++)
      if (!(Math.abs(Xs[k]) < 1e30))
        throw tooLarge(ds, k % p, 'it overflows once centred and scaled');
    const ys = st.transformY(t.y);
    for (let i = 0; i < ys.length; i++)
      if (!(Math.abs(ys[i]) < 1e30))
        throw tooLarge(ds, 'target', 'it overflows once centred and scaled');
  }
}

/**
 * Throws unless every prediction is finite: names the first row (1-based) whose prediction is not,
 * and the column of that row furthest outside the training range (largest standardised |value|).
 */
export function checkPredictions(
  pred: Float64Array,
  rows: Float64Array,
  standardized: Float64Array,
  featureNames: readonly string[],
  task: string,
  st: Standardizer,
): void {
  for (let i = 0; i < pred.length; i++) {
    if (Number.isFinite(pred[i])) continue;
    throw predictionError(i, rows, standardized, featureNames, task, st, pred[i]);
  }
}

export function predictionError(
  i: number,
  rows: Float64Array,
  standardized: Float64Array,
  featureNames: readonly string[],
  task: string,
  st: Standardizer,
  value: number,
): ValidationError {
  const p = featureNames.length;
  let j = 0;
  for (let a = 1; a < p; a++)
    if (!(Math.abs(standardized[i * p + a]) <= Math.abs(standardized[i * p + j]))) j = a;
  const { mean, scale } = st.featureScaling();
  const m = mean[j];
  const s = scale[j];
  return new ValidationError(
    `The prediction is ${value} (the row is far outside the training data)`,
    {
      task,
      row: i + 1,
      column: featureNames[j],
      expected: `values of the same order as in training (column mean ${m.toPrecision(4)}, standard deviation ${s.toPrecision(4)})`,
      received: String(rows[i * p + j]),
      fix: 'Check the value (units, a typing error) or leave the row out',
    },
  );
}

/** Throws a NumericError naming the first non-finite number of a document (never saved). */
export function checkFiniteDocument(doc: unknown, path = ''): void {
  if (typeof doc === 'number') {
    if (!Number.isFinite(doc))
      throw new NumericError(`The model holds a non-finite number at ${path || 'the top level'}`, {
        expected: 'finite numbers only (a model that cannot be loaded is never written)',
        received: String(doc),
        fix: 'Refit the model; report the data that led here if it happens again',
      });
    return;
  }
  if (Array.isArray(doc) || ArrayBuffer.isView(doc)) {
    const a = doc as ArrayLike<unknown>;
    for (let i = 0; i < a.length; i++) checkFiniteDocument(a[i], `${path}[${i}]`);
    return;
  }
  if (typeof doc === 'object' && doc !== null)
    for (const [k, v] of Object.entries(doc)) checkFiniteDocument(v, path ? `${path}.${k}` : k);
}
