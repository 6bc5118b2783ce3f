import { opt, ValidationError } from '@hetmtl/tensor';
import type { MultiTaskDataset } from './dataset.js';
import { Encoding } from './encoding.js';
import { keepColumns } from './feature-select.js';
import type { TableOptions } from './table-reader.js';

/** The row-value columns of the table adapters (weights, offset, exposure: TableOptions). */
const KEYS = ['weights', 'offset', 'exposure'] as const;

/**
 * The reader's options with the row-value columns read as numeric features, and the step that
 * moves them out of the features into the dataset's weights and offsets (checked: a negative or
 * non-finite weight, a non-positive exposure, a non-finite offset is an error naming its task, row
 * within the task, and column; a missing one is an error unless the row is dropped).
 */
export function rowColumnPlan<O extends TableOptions>(
  options: O,
): { inner: O; finish: (ds: MultiTaskDataset) => MultiTaskDataset } {
  if (
    typeof options !== 'object' ||
    options === null ||
    KEYS.every((k) => options[k] === undefined)
  )
    return { inner: options, finish: (ds) => ds };
  const cols: { key: (typeof KEYS)[number]; column: string }[] = [];
  for (const key of KEYS) {
    const column = options[key];
    if (column === undefined) continue;
    if (typeof column !== 'string' || column === '')
      throw new ValidationError(`Invalid ${key} option`, {
        column: key,
        expected: 'a column name',
        received: String(column),
      });
    if (column === options.task || column === options.target)
      throw new ValidationError(`The ${key} column is the task or target column`, {
        column,
        expected: `a ${key} column other than the task and target`,
        received: JSON.stringify(column),
      });
    cols.push({ key, column });
  }
  if (options.offset !== undefined && options.exposure !== undefined)
    throw new ValidationError('Both an offset and an exposure column', {
      column: 'offset',
      expected: 'one of offset (log scale) and exposure (its logarithm is the offset)',
      received: `offset ${JSON.stringify(options.offset)}, exposure ${JSON.stringify(options.exposure)}`,
    });
  const names = cols.map((c) => c.column);
  const enc = options.encoding;
  if (enc !== undefined) {
    if (!(enc instanceof Encoding)) return { inner: options, finish: (ds) => ds }; // the reader says why
    const clash = names.find((n) => enc.columns.some((c) => c.name === n));
    if (clash !== undefined)
      throw new ValidationError('A row-value column is a feature of the encoding', {
        column: clash,
        expected: 'a weights / offset / exposure column that is not a feature',
        received: JSON.stringify(clash),
      });
    // The encoding with the row-value columns as extra numeric columns, removed again by `finish`,
    // which gives back the encoding's own features. (Under mean-impute they need a fill value; an
    // imputed cell of theirs is then refused by `finish`.)
    const extended = new Encoding({
      taskColumn: enc.taskColumn,
      target: enc.target,
      columns: [
        ...enc.columns,
        ...names.map((name) => ({
          name,
          kind: 'numeric' as const,
          fill: enc.missing === 'mean-impute' ? 0 : null,
        })),
      ],
      tasks: enc.tasks,
      missing: enc.missing,
      unseenCategory: enc.unseenCategory,
      naValues: enc.naValues,
    });
    const inner: O = { ...options, encoding: extended };
    for (const k of KEYS) delete (inner as Record<string, unknown>)[k];
    return { inner, finish: (ds) => moveOut(ds, cols, names) };
  }
  const inner: O = {
    ...options,
    numeric: [...(options.numeric ?? []), ...names],
    ...(options.features !== undefined
      ? { features: [...options.features.filter((f) => !names.includes(f)), ...names] }
      : {}),
    ...(options.exclude !== undefined
      ? { exclude: options.exclude.filter((f) => !names.includes(f)) }
      : {}),
  };
  for (const k of KEYS) delete (inner as Record<string, unknown>)[k];
  return { inner, finish: (ds) => moveOut(ds, cols, names) };
}

/** The row-value columns moved out of the features into the dataset's weights and offsets. */
function moveOut(
  ds: MultiTaskDataset,
  cols: readonly { key: (typeof KEYS)[number]; column: string }[],
  names: readonly string[],
): MultiTaskDataset {
  const p = ds.numFeatures;
  const values = cols.map(({ key, column }) => {
    const j = ds.featureNames.indexOf(column);
    if (j < 0)
      throw new ValidationError(`The ${key} column was not read`, {
        column,
        expected: `a numeric column ${JSON.stringify(column)}`,
        received: 'no such feature (left out as ID-like?)',
        fix: ['List it in ', opt('features'), ' too'],
      });
    const imputed = ds.report?.imputedByColumn[column] ?? 0;
    if (imputed > 0)
      throw new ValidationError(`A missing value in the ${key} column`, {
        column,
        expected: `a value in every row (the ${key} column is not imputed)`,
        received: `${imputed} missing`,
        fix: ['Fill them in, or drop the rows with ', opt('missing', 'drop-rows')],
      });
    return ds.tasks().map((t) => Float64Array.from({ length: t.n }, (_, i) => t.X[i * p + j]));
  });
  const keep = ds.encoding.columns.filter((c) => !names.includes(c.name)).map((c) => c.name);
  let out = keepColumns(ds, keep);
  cols.forEach(({ key, column }, k) => {
    const v = values[k];
    if (key === 'weights') out = out.withWeights(v, column);
    else if (key === 'offset') out = out.withOffsets(v, column);
    else {
      v.forEach((e, r) => {
        for (let i = 0; i < e.length; i++)
          if (!(e[i] > 0))
            throw new ValidationError('An exposure that is not positive', {
              task: ds.taskNames[r],
              row: i + 1,
              column,
              expected: 'an exposure > 0 (its logarithm is the offset)',
              received: String(e[i]),
              fix: 'Correct or remove the row',
            });
      });
      out = out.withOffsets(
        v.map((e) => e.map(Math.log)),
        column,
      );
    }
  });
  return out;
}
