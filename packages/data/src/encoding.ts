import { describeReceived, opt, SerializationError, ValidationError } from '@hetmtl/tensor';
import { type ValueTable, valueTable, type TableInput } from './value-table.js';
import {
  badNumberError,
  checkMissingPolicy,
  DEFAULT_NA_VALUES,
  listNames,
  type MissingPolicy,
  type NaSet,
  naSet,
  showCell,
  valueToLabel,
  valueToNumber,
} from './values.js';

/** What to do at predict time with a category never seen in training. */
export type UnseenCategoryPolicy = 'error' | 'zero';

/**
 * A numeric feature column. `fill` is the training mean used by `mean-impute` (else null), on the
 * scale of the feature (after `transform`). `transform: 'log1p'` encodes a value v as log(1 + v):
 * a skewed non-negative column (`skewedColumns`, `log1pColumns`); a negative value is then refused.
 */
export interface NumericColumn {
  readonly name: string;
  readonly kind: 'numeric';
  readonly fill: number | null;
  readonly transform?: 'log1p';
}

/**
 * A categorical column, one-hot encoded into one feature per level (named `column=level`), levels in
 * natural order. `fill` holds the training frequency of each level, used by `mean-impute` (else null).
 */
export interface CategoricalColumn {
  readonly name: string;
  readonly kind: 'categorical';
  readonly levels: readonly string[];
  readonly fill: readonly number[] | null;
}

export type ColumnEncoding = NumericColumn | CategoricalColumn;

export interface EncodingSpec {
  readonly taskColumn: string;
  readonly target: string;
  readonly columns: readonly ColumnEncoding[];
  readonly tasks: readonly string[];
  readonly missing?: MissingPolicy;
  readonly unseenCategory?: UnseenCategoryPolicy;
  readonly naValues?: readonly string[];
}

/** The JSON form of an {@link Encoding} (`Encoding.fromJSON` reads it back). */
export interface EncodingJSON {
  readonly kind: 'hetmtl/encoding';
  readonly version: 1;
  readonly taskColumn: string;
  readonly target: string;
  readonly columns: readonly ColumnEncoding[];
  readonly tasks: readonly string[];
  readonly missing: MissingPolicy;
  readonly unseenCategory: UnseenCategoryPolicy;
  readonly naValues: readonly string[];
}

/** New rows encoded for prediction: X row-major n×p in the training feature order. */
export interface EncodedRows {
  readonly n: number;
  readonly p: number;
  readonly X: Float64Array;
  /** The task of each row (a name from `Encoding.tasks`). */
  readonly taskNames: readonly string[];
  /** The task of each row as an index into `Encoding.tasks`. */
  readonly taskIndex: Int32Array;
  /** The target, when the rows have a target column; else null. */
  readonly y: Float64Array | null;
}

/** Rows encoded one at a time: see {@link Encoding.rowEncoder}. */
export interface RowEncoder {
  /** Encodes one row, its cells in the order of the encoder's column names; `row` numbers it in messages. */
  push(cells: ArrayLike<unknown>, row: number): void;
  /** The rows pushed so far, in order. */
  finish(): EncodedRows;
  /** Per categorical column, the cells with a level not seen in training (encoded as zeros). */
  unseenByColumn(): Map<string, number>;
}

interface Binding {
  readonly taskSrc: number | undefined;
  readonly targetSrc: number | undefined;
  readonly fixedTask: number;
  readonly fixedName: string | undefined;
  readonly srcs: readonly number[];
  readonly na: NaSet;
}

export interface EncodeRowsOptions {
  /** The task of every row, when the rows have no task column. */
  readonly task?: string;
}

/**
 * How raw table rows become feature vectors: the task and target columns, the feature columns in
 * order (numeric, or categorical with their levels), the missing-value policy with the training
 * fill values, and the tasks seen in training. Every dataset carries one (`dataset.encoding`); keep
 * it to encode new rows at predict time with {@link Encoding.encodeRows}. Immutable and JSON-safe.
 */
export class Encoding {
  readonly taskColumn: string;
  readonly target: string;
  readonly columns: readonly ColumnEncoding[];
  readonly tasks: readonly string[];
  readonly missing: MissingPolicy;
  readonly unseenCategory: UnseenCategoryPolicy;
  readonly naValues: readonly string[];
  /** Names of the encoded features, in order (`column=level` for one-hot features). */
  readonly featureNames: readonly string[];
  /** Start of each column's features in the encoded row. */
  readonly offsets: readonly number[];
  private readonly taskLookup: ReadonlyMap<string, number>;
  private readonly levelLookup: readonly (ReadonlyMap<string, number> | null)[];

  constructor(spec: EncodingSpec) {
    if (typeof spec.taskColumn !== 'string' || typeof spec.target !== 'string') {
      throw new ValidationError('Invalid encoding', {
        expected: 'taskColumn and target names',
        received: describeReceived(spec),
      });
    }
    this.taskColumn = spec.taskColumn;
    this.target = spec.target;
    this.missing = checkMissingPolicy(spec.missing);
    const unseen = spec.unseenCategory ?? 'error';
    if (unseen !== 'error' && unseen !== 'zero') {
      throw new ValidationError('Invalid unseenCategory option', {
        column: 'unseenCategory',
        expected: '"error" or "zero"',
        received: describeReceived(unseen),
        fix: [
          'Pass ',
          opt('unseenCategory', 'error'),
          ' (the default) to refuse unseen categories, or ',
          opt('unseenCategory', 'zero'),
          ' to encode them as an all-zero row',
        ],
      });
    }
    this.unseenCategory = unseen;
    this.naValues = Object.freeze([...(spec.naValues ?? DEFAULT_NA_VALUES)]);
    const names: string[] = [];
    const offsets: number[] = [];
    const lookups: (Map<string, number> | null)[] = [];
    this.columns = Object.freeze(
      spec.columns.map((c) => {
        offsets.push(names.length);
        if (c.kind === 'categorical') {
          const levels = Object.freeze([...c.levels]);
          lookups.push(new Map(levels.map((l, i) => [l, i])));
          for (const l of levels) names.push(`${c.name}=${l}`);
          return Object.freeze({
            name: c.name,
            kind: 'categorical',
            levels,
            fill: c.fill === null ? null : Object.freeze([...c.fill]),
          });
        }
        lookups.push(null);
        names.push(c.name);
        if (c.transform !== undefined && c.transform !== 'log1p') {
          throw new ValidationError('Invalid column transform', {
            column: c.name,
            expected: '"log1p" or none',
            received: describeReceived(c.transform),
          });
        }
        return Object.freeze({
          name: c.name,
          kind: 'numeric',
          fill: c.fill,
          ...(c.transform ? { transform: c.transform } : {}),
        });
      }),
    );
    if (this.missing === 'mean-impute') {
      const bad = this.columns.find(
        (c) => c.fill === null || (c.kind === 'categorical' && c.fill.length !== c.levels.length),
      );
      if (bad !== undefined) {
        throw new ValidationError('Encoding without fill values', {
          column: bad.name,
          expected: [
            'a fill value for every column under ',
            opt('missing', 'mean-impute'),
            ' (one per level for a categorical column)',
          ],
          received: describeReceived(bad.fill),
        });
      }
    }
    this.featureNames = Object.freeze(names);
    this.offsets = Object.freeze(offsets);
    this.levelLookup = Object.freeze(lookups);
    this.tasks = Object.freeze([...spec.tasks]);
    this.taskLookup = new Map(this.tasks.map((t, i) => [t, i]));
    Object.freeze(this);
  }

  get numFeatures(): number {
    return this.featureNames.length;
  }

  /** Index of a training task; throws the "unknown task" error for any other name. */
  taskIndex(name: string): number {
    const i = this.taskLookup.get(name);
    if (i === undefined) throw unknownTaskError(name, this.tasks);
    return i;
  }

  hasTask(name: string): boolean {
    return this.taskLookup.has(name);
  }

  /** Index of `level` in a categorical column (position `col` in `columns`), or -1. */
  levelIndex(col: number, level: string): number {
    const lookup = this.levelLookup[col];
    const k = lookup?.get(level);
    if (k !== undefined || lookup === undefined || lookup === null) return k ?? -1;
    // A number written another way ("1.0", " 1", "1e0") is the level of its canonical text, as
    // the reader names the numbers of a text column it infers as categorical.
    const t = level.trim();
    const v = t === '' ? Number.NaN : Number(t);
    return Number.isFinite(v) ? (lookup.get(String(v)) ?? -1) : -1;
  }

  /**
   * Encodes new rows (an array of records, or an object of columns) the way the training data was
   * encoded: same features in the same order, categorical levels from training, missing values
   * filled with the training means under `mean-impute` (an error under the other policies, since
   * a prediction cannot drop a row), unseen categories refused or encoded as zeros
   * (`unseenCategory`), and a task outside the training tasks refused. Rows are numbered from 1.
   */
  encodeRows(input: TableInput, options: EncodeRowsOptions = {}): EncodedRows {
    const table = valueTable(input);
    const b = this.bind(table.columnNames, options);
    const n = table.numRows;
    const p = this.numFeatures;
    const X = new Float64Array(n * p);
    const y = b.targetSrc === undefined ? null : new Float64Array(n);
    const taskIndex = new Int32Array(n);
    const taskNames: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const t = this.encodeRow(table, i, i + 1, b, X, i * p, y, i);
      taskIndex[i] = t;
      taskNames[i] = this.tasks[t];
    }
    return Object.freeze({ n, p, X, taskNames: Object.freeze(taskNames), taskIndex, y });
  }

  /**
   * Encodes rows one at a time, as {@link Encoding.encodeRows} does for a whole table (same
   * checks, same messages): for a file streamed record by record, which is never held as cells.
   * `columnNames` are the input's columns; each pushed row gives its cells in that order and its
   * row number for messages. `expectedRows` (an estimate) sizes the storage, which grows as needed.
   */
  rowEncoder(
    columnNames: readonly string[],
    options: EncodeRowsOptions & { readonly expectedRows?: number } = {},
  ): RowEncoder {
    const b = this.bind(columnNames, options);
    const p = this.numFeatures;
    let cap = Math.max(1, Math.ceil(options.expectedRows ?? 16));
    let X = new Float64Array(cap * p);
    let y = b.targetSrc === undefined ? null : new Float64Array(cap);
    let taskIndex = new Int32Array(cap);
    let n = 0;
    const unseen = new Float64Array(this.columns.length);
    let cells: ArrayLike<unknown> = [];
    const one: ValueTable = { columnNames, numRows: 1, value: (_, c) => cells[c] };
    const grow = () => {
      cap = Math.max(cap * 2, 16);
      const X2 = new Float64Array(cap * p);
      X2.set(X);
      X = X2;
      if (y !== null) {
        const y2 = new Float64Array(cap);
        y2.set(y);
        y = y2;
      }
      const t2 = new Int32Array(cap);
      t2.set(taskIndex);
      taskIndex = t2;
    };
    return {
      push: (row: ArrayLike<unknown>, rowNumber: number) => {
        if (row.length !== columnNames.length) {
          throw new ValidationError('Ragged row', {
            row: rowNumber,
            expected: `${columnNames.length} fields, as in the header`,
            received: `${row.length} field${row.length === 1 ? '' : 's'}`,
            fix: 'Give every row as many fields as the header (quote fields that contain the delimiter)',
          });
        }
        if (n === cap) grow();
        cells = row;
        taskIndex[n] = this.encodeRow(one, 0, rowNumber, b, X, n * p, y, n, unseen);
        n++;
      },
      finish: () => {
        const taskNames = Object.freeze(Array.from(taskIndex.subarray(0, n), (t) => this.tasks[t]));
        const keep = n >= 0.75 * cap;
        return Object.freeze({
          n,
          p,
          X: keep ? X.subarray(0, n * p) : X.slice(0, n * p),
          taskNames,
          taskIndex: taskIndex.slice(0, n),
          y: y === null ? null : y.slice(0, n),
        });
      },
      unseenByColumn: () => {
        const out = new Map<string, number>();
        this.columns.forEach((c, j) => {
          if (unseen[j] > 0) out.set(c.name, unseen[j]);
        });
        return out;
      },
    };
  }

  /** Where each column the encoding reads sits among `columnNames`; a missing one is an error. */
  private bind(columnNames: readonly string[], options: EncodeRowsOptions): Binding {
    const col = new Map(columnNames.map((n, i) => [n, i]));
    const taskSrc = col.get(this.taskColumn);
    if (taskSrc === undefined && options.task === undefined) {
      throw new ValidationError('Rows have no task column', {
        column: this.taskColumn,
        expected: `a column "${this.taskColumn}" naming each row's task`,
        received: `the columns ${listNames(columnNames)}`,
        fix: 'Add the task column, or pass { task } when every row belongs to one task',
      });
    }
    const fixedTask = options.task === undefined ? -1 : this.taskIndex(options.task);
    const srcs = this.columns.map((c) => {
      const s = col.get(c.name);
      if (s === undefined) {
        throw new ValidationError('Missing feature column', {
          column: c.name,
          expected: `the ${this.columns.length} training columns ${listNames(this.columns.map((x) => x.name))}`,
          received: `the columns ${listNames(columnNames)}`,
          fix: 'Provide every column the model was trained on, with the same names',
        });
      }
      return s;
    });
    return {
      taskSrc,
      targetSrc: col.get(this.target),
      fixedTask,
      fixedName: options.task,
      srcs,
      na: naSet(this.naValues),
    };
  }

  /** Encodes row i of `table` into X at `base` (and its target into y[yAt]); returns its task index. */
  private encodeRow(
    table: ValueTable,
    i: number,
    row: number,
    b: Binding,
    X: Float64Array,
    base: number,
    y: Float64Array | null,
    yAt: number,
    unseen?: Float64Array,
  ): number {
    const na = b.na;
    let t = b.fixedTask;
    if (b.taskSrc !== undefined) {
      const raw = table.value(i, b.taskSrc);
      const label = valueToLabel(raw, na);
      if (typeof label !== 'string') throw missingTaskError(raw, { row, column: this.taskColumn });
      t = this.taskLookup.get(label) ?? -1;
      if (t < 0) throw unknownTaskError(label, this.tasks, { row, column: this.taskColumn });
      if (b.fixedTask >= 0 && t !== b.fixedTask) {
        throw new ValidationError('Row belongs to another task', {
          task: label,
          row,
          column: this.taskColumn,
          expected: `task ${JSON.stringify(b.fixedName)} (passed as { task })`,
          received: JSON.stringify(label),
          fix: 'Pass rows of one task with { task }, or omit { task } to use the task column',
        });
      }
    }
    const taskName = this.tasks[t];
    this.encodeOne(table, i, b.srcs, na, X, base, { task: taskName, row }, unseen);
    if (y !== null && b.targetSrc !== undefined) {
      const raw = table.value(i, b.targetSrc);
      const v = valueToNumber(raw, na);
      if (typeof v !== 'number')
        throw badNumberError(v, raw, { task: taskName, row, column: this.target }, true);
      y[yAt] = v;
    }
    return t;
  }

  private encodeOne(
    table: ValueTable,
    i: number,
    srcs: readonly number[],
    na: NaSet,
    X: Float64Array,
    base: number,
    where: { task: string; row: number },
    unseen?: Float64Array,
  ): void {
    for (let j = 0; j < this.columns.length; j++) {
      const c = this.columns[j];
      const raw = table.value(i, srcs[j]);
      const off = base + this.offsets[j];
      if (c.kind === 'numeric') {
        const v = valueToNumber(raw, na);
        if (typeof v === 'number') {
          if (c.transform === 'log1p') {
            if (!(v >= 0)) throw negativeLog1pError(v, { ...where, column: c.name });
            X[off] = Math.log1p(v);
          } else X[off] = v;
        } else if (v === 'missing' && c.fill !== null) X[off] = c.fill;
        else throw this.predictMissing(v, raw, { ...where, column: c.name });
      } else {
        const label = valueToLabel(raw, na);
        if (label === null) throw badLabelError(raw, { ...where, column: c.name });
        if (label === undefined) {
          if (c.fill === null)
            throw this.predictMissing('missing', raw, { ...where, column: c.name });
          for (let k = 0; k < c.fill.length; k++) X[off + k] = c.fill[k];
          continue;
        }
        const k = this.levelIndex(j, label);
        if (k >= 0) X[off + k] = 1;
        else if (this.unseenCategory === 'error')
          throw unseenCategoryError(label, c, { ...where, column: c.name });
        else if (unseen) unseen[j] = unseen[j] + 1;
      }
    }
  }

  private predictMissing(
    kind: Parameters<typeof badNumberError>[0],
    raw: unknown,
    where: { task: string; row: number; column: string },
  ) {
    if (kind !== 'missing' || this.missing === 'error') return badNumberError(kind, raw, where);
    return new ValidationError('Missing value at predict time', {
      ...where,
      expected: [
        'a value: under ',
        opt('missing', 'drop-rows'),
        ' a row to predict cannot be dropped',
      ],
      received: showCell(raw),
      fix: [
        'Fill it in, or train with ',
        opt('missing', 'mean-impute'),
        ' so that predict fills it with the training mean',
      ],
    });
  }

  toJSON(): EncodingJSON {
    return {
      kind: 'hetmtl/encoding',
      version: 1,
      taskColumn: this.taskColumn,
      target: this.target,
      columns: this.columns,
      tasks: this.tasks,
      missing: this.missing,
      unseenCategory: this.unseenCategory,
      naValues: this.naValues,
    };
  }

  /** The same encoding with other feature columns (a subset, or columns transformed). */
  withColumns(columns: readonly ColumnEncoding[]): Encoding {
    return new Encoding({
      taskColumn: this.taskColumn,
      target: this.target,
      columns,
      tasks: this.tasks,
      missing: this.missing,
      unseenCategory: this.unseenCategory,
      naValues: this.naValues,
    });
  }

  /** Reads back {@link Encoding.toJSON}; a document that is not one gives a SerializationError. */
  static fromJSON(json: unknown): Encoding {
    const j = json as Partial<EncodingJSON> | null;
    const fail = (what: string) =>
      new SerializationError('Not a hetmtl encoding', {
        expected: what,
        received: describeReceived(json),
        fix: 'Pass the object returned by encoding.toJSON() (or its JSON.parse)',
      });
    if (typeof j !== 'object' || j === null || j.kind !== 'hetmtl/encoding')
      throw fail('an object with kind "hetmtl/encoding"');
    if (j.version !== 1) throw fail('version 1');
    if (!Array.isArray(j.columns) || !Array.isArray(j.tasks))
      throw fail('columns and tasks arrays');
    for (const c of j.columns) {
      const ok =
        typeof c?.name === 'string' &&
        ((c.kind === 'numeric' &&
          (c.fill === null || typeof c.fill === 'number') &&
          (c.transform === undefined || c.transform === 'log1p')) ||
          (c.kind === 'categorical' &&
            Array.isArray(c.levels) &&
            (c.fill === null || Array.isArray(c.fill))));
      if (!ok) throw fail('columns of kind "numeric" or "categorical" with a name');
    }
    try {
      return new Encoding(j as EncodingSpec);
    } catch (cause) {
      throw new SerializationError('Not a valid hetmtl encoding', {
        cause,
        received: (cause as Error).message,
      });
    }
  }
}

/** A negative value in a column the model reads as log(1 + v). */
export function negativeLog1pError(
  v: number,
  where: { task?: string; row: number; column: string },
): ValidationError {
  return new ValidationError('A negative value in a log1p-transformed column', {
    ...where,
    expected:
      'a value ≥ 0 (the column is read as log(1 + v): its training values were all ≥ 0 and skewed)',
    received: String(v),
    fix: 'Correct the value, or refit without the transform (--skew off in the CLI)',
  });
}

export function unknownTaskError(
  name: string,
  known: readonly string[],
  where: { row?: number; column?: string } = {},
): ValidationError {
  return new ValidationError('Unknown task', {
    task: name,
    ...where,
    expected: `one of the ${known.length} training tasks ${listNames(known)}`,
    received: JSON.stringify(name),
    fix: 'Check the task name (names are case-sensitive); a task not seen in training needs to be added to the model first',
  });
}

export function missingTaskError(
  raw: unknown,
  where: { row?: number; column?: string },
): ValidationError {
  return new ValidationError('Missing task name', {
    ...where,
    expected: 'the name of the task this row belongs to',
    received: showCell(raw),
    fix: 'Fill in the task of every row, or remove the rows without one',
  });
}

export function badLabelError(
  raw: unknown,
  where: { task?: string; row?: number; column?: string },
): ValidationError {
  return new ValidationError('Invalid category', {
    ...where,
    expected: 'a string, number or boolean label',
    received: showCell(raw),
    fix: 'Use plain labels (strings, numbers or booleans) in categorical and task columns',
  });
}

export function unseenCategoryError(
  label: string,
  c: CategoricalColumn,
  where: { task?: string; row?: number; column?: string },
): ValidationError {
  return new ValidationError('Category not seen in training', {
    ...where,
    expected: `one of the ${c.levels.length} training levels ${listNames(c.levels)}`,
    received: JSON.stringify(label),
    fix: [
      'Correct the label, or encode unseen categories as an all-zero row with ',
      opt('unseenCategory', 'zero'),
    ],
  });
}
