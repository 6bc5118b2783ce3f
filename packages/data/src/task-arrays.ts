import { describeReceived, type Matrix, opt, ValidationError } from '@hetmtl/tensor';
import { checkConstantTargets } from './checks.js';
import { createDataset, type MultiTaskDataset } from './dataset.js';
import { Encoding } from './encoding.js';
import { checkDtype, type Dtype, type FloatArray } from './values.js';

/**
 * A task's features: a row-major typed array (n×p), an array of n rows of p numbers, or a
 * `Matrix` from `@hetmtl/tensor`.
 */
export type FeatureInput = Float64Array | Float32Array | readonly (readonly number[])[] | Matrix;

/** One task's arrays. `y` has one entry per row. */
export interface TaskArrays {
  readonly X: FeatureInput;
  readonly y: Float64Array | Float32Array | readonly number[];
}

/** Per-task arrays keyed by task name (a record, a Map, or a list of `{ name, X, y }`). */
export type TaskArraysInput =
  | Readonly<Record<string, TaskArrays>>
  | ReadonlyMap<string, TaskArrays>
  | readonly (TaskArrays & { readonly name: string })[];

export interface TaskArraysOptions {
  /** Names of the p features. Default "x1" … "xp". */
  readonly featureNames?: readonly string[];
  /** Storage of X. Default: "float32" when every task's X is a Float32Array, else "float64". */
  readonly dtype?: Dtype;
  /**
   * Copy the arrays (default false: a typed X or y of the storage type is used as it is, so do not
   * change it afterwards).
   */
  readonly copy?: boolean;
  /** A target constant within a task (of two or more rows) is "allow"ed (default) or an "error". */
  readonly constantTarget?: 'error' | 'allow';
  /** Name of the task column in the dataset's encoding (for rows encoded at predict time). Default "task". */
  readonly taskColumn?: string;
  /** Name of the target in the dataset's encoding. Default "y". */
  readonly target?: string;
}

function entries(input: TaskArraysInput): [string, TaskArrays][] {
  if (input instanceof Map) return [...input.entries()];
  if (Array.isArray(input)) {
    return input.map((t, i) => {
      if (typeof t !== 'object' || t === null) {
        throw new ValidationError('Invalid task entry', {
          row: i + 1,
          expected: 'an object { name, X, y }',
          received: describeReceived(t),
        });
      }
      return [t.name, t];
    });
  }
  if (typeof input === 'object' && input !== null && !ArrayBuffer.isView(input)) {
    return Object.entries(input as Readonly<Record<string, TaskArrays>>);
  }
  throw new ValidationError('Invalid task arrays', {
    expected: 'an object { taskName: { X, y } }, a Map, or a list of { name, X, y }',
    received: describeReceived(input),
    fix: 'Pass for example { a: { X: [[1, 2], [3, 4]], y: [1, 2] } }',
  });
}

function isMatrix(x: unknown): x is Matrix {
  return (
    typeof x === 'object' &&
    x !== null &&
    'data' in x &&
    'rows' in x &&
    'cols' in x &&
    (x as Matrix).data instanceof Float64Array
  );
}

export function checkFeatureNames(names: unknown, p: number | undefined): readonly string[] {
  if (!Array.isArray(names)) {
    throw new ValidationError('Invalid featureNames option', {
      column: 'featureNames',
      expected: 'an array of strings',
      received: describeReceived(names),
    });
  }
  if (p !== undefined && names.length !== p) {
    throw new ValidationError('featureNames has the wrong length', {
      column: 'featureNames',
      expected: `${p} names, one per feature`,
      received: `${names.length} names`,
      fix: 'Give one name per column of X',
    });
  }
  const seen = new Map<string, number>();
  names.forEach((n, j) => {
    if (typeof n !== 'string' || n.trim() === '') {
      throw new ValidationError('Missing feature name', {
        column: j + 1,
        expected: 'a non-empty name for every feature',
        received: describeReceived(n),
        fix: ['Name every feature in ', opt('featureNames')],
      });
    }
    const k = seen.get(n);
    if (k !== undefined) {
      throw new ValidationError('Duplicated feature name', {
        column: n,
        expected: 'each feature name once',
        received: `${JSON.stringify(n)} for features ${k + 1} and ${j + 1}`,
        fix: 'Rename one of the features so that every name is unique',
      });
    }
    seen.set(n, j);
  });
  return names as readonly string[];
}

function nonFinite(task: string, row: number, column: string, value: number): ValidationError {
  return new ValidationError('Non-finite value', {
    task,
    row,
    column,
    expected: 'a finite number',
    received: String(value),
    fix: [
      'Replace or remove it before building the dataset (readCsv and fromLongTable offer ',
      opt('missing', 'drop-rows'),
      ' or "mean-impute")',
    ],
  });
}

/**
 * A dataset from per-task arrays: `{ taskName: { X, y } }`. Task order is the input's order (a
 * record orders integer-like keys first, as JavaScript does: pass a Map or a list to choose).
 * Rows in error messages are 1-based within the task.
 */
export function fromTaskArrays(
  input: TaskArraysInput,
  options: TaskArraysOptions = {},
): MultiTaskDataset {
  const list = entries(input);
  if (list.length === 0) {
    throw new ValidationError('No tasks', {
      expected: 'at least one task',
      received: 'an empty collection',
      fix: 'Pass { taskName: { X, y } }',
    });
  }
  const explicitDtype = checkDtype(options.dtype);
  let p: number | undefined =
    options.featureNames === undefined ? undefined : options.featureNames.length;
  let featureNames =
    options.featureNames === undefined
      ? undefined
      : checkFeatureNames(options.featureNames, undefined);
  const dtype: Dtype =
    explicitDtype ?? (list.every(([, t]) => t?.X instanceof Float32Array) ? 'float32' : 'float64');
  const copy = options.copy ?? false;
  const names: string[] = [];
  const Xs: FloatArray[] = [];
  const ys: Float64Array[] = [];
  const seen = new Set<string>();
  for (const [name, t] of list) {
    if (typeof name !== 'string' || name === '') {
      throw new ValidationError('Missing task name', {
        expected: 'a non-empty task name',
        received: describeReceived(name),
        fix: 'Name every task',
      });
    }
    if (seen.has(name)) {
      throw new ValidationError('Duplicated task name', {
        task: name,
        expected: 'each task once',
        received: `${JSON.stringify(name)} twice`,
        fix: 'Merge the two tasks or rename one',
      });
    }
    seen.add(name);
    if (typeof t !== 'object' || t === null || t.X === undefined || t.y === undefined) {
      throw new ValidationError('Invalid task arrays', {
        task: name,
        expected: 'an object { X, y }',
        received: describeReceived(t),
      });
    }
    // y.
    const yIn = t.y;
    if (!(yIn instanceof Float64Array || yIn instanceof Float32Array || Array.isArray(yIn))) {
      throw new ValidationError('Invalid target array', {
        task: name,
        column: 'y',
        expected: 'a Float64Array, Float32Array or array of numbers',
        received: describeReceived(yIn),
      });
    }
    const n = yIn.length;
    if (n === 0) {
      throw new ValidationError('Empty task', {
        task: name,
        expected: 'at least one row in every task',
        received: '0 rows',
        fix: 'Remove the task or add its rows',
      });
    }
    const y =
      yIn instanceof Float64Array && !copy ? yIn : Float64Array.from(yIn as ArrayLike<number>);
    for (let i = 0; i < n; i++) {
      const v = y[i];
      if (!Number.isFinite(v)) {
        if (typeof (yIn as ArrayLike<unknown>)[i] !== 'number') {
          throw new ValidationError('Non-numeric target', {
            task: name,
            row: i + 1,
            column: options.target ?? 'y',
            expected: 'a number',
            received: describeReceived((yIn as ArrayLike<unknown>)[i]),
          });
        }
        throw nonFinite(name, i + 1, options.target ?? 'y', v);
      }
    }
    // X.
    const xIn = t.X;
    let X: FloatArray;
    if (xIn instanceof Float64Array || xIn instanceof Float32Array || isMatrix(xIn)) {
      const data = isMatrix(xIn) ? xIn.data : xIn;
      if (isMatrix(xIn)) {
        if (xIn.rows !== n) {
          throw new ValidationError('X and y disagree on the number of rows', {
            task: name,
            expected: `${n} rows (the length of y)`,
            received: `${xIn.rows} rows`,
          });
        }
        p ??= xIn.cols;
        if (xIn.cols !== p) throw featureCountError(name, p, xIn.cols);
      } else {
        if (p === undefined) {
          if (data.length % n !== 0) {
            throw new ValidationError('X has the wrong length', {
              task: name,
              expected: `n×p entries with n = ${n} (the length of y)`,
              received: `${data.length} entries, not a multiple of ${n}`,
              fix: [
                'Pass X row-major with one row per entry of y, or pass ',
                opt('featureNames'),
                ' to fix p',
              ],
            });
          }
          p = data.length / n;
        }
        if (data.length !== n * p) {
          throw new ValidationError('X has the wrong length', {
            task: name,
            expected: `${n * p} entries (${n} rows × ${p} features)`,
            received: `${data.length} entries`,
            fix: 'Pass X row-major: n rows of p features',
          });
        }
      }
      const want = dtype === 'float32' ? Float32Array : Float64Array;
      X = data instanceof want && !copy ? data : want.from(data);
      const P = p;
      for (let i = 0; i < X.length; i++) {
        const v = X[i];
        if (!Number.isFinite(v)) {
          const orig = data[i];
          if (Number.isFinite(orig)) {
            throw new ValidationError('Value too large for float32', {
              task: name,
              row: Math.floor(i / P) + 1,
              column: featureNames?.[i % P] ?? `x${(i % P) + 1}`,
              expected: 'a magnitude below 3.4e38 (dtype "float32")',
              received: String(orig),
              fix: ['Use ', opt('dtype', 'float64'), ', or rescale the feature'],
            });
          }
          throw nonFinite(
            name,
            Math.floor(i / P) + 1,
            featureNames?.[i % P] ?? `x${(i % P) + 1}`,
            v,
          );
        }
      }
    } else if (Array.isArray(xIn)) {
      if (xIn.length !== n) {
        throw new ValidationError('X and y disagree on the number of rows', {
          task: name,
          expected: `${n} rows (the length of y)`,
          received: `${xIn.length} rows`,
        });
      }
      const first = xIn[0];
      if (!Array.isArray(first)) {
        throw new ValidationError('Invalid feature rows', {
          task: name,
          row: 1,
          expected: 'an array of p numbers per row',
          received: describeReceived(first),
          fix: 'Pass X as an array of rows, or as a row-major Float64Array',
        });
      }
      p ??= first.length;
      const P = p;
      X = dtype === 'float32' ? new Float32Array(n * P) : new Float64Array(n * P);
      for (let i = 0; i < n; i++) {
        const row = xIn[i] as readonly number[];
        if (!Array.isArray(row) || row.length !== P) {
          throw new ValidationError('Ragged feature rows', {
            task: name,
            row: i + 1,
            expected: `${P} values per row`,
            received: Array.isArray(row) ? `${row.length} values` : describeReceived(row),
            fix: 'Give every row the same number of features',
          });
        }
        for (let j = 0; j < P; j++) {
          const v = row[j];
          const col = featureNames?.[j] ?? `x${j + 1}`;
          if (typeof v !== 'number') {
            throw new ValidationError('Non-numeric value', {
              task: name,
              row: i + 1,
              column: col,
              expected: 'a number',
              received: describeReceived(v),
              fix: [
                'Convert the value to a number; categorical data goes through fromLongTable (text columns are categorical, or list them in ',
                opt('categorical'),
                ')',
              ],
            });
          }
          if (!Number.isFinite(v)) throw nonFinite(name, i + 1, col, v);
          X[i * P + j] = v;
          if (dtype === 'float32' && !Number.isFinite(X[i * P + j])) {
            throw new ValidationError('Value too large for float32', {
              task: name,
              row: i + 1,
              column: col,
              expected: ['a magnitude below 3.4e38 (', opt('dtype', 'float32'), ')'],
              received: String(v),
              fix: ['Use ', opt('dtype', 'float64'), ', or rescale the feature'],
            });
          }
        }
      }
    } else {
      throw new ValidationError('Invalid feature matrix', {
        task: name,
        expected: 'a Float64Array or Float32Array (row-major), an array of rows, or a Matrix',
        received: describeReceived(xIn),
      });
    }
    if (p === 0) {
      throw new ValidationError('No features', {
        task: name,
        expected: 'at least one feature column',
        received: '0 columns',
      });
    }
    names.push(name);
    Xs.push(X);
    ys.push(y);
  }
  const P = p as number;
  featureNames = featureNames ?? Array.from({ length: P }, (_, j) => `x${j + 1}`);
  checkFeatureNames(featureNames, P);
  if ((options.constantTarget ?? 'allow') === 'error')
    checkConstantTargets(names, ys, options.target ?? 'y');
  const encoding = new Encoding({
    taskColumn: options.taskColumn ?? 'task',
    target: options.target ?? 'y',
    columns: featureNames.map((name) => ({ name, kind: 'numeric', fill: null })),
    tasks: names,
  });
  return createDataset({ taskNames: names, featureNames, X: Xs, y: ys, dtype, encoding });
}

function featureCountError(task: string, expected: number, received: number): ValidationError {
  return new ValidationError('Tasks with different numbers of features', {
    task,
    expected: `${expected} features, like the first task`,
    received: `${received} features`,
    fix: 'Give every task the same features, in the same order',
  });
}
