import { describeReceived, ValidationError } from '@hetmtl/tensor';
import { fromTaskArrays, MultiTaskDataset, type Standardizer } from '@hetmtl/data';

/**
 * What estimators (the model, the baselines) need around a dataset: checks of what they are given,
 * per-task arrays on the standardised scale, train + validation together, rows to predict.
 */

/** Per-task rows on an estimator's standardised scale: X row-major n_r × p, y of length n_r. */
export interface StandardizedTasks {
  readonly X: readonly Float64Array[];
  readonly y: readonly Float64Array[];
  readonly p: number;
  /** Row weights per task, when the dataset has them (absent: every row weighs 1). */
  readonly weights?: readonly Float64Array[];
  /** Row offsets per task on the link scale, when the dataset has them (absent: 0). */
  readonly offsets?: readonly Float64Array[];
}

/** The row weights and offsets of a dataset's tasks, as the optional fields of {@link StandardizedTasks}. */
function rowValues(
  ds: MultiTaskDataset,
  tasks: readonly string[] | undefined,
): Pick<StandardizedTasks, 'weights' | 'offsets'> {
  const pick = (key: 'weight' | 'offset') =>
    (tasks ?? ds.taskNames).map((name) =>
      ds.hasTask(name) ? (ds.task(name)[key] as Float64Array) : new Float64Array(0),
    );
  return {
    ...(ds.weights !== null ? { weights: pick('weight') } : {}),
    ...(ds.offsets !== null ? { offsets: pick('offset') } : {}),
  };
}

/** Every task of a dataset, standardised with a fitted standardizer. */
export function standardizeTasks(
  ds: MultiTaskDataset,
  st: Standardizer,
  tasks?: readonly string[],
): StandardizedTasks {
  const X: Float64Array[] = [];
  const y: Float64Array[] = [];
  if (tasks !== undefined) {
    // Aligned with `tasks` (the training tasks): a task without rows here (too small to spare
    // a validation or test row) gets empty arrays, which the metrics skip.
    const known = new Set(tasks);
    const extra = ds.taskNames.find((t) => !known.has(t));
    if (extra !== undefined)
      throw new ValidationError('A task the training rows do not have', {
        task: extra,
        expected: `one of the ${tasks.length} training tasks`,
        received: JSON.stringify(extra),
        fix: 'Split one dataset with trainTestSplit from @hetmtl/data',
      });
    const present = new Set(ds.taskNames);
    for (const name of tasks) {
      if (!present.has(name)) {
        X.push(new Float64Array(0));
        y.push(new Float64Array(0));
        continue;
      }
      const t = ds.task(name);
      X.push(st.transformX(t.X, t.name));
      y.push(st.transformY(t.y, t.name));
    }
    return { X, y, p: ds.numFeatures, ...rowValues(ds, tasks) };
  }
  for (const t of ds.tasks()) {
    // The task names where a value cannot be standardised (and picks per-task statistics).
    X.push(st.transformX(t.X, t.name));
    y.push(st.transformY(t.y, t.name));
  }
  return { X, y, p: ds.numFeatures, ...rowValues(ds, undefined) };
}

/** Throws a ValidationError unless `ds` is a MultiTaskDataset (`what` names it in the message). */
export function checkDataset(ds: unknown, what: string): asserts ds is MultiTaskDataset {
  if (!(ds instanceof MultiTaskDataset)) {
    const d = ds as MultiTaskDataset;
    // A dataset from another installed copy of this package is accepted by shape.
    if (
      typeof d === 'object' &&
      d !== null &&
      Array.isArray(d.taskNames) &&
      typeof d.tasks === 'function'
    )
      return;
    throw new ValidationError(`Invalid ${what}`, {
      expected: 'a MultiTaskDataset from @hetmtl/data',
      received: describeReceived(ds),
      fix: 'Build one with fromTaskArrays, fromLongTable or readCsv from @hetmtl/data',
    });
  }
}

/** Validation rows must have the training tasks (in the same order) and features. */
export function checkSameShape(
  train: MultiTaskDataset,
  validation: unknown,
): asserts validation is MultiTaskDataset {
  checkDataset(validation, 'validation dataset');
  if (validation.numFeatures !== train.numFeatures) {
    throw new ValidationError('The validation dataset has a different number of features', {
      expected: `${train.numFeatures}`,
      received: `${validation.numFeatures}`,
    });
  }
  if (validation.taskNames.join('\u0000') !== train.taskNames.join('\u0000')) {
    throw new ValidationError('The validation dataset has different tasks', {
      expected: `the training tasks in the same order (${train.taskNames.slice(0, 5).join(', ')}${train.numTasks > 5 ? ', …' : ''})`,
      received: validation.taskNames.slice(0, 5).join(', '),
      fix: 'Split one dataset with trainTestSplit from @hetmtl/data',
    });
  }
}

/**
 * The rows of each task of `a` followed by those of the same task in `b` (tasks in the order of
 * `a`); `b` may lack tasks of `a` (a task too small to spare a validation row), not have others.
 */
export function combineDatasets(a: MultiTaskDataset, b: MultiTaskDataset): MultiTaskDataset {
  checkDataset(b, 'dataset');
  if (b.numFeatures !== a.numFeatures) checkSameShape(a, b);
  const known = new Set(a.taskNames);
  if (b.taskNames.some((t) => !known.has(t))) checkSameShape(a, b);
  const inB = new Set(b.taskNames);
  const p = a.numFeatures;
  const list = a.tasks().map((t) => {
    if (!inB.has(t.name))
      return { name: t.name, X: Float64Array.from(t.X), y: Float64Array.from(t.y) };
    const u = b.task(t.name);
    const X = new Float64Array((t.n + u.n) * p);
    X.set(t.X, 0);
    X.set(u.X, t.n * p);
    const y = new Float64Array(t.n + u.n);
    y.set(t.y, 0);
    y.set(u.y, t.n);
    return { name: t.name, X, y };
  });
  const out = fromTaskArrays(list, { featureNames: [...a.featureNames], constantTarget: 'allow' });
  // Row weights (1 where one side has none) and offsets (0 where one side has none) follow their rows.
  const joined = (key: 'weight' | 'offset', fill: number) =>
    a.tasks().map((t) => {
      const u = inB.has(t.name) ? b.task(t.name) : null;
      const v = new Float64Array(t.n + (u ? u.n : 0)).fill(fill);
      const own = t[key];
      const other = u?.[key];
      if (own) v.set(own, 0);
      if (other) v.set(other, t.n);
      return v;
    });
  const weighted =
    a.weights !== null || b.weights !== null ? out.withWeights(joined('weight', 1)) : out;
  return a.offsets !== null || b.offsets !== null
    ? weighted.withOffsets(joined('offset', 0))
    : weighted;
}

/** Rows to predict: an array of rows, or a row-major typed array (n × p). */
export type FeatureRows = Float64Array | Float32Array | readonly (readonly number[])[];

/** Rows as a row-major Float64Array of p columns; a wrong width or a non-finite value is an error naming the task, row and column. */
export function toRowMajor(X: FeatureRows, p: number, task: string): Float64Array {
  let out: Float64Array;
  if (ArrayBuffer.isView(X)) {
    if (!(X instanceof Float64Array || X instanceof Float32Array) || X.length % p !== 0) {
      throw new ValidationError('Wrong number of features', {
        task,
        expected: `a row-major Float64Array with ${p} columns (length a multiple of ${p})`,
        received: describeReceived(X),
      });
    }
    out = Float64Array.from(X);
  } else if (Array.isArray(X)) {
    out = new Float64Array(X.length * p);
    X.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== p) {
        throw new ValidationError('Wrong number of features', {
          task,
          row: i,
          expected: `${p} values`,
          received: Array.isArray(row) ? `${row.length}` : describeReceived(row),
        });
      }
      out.set(row, i * p);
    });
  } else {
    throw new ValidationError('Invalid X', {
      task,
      expected: 'rows (number[][]) or a row-major Float64Array',
      received: describeReceived(X),
    });
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      throw new ValidationError('Non-finite value in X', {
        task,
        row: Math.floor(i / p),
        column: i % p,
        expected: 'finite numbers',
        received: String(out[i]),
        fix: 'Impute or drop missing values before predicting',
      });
    }
  }
  return out;
}

/**
 * The index of `task` among an estimator's fitted tasks, or a ValidationError naming it, listing
 * the first known tasks and saying how to fix it (`fix`).
 */
export function taskIndexOf(taskNames: readonly string[], task: unknown, fix: string): number {
  const r = typeof task === 'string' ? taskNames.indexOf(task) : -1;
  if (r < 0) {
    throw new ValidationError('Unknown task', {
      task: typeof task === 'string' ? task : String(task),
      expected: `one of the fitted tasks (${taskNames.slice(0, 5).join(', ')}${taskNames.length > 5 ? ', …' : ''})`,
      received: describeReceived(task),
      fix,
    });
  }
  return r;
}
