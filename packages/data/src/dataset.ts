import { describeReceived, ValidationError } from '@hetmtl/tensor';
import { type Encoding, unknownTaskError } from './encoding.js';
import type { Dtype, FloatArray, MissingPolicy } from './values.js';

/** One task's data. `X` is row-major n×p (row i is X[i*p .. i*p+p-1]); `y` has n entries. */
export interface TaskData {
  readonly name: string;
  /** Position of the task in `dataset.taskNames`. */
  readonly index: number;
  readonly n: number;
  readonly p: number;
  /** Features, row-major n×p. A view of the dataset's storage: do not write to it. */
  readonly X: FloatArray;
  /** Targets. A view of the dataset's storage: do not write to it. */
  readonly y: Float64Array;
  /** Row weights (finite, ≥ 0), when the dataset has them (`withWeights`); a view: do not write to it. */
  readonly weight?: Float64Array;
  /** Row offsets on the link scale (finite; log exposure for counts), when the dataset has them (`withOffsets`). */
  readonly offset?: Float64Array;
}

/** A categorical feature column of a read: one-hot encoded into `levels` features (`column=level`). */
export interface CategoricalColumnReport {
  readonly column: string;
  /** Number of levels (of one-hot features). */
  readonly levels: number;
  /** True when the column was found to hold text (not listed in `categorical`). */
  readonly inferred: boolean;
}

/** A column left out of the default features as ID-like; list it in `features` to keep it. */
export interface IdColumnReport {
  readonly column: string;
  /** "name": named `id`, `ID`, `*_id` or `*Id`; "distinct": integer or text values, all distinct. */
  readonly reason: 'name' | 'distinct';
  /** The number of (all distinct) values, when `reason` is "distinct"; else null. */
  readonly distinct: number | null;
}

/** A task whose target takes one value in all its rows (two or more). */
export interface ConstantTargetReport {
  readonly task: string;
  readonly rows: number;
  readonly value: number;
}

/** A task of one or two rows. */
export interface TinyTaskReport {
  readonly task: string;
  readonly rows: number;
}

/** A two-level target read as 0/1 (`binaryTarget` / `positive` of the table adapters). */
export interface BinaryTargetReport {
  readonly column: string;
  /** The level read as 1. */
  readonly positive: string;
  /** The level read as 0 (null when every row had the positive level). */
  readonly negative: string | null;
}

/** What a table adapter did with the rows it read. Rows are counted after blank lines are skipped. */
export interface ReadReport {
  /** Where the rows came from (a file path, "string", "records", …). */
  readonly source: string;
  /** Data rows read (blank lines not counted). */
  readonly rowsRead: number;
  /** Rows in the dataset. */
  readonly rowsKept: number;
  /** Rows dropped because of a missing value (policy `drop-rows`, or a missing target under `mean-impute`). */
  readonly rowsDropped: number;
  readonly missing: MissingPolicy;
  /** Per column: rows that had a missing value there and were dropped (a row can count in several columns). */
  readonly droppedByColumn: Readonly<Record<string, number>>;
  /** Per task: rows dropped for a missing value (tasks without dropped rows are absent); they sum to `rowsDropped`. */
  readonly droppedByTask: Readonly<Record<string, number>>;
  /** Per column: missing values filled with the training mean (`mean-impute`). */
  readonly imputedByColumn: Readonly<Record<string, number>>;
  /** Per categorical column: values not seen in training, encoded as zeros (`unseenCategory: "zero"`). */
  readonly unseenByColumn: Readonly<Record<string, number>>;
  /** Every categorical feature column, in feature order, with its level count; `inferred` marks text columns found without the `categorical` option. */
  readonly categoricalColumns: readonly CategoricalColumnReport[];
  /** Columns left out of the default features as ID-like (by name, or all values distinct), in header order for names first. */
  readonly idColumns: readonly IdColumnReport[];
  /** Tasks (of two or more rows) whose target is constant, in task order (kept under `constantTarget: "allow"`, the default). */
  readonly constantTargetTasks: readonly ConstantTargetReport[];
  /** Tasks of one or two rows, in task order (a split keeps their rows for training; see the splits). */
  readonly tinyTasks: readonly TinyTaskReport[];
  /** The levels of a two-level target read as 0/1, when it was (`binaryTarget` / `positive`). */
  readonly binaryTarget?: BinaryTargetReport;
}

/** The whole dataset as one matrix (tasks one after another, in task order). */
export interface PooledData {
  readonly n: number;
  readonly p: number;
  readonly X: Float64Array;
  readonly y: Float64Array;
  /** The task of each row (index into `taskNames`). */
  readonly taskIndex: Int32Array;
}

/** Row indices per task: an array aligned with `taskNames`, or a record keyed by task name. */
export type TaskIndices =
  | readonly ArrayLike<number>[]
  | Readonly<Record<string, ArrayLike<number>>>;

/** @internal The parts a dataset is built from; the caller has validated them. */
export interface DatasetParts {
  readonly taskNames: readonly string[];
  readonly featureNames: readonly string[];
  readonly X: readonly FloatArray[];
  readonly y: readonly Float64Array[];
  readonly dtype: Dtype;
  readonly encoding: Encoding;
  readonly report?: ReadReport | undefined;
  /** Row weights per task (checked by the caller), or none. */
  readonly weights?: readonly Float64Array[] | null;
  /** Row offsets per task (checked by the caller), or none. */
  readonly offsets?: readonly Float64Array[] | null;
}

/** Per-task row values (weights, offsets): an array aligned with `taskNames`, or a record keyed by task name. */
export type TaskValues = readonly ArrayLike<number>[] | Readonly<Record<string, ArrayLike<number>>>;

const INTERNAL: unique symbol = Symbol('hetmtl.data.dataset');

/**
 * A validated multi-task regression dataset: named tasks of unequal sizes n_r over one shared
 * feature space with named features. Build one with an adapter (`fromTaskArrays`,
 * `fromLongTable`, `readCsv`, `parseCsv`, `fromJson`, `fromArrow`) or a simulator; never with `new`.
 *
 * Immutable: the object and its task records are frozen, and every method returns a new dataset.
 * The typed arrays are views of the dataset's storage (not copies, so large data is not held
 * twice): treat them as read-only. Every value is finite (never a NaN).
 */
export class MultiTaskDataset {
  readonly taskNames: readonly string[];
  readonly featureNames: readonly string[];
  readonly numTasks: number;
  readonly numFeatures: number;
  /** n_r per task, in task order. */
  readonly sizes: readonly number[];
  /** N = Σ n_r. */
  readonly totalRows: number;
  /** Storage type of X ("float64" or "float32"); y is always Float64Array. */
  readonly dtype: Dtype;
  /** How raw rows map to features: keep it to encode rows at predict time. */
  readonly encoding: Encoding;
  /** What the table adapter did (rows dropped, values imputed), when the dataset was read from a table. */
  readonly report: ReadReport | undefined;
  /** Row weights per task (finite, ≥ 0, each task with a positive total), or null: every row weighs 1. */
  readonly weights: readonly Float64Array[] | null;
  /** Row offsets per task on the link scale (finite), or null: no offset. */
  readonly offsets: readonly Float64Array[] | null;
  private readonly data: readonly TaskData[];
  private readonly lookup: ReadonlyMap<string, number>;

  /** @internal Use an adapter such as `fromTaskArrays` or `readCsv`. */
  constructor(token: typeof INTERNAL, parts: DatasetParts) {
    if (token !== INTERNAL) {
      throw new ValidationError('MultiTaskDataset cannot be built with new', {
        fix: 'Use fromTaskArrays, fromLongTable, readCsv, parseCsv, fromJson or fromArrow',
      });
    }
    const p = parts.featureNames.length;
    this.taskNames = Object.freeze([...parts.taskNames]);
    this.featureNames = Object.freeze([...parts.featureNames]);
    this.numTasks = this.taskNames.length;
    this.numFeatures = p;
    this.dtype = parts.dtype;
    this.encoding = parts.encoding;
    this.report = parts.report === undefined ? undefined : deepFreeze(parts.report);
    this.weights = parts.weights ? Object.freeze([...parts.weights]) : null;
    this.offsets = parts.offsets ? Object.freeze([...parts.offsets]) : null;
    const weights = this.weights;
    const offsets = this.offsets;
    this.data = Object.freeze(
      this.taskNames.map((name, index) => {
        const y = parts.y[index];
        return Object.freeze({
          name,
          index,
          n: y.length,
          p,
          X: parts.X[index],
          y,
          ...(weights ? { weight: weights[index] } : {}),
          ...(offsets ? { offset: offsets[index] } : {}),
        });
      }),
    );
    this.sizes = Object.freeze(this.data.map((t) => t.n));
    this.totalRows = this.sizes.reduce((a, b) => a + b, 0);
    this.lookup = new Map(this.taskNames.map((t, i) => [t, i]));
    Object.freeze(this);
  }

  /** One task, by name or by index. An unknown name is an error that lists the tasks. */
  task(which: string | number): TaskData {
    if (typeof which === 'number') {
      const t = this.data[which];
      if (!Number.isInteger(which) || t === undefined) {
        throw new ValidationError('Task index out of range', {
          expected: `an integer from 0 to ${this.numTasks - 1}`,
          received: describeReceived(which),
          fix: 'Use a task index below numTasks, or a task name',
        });
      }
      return t;
    }
    return this.data[this.taskIndex(which)];
  }

  /** All tasks, in order. */
  tasks(): readonly TaskData[] {
    return this.data;
  }

  [Symbol.iterator](): Iterator<TaskData> {
    return this.data[Symbol.iterator]();
  }

  hasTask(name: string): boolean {
    return this.lookup.has(name);
  }

  /** Position of a task; an unknown name is an error that lists the tasks. */
  taskIndex(name: string): number {
    const i = this.lookup.get(name);
    if (i === undefined) throw unknownTaskError(String(name), this.taskNames);
    return i;
  }

  /**
   * A new dataset with the given rows of each task (0-based, within the task; repeats allowed).
   * A task given no rows (an empty list, or absent from a record) is left out.
   */
  subset(indices: TaskIndices): MultiTaskDataset {
    const perTask = normalizeIndices(this, indices);
    const names: string[] = [];
    const Xs: FloatArray[] = [];
    const ys: Float64Array[] = [];
    const ws: Float64Array[] = [];
    const os: Float64Array[] = [];
    const p = this.numFeatures;
    perTask.forEach((idx, r) => {
      if (idx.length === 0) return;
      const t = this.data[r];
      if (t.weight) ws.push(Float64Array.from(idx, (k) => (t.weight as Float64Array)[k]));
      if (t.offset) os.push(Float64Array.from(idx, (k) => (t.offset as Float64Array)[k]));
      const X =
        this.dtype === 'float32'
          ? new Float32Array(idx.length * p)
          : new Float64Array(idx.length * p);
      const y = new Float64Array(idx.length);
      for (let i = 0; i < idx.length; i++) {
        const k = idx[i];
        X.set(t.X.subarray(k * p, (k + 1) * p), i * p);
        y[i] = t.y[k];
      }
      names.push(t.name);
      Xs.push(X);
      ys.push(y);
    });
    if (names.length === 0) {
      throw new ValidationError('Empty subset', {
        expected: 'at least one row of one task',
        received: 'no rows',
        fix: 'Pass row indices for at least one task',
      });
    }
    return createDataset({
      taskNames: names,
      featureNames: this.featureNames,
      X: Xs,
      y: ys,
      dtype: this.dtype,
      encoding: this.encoding,
      weights: this.weights ? ws : null,
      offsets: this.offsets ? os : null,
    });
  }

  /**
   * A new dataset with the same rows and another target: `y[r]` for task r (one value per row; X
   * and the encoding shared, not copied). Estimators use it to fit a transformed target.
   */
  withTarget(y: readonly ArrayLike<number>[]): MultiTaskDataset {
    if (y.length !== this.numTasks || y.some((v, r) => v?.length !== this.sizes[r])) {
      throw new ValidationError('A target of the wrong shape', {
        expected: `one array per task with its rows (${this.sizes.join(', ')})`,
        received: `${y.length} arrays of ${y.map((v) => v?.length).join(', ')}`,
      });
    }
    return createDataset({
      taskNames: this.taskNames,
      featureNames: this.featureNames,
      X: this.data.map((t) => t.X),
      y: y.map((v) => Float64Array.from(v)),
      dtype: this.dtype,
      encoding: this.encoding,
      weights: this.weights,
      offsets: this.offsets,
    });
  }

  /**
   * A new dataset with the same rows (targets, weights, offsets, read report) and other features:
   * `X[r]` for task r in `encoding`'s feature order (n_r × its features, this dataset's dtype) —
   * columns kept or transformed (`keepColumns`, `log1pColumns`).
   */
  withFeatures(X: readonly FloatArray[], encoding: Encoding): MultiTaskDataset {
    const q = encoding.numFeatures;
    if (X.length !== this.numTasks || X.some((x, r) => x.length !== this.sizes[r] * q)) {
      throw new ValidationError('Features of the wrong shape', {
        expected: `one array per task of its rows × ${q} features (${this.sizes.map((n) => n * q).join(', ')})`,
        received: `${X.length} arrays of ${X.map((x) => x.length).join(', ')}`,
      });
    }
    return createDataset({
      taskNames: this.taskNames,
      featureNames: encoding.featureNames,
      X,
      y: this.data.map((t) => t.y),
      dtype: this.dtype,
      encoding,
      report: this.report,
      weights: this.weights,
      offsets: this.offsets,
    });
  }

  /**
   * A new dataset with the same rows and these row weights (one finite value ≥ 0 per row, each
   * task with a positive total; null: no weights). A bad value is an error naming its task, row
   * (1-based within the task) and `column`.
   */
  withWeights(weights: TaskValues | null, column = 'weight'): MultiTaskDataset {
    return this.withRowValues(
      weights === null
        ? null
        : checkRowWeights(this, alignTaskValues(this, weights, column), column),
      this.offsets,
    );
  }

  /**
   * A new dataset with the same rows and these offsets on the link scale (one finite value per
   * row; for counts, the log of the exposure; null: no offsets). A non-finite value is an error
   * naming its task, row and `column`.
   */
  withOffsets(offsets: TaskValues | null, column = 'offset'): MultiTaskDataset {
    return this.withRowValues(
      this.weights,
      offsets === null
        ? null
        : checkRowOffsets(this, alignTaskValues(this, offsets, column), column),
    );
  }

  private withRowValues(
    weights: readonly Float64Array[] | null,
    offsets: readonly Float64Array[] | null,
  ): MultiTaskDataset {
    return createDataset({
      taskNames: this.taskNames,
      featureNames: this.featureNames,
      X: this.data.map((t) => t.X),
      y: this.data.map((t) => t.y),
      dtype: this.dtype,
      encoding: this.encoding,
      report: this.report,
      weights,
      offsets,
    });
  }

  /** A new dataset with only the named tasks, in the order given (data shared, not copied). */
  selectTasks(names: readonly string[]): MultiTaskDataset {
    if (names.length === 0) {
      throw new ValidationError('No tasks selected', {
        expected: 'at least one task name',
        received: 'an empty list',
      });
    }
    const seen = new Set<string>();
    const picked = names.map((n) => {
      if (seen.has(n)) {
        throw new ValidationError('Task selected twice', {
          task: n,
          expected: 'each task once',
          received: `${JSON.stringify(n)} twice`,
        });
      }
      seen.add(n);
      return this.task(n);
    });
    return createDataset({
      taskNames: picked.map((t) => t.name),
      featureNames: this.featureNames,
      X: picked.map((t) => t.X),
      y: picked.map((t) => t.y),
      dtype: this.dtype,
      encoding: this.encoding,
      weights: this.weights ? picked.map((t) => t.weight as Float64Array) : null,
      offsets: this.offsets ? picked.map((t) => t.offset as Float64Array) : null,
    });
  }

  /** All rows as one Float64 matrix, tasks one after another (a copy). */
  pooled(): PooledData {
    const p = this.numFeatures;
    const N = this.totalRows;
    const X = new Float64Array(N * p);
    const y = new Float64Array(N);
    const taskIndex = new Int32Array(N);
    let at = 0;
    for (const t of this.data) {
      X.set(t.X, at * p);
      y.set(t.y, at);
      taskIndex.fill(t.index, at, at + t.n);
      at += t.n;
    }
    return Object.freeze({ n: N, p, X, y, taskIndex });
  }

  /** The same data stored as `dtype` (this dataset when it already is). */
  asType(dtype: Dtype): MultiTaskDataset {
    if (dtype === this.dtype) return this;
    if (dtype !== 'float64' && dtype !== 'float32') {
      throw new ValidationError('Invalid dtype', {
        expected: '"float64" or "float32"',
        received: describeReceived(dtype),
      });
    }
    const Xs = this.data.map((t) =>
      dtype === 'float32' ? Float32Array.from(t.X) : Float64Array.from(t.X),
    );
    if (dtype === 'float32') {
      Xs.forEach((X, r) => {
        const bad = X.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) {
          const t = this.data[r];
          throw new ValidationError('Value too large for float32', {
            task: t.name,
            row: Math.floor(bad / this.numFeatures) + 1,
            column: this.featureNames[bad % this.numFeatures],
            expected: 'a magnitude below 3.4e38',
            received: String(t.X[bad]),
            fix: 'Keep dtype "float64", or rescale the feature',
          });
        }
      });
    }
    return createDataset({
      taskNames: this.taskNames,
      featureNames: this.featureNames,
      X: Xs,
      y: this.data.map((t) => t.y),
      dtype,
      encoding: this.encoding,
      weights: this.weights,
      offsets: this.offsets,
    });
  }

  toString(): string {
    return `MultiTaskDataset(${this.numTasks} tasks, ${this.totalRows} rows, ${this.numFeatures} features, ${this.dtype})`;
  }
}

/** @internal Builds a dataset from parts the caller has validated (finite values, sizes). */
export function createDataset(parts: DatasetParts): MultiTaskDataset {
  return new MultiTaskDataset(INTERNAL, parts);
}

function normalizeIndices(ds: MultiTaskDataset, indices: TaskIndices): ArrayLike<number>[] {
  let perTask: ArrayLike<number>[];
  if (Array.isArray(indices)) {
    if (indices.length !== ds.numTasks) {
      throw new ValidationError('Row indices for the wrong number of tasks', {
        expected: `one index list per task (${ds.numTasks})`,
        received: `${indices.length} lists`,
        fix: 'Pass an array aligned with taskNames, or a record keyed by task name',
      });
    }
    perTask = indices as ArrayLike<number>[];
  } else if (typeof indices === 'object' && indices !== null) {
    const rec = indices as Readonly<Record<string, ArrayLike<number>>>;
    for (const name of Object.keys(rec)) ds.taskIndex(name);
    perTask = ds.taskNames.map((n) => rec[n] ?? []);
  } else {
    throw new ValidationError('Invalid row indices', {
      expected: 'an array or record of index lists',
      received: describeReceived(indices),
    });
  }
  perTask.forEach((idx, r) => {
    const t = ds.task(r);
    for (let i = 0; i < idx.length; i++) {
      const k = idx[i];
      if (!Number.isInteger(k) || k < 0 || k >= t.n) {
        throw new ValidationError('Row index out of range', {
          task: t.name,
          expected: `integers from 0 to ${t.n - 1} (0-based rows within the task)`,
          received: describeReceived(k),
        });
      }
    }
  });
  return perTask;
}

function alignTaskValues(ds: MultiTaskDataset, values: TaskValues, column: string): Float64Array[] {
  let perTask: (ArrayLike<number> | undefined)[];
  if (Array.isArray(values)) {
    if (values.length !== ds.numTasks)
      throw new ValidationError(`${column}: values for the wrong number of tasks`, {
        column,
        expected: `one array per task (${ds.numTasks}), aligned with taskNames`,
        received: `${values.length} arrays`,
      });
    perTask = values as ArrayLike<number>[];
  } else if (typeof values === 'object' && values !== null) {
    const rec = values as Readonly<Record<string, ArrayLike<number>>>;
    for (const name of Object.keys(rec)) ds.taskIndex(name);
    perTask = ds.taskNames.map((n) => rec[n]);
  } else {
    throw new ValidationError(`Invalid ${column}`, {
      column,
      expected: 'an array of per-task arrays, or a record keyed by task name',
      received: describeReceived(values),
    });
  }
  return perTask.map((v, r) => {
    const t = ds.task(r);
    if (v === undefined || v === null || typeof v.length !== 'number' || v.length !== t.n)
      throw new ValidationError(`${column}: a task with the wrong number of values`, {
        task: t.name,
        column,
        expected: `one value per row (${t.n})`,
        received: v === undefined || v === null ? 'none' : `${v.length} values`,
        fix: `Give every task one ${column} per row, in the row order of the task`,
      });
    return Float64Array.from(v);
  });
}

/** @internal Row weights must be finite and ≥ 0, with a positive total in each task. */
export function checkRowWeights(
  ds: { readonly taskNames: readonly string[] },
  weights: Float64Array[],
  column: string,
): Float64Array[] {
  weights.forEach((w, r) => {
    let total = 0;
    for (let i = 0; i < w.length; i++) {
      const v = w[i];
      if (!(Number.isFinite(v) && v >= 0))
        throw new ValidationError('A row weight that is negative or not finite', {
          task: ds.taskNames[r],
          row: i + 1,
          column,
          expected: 'a finite weight ≥ 0',
          received: String(v),
          fix: 'Correct the weight, or remove the row',
        });
      total += v;
    }
    if (!(total > 0))
      throw new ValidationError('A task whose row weights are all zero', {
        task: ds.taskNames[r],
        column,
        expected: 'at least one row of positive weight in every task',
        received: `${w.length} rows of weight 0`,
        fix: 'Remove the task, or give its rows a positive weight',
      });
  });
  return weights;
}

/** @internal Offsets must be finite. */
export function checkRowOffsets(
  ds: { readonly taskNames: readonly string[] },
  offsets: Float64Array[],
  column: string,
): Float64Array[] {
  offsets.forEach((o, r) => {
    for (let i = 0; i < o.length; i++)
      if (!Number.isFinite(o[i]))
        throw new ValidationError('An offset that is not finite', {
          task: ds.taskNames[r],
          row: i + 1,
          column,
          expected: 'a finite offset (the log of a positive exposure)',
          received: String(o[i]),
          fix: 'Correct the row (an exposure must be > 0), or remove it',
        });
  });
  return offsets;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
