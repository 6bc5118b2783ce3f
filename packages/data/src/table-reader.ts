import type { BinaryTargetReport } from './dataset.js';
import { rowColumnPlan } from './row-columns.js';
import { describeReceived, opt, ValidationError } from '@hetmtl/tensor';
import {
  type CategoricalColumnReport,
  createDataset,
  type IdColumnReport,
  type MultiTaskDataset,
  type ReadReport,
} from './dataset.js';
import {
  badLabelError,
  type ColumnEncoding,
  Encoding,
  missingTaskError,
  type UnseenCategoryPolicy,
  unknownTaskError,
  unseenCategoryError,
} from './encoding.js';
import { checkConstantTargets, constantTargetTasks } from './checks.js';
import type { ValueTable } from './value-table.js';
import {
  allocFloat,
  type BadValue,
  badNumberError,
  checkDtype,
  checkMissingPolicy,
  closestName,
  compareLabels,
  DEFAULT_NA_VALUES,
  type Dtype,
  fastDecimal,
  FLOAT32_MAX,
  type FloatArray,
  listNames,
  type MissingPolicy,
  type NaSet,
  naSet,
  parseNumber,
  showCell,
  valueToLabel,
  valueToNumber,
} from './values.js';

/** Options shared by every table adapter (long tables, CSV, JSON, Arrow). */
export interface TableOptions {
  /** The column naming each row's task. Required unless `encoding` is given. */
  readonly task?: string;
  /** The response column (numeric). Required unless `encoding` is given. */
  readonly target?: string;
  /**
   * Feature columns, in order. Default: every column except task, target, `exclude` and ID-like
   * columns (named `id`, `ID`, `*_id`, `*Id`, or an integer or text column whose values are all
   * distinct over at least 10 rows; listed in `report.idColumns`). Listing a column here keeps it.
   */
  readonly features?: readonly string[];
  /** Columns to leave out of the default features. */
  readonly exclude?: readonly string[];
  /**
   * Feature columns holding categories: one-hot encoded, one feature per level (`column=level`).
   * A feature column whose values are not numbers is categorical without being listed.
   */
  readonly categorical?: readonly string[];
  /** Feature columns read as numbers whatever they hold (a text cell is then an error). */
  readonly numeric?: readonly string[];
  /** Missing values: "error" (default), "drop-rows", or "mean-impute" (features only; rows without a target are dropped). */
  readonly missing?: MissingPolicy;
  /** Cells read as missing (exact match, surrounding spaces ignored); replaces the default "", "NA", "N/A", "NaN", ".", "null", "NULL". */
  readonly naValues?: readonly string[];
  /** At predict time (kept in the encoding): an unseen category is an "error" (default) or an all-"zero" one-hot row. */
  readonly unseenCategory?: UnseenCategoryPolicy;
  /** Storage of X: "float64" (default) or "float32". */
  readonly dtype?: Dtype;
  /** The expected tasks, in the order wanted: a listed task without rows is an error, as is a row of an unlisted task. Default: order of first appearance. */
  readonly tasks?: readonly string[];
  /**
   * A target constant within a task (of two or more rows) is "allow"ed (default; listed in
   * `report.constantTargetTasks`) or an "error" (the strict choice).
   */
  readonly constantTarget?: 'error' | 'allow';
  /**
   * Read with the encoding of an earlier dataset (e.g. a test file with the training encoding):
   * same features, levels, missing policy and training fill values; tasks must be training tasks.
   * Excludes task, target, features, exclude, categorical, numeric, missing, naValues and unseenCategory.
   */
  readonly encoding?: Encoding;
  /**
   * Read a two-level target (text such as Y/N, yes/no, true/false, or any two values) as 0/1 for
   * the binomial family: `positive` is 1, the other level 0 (a third level is an error naming its
   * row). Default false; implied by `positive`. The levels are recorded in `report.binaryTarget`.
   */
  readonly binaryTarget?: boolean;
  /** The level of a two-level target read as 1 (implies `binaryTarget`). Default: the second level in sorted order. */
  readonly positive?: string;
  /** A column of row weights (finite, ≥ 0) kept as `dataset.weights`, not a feature. */
  readonly weights?: string;
  /** A column of offsets on the link scale (finite) kept as `dataset.offsets`, not a feature. */
  readonly offset?: string;
  /** A column of exposures (> 0): log exposure is kept as `dataset.offsets`; not a feature. */
  readonly exposure?: string;
}

const ENCODING_EXCLUSIVE = [
  'task',
  'target',
  'features',
  'exclude',
  'categorical',
  'numeric',
  'missing',
  'naValues',
  'unseenCategory',
] as const;

/** Column kinds while reading. */
const K_NUM = 0; // numeric: listed in `numeric`, or numeric in the encoding
const K_CAT = 1; // categorical: listed in `categorical`, or categorical in the encoding
const K_AUTO = 2; // inferred, only numbers (or missing values) so far
const K_TEXT = 3; // inferred, a text cell seen: category codes from `switchAt` on

/**
 * A column inferred as holding numbers with a few stray text cells is an error (a typo or an
 * unlisted missing-value marker), not a categorical column: text cells are at most this share of
 * its non-missing cells, the rest numbers.
 */
export const STRAY_TEXT_SHARE = 0.05;
/** An integer or text column is ID-like when all its values are distinct over at least this many rows. */
export const ID_MIN_ROWS = 10;
const ID_NAME = /(^|_)id$/i;
const ID_CAMEL = /[a-z0-9]I[dD]$/;

/** True when a column name reads like an identifier: `id`, `ID`, `patient_id`, `studentId`. */
export function isIdName(name: string): boolean {
  return ID_NAME.test(name) || ID_CAMEL.test(name);
}

interface Plan {
  readonly taskSrc: number;
  readonly targetSrc: number;
  readonly taskColumn: string;
  readonly target: string;
  readonly featSrc: Int32Array;
  readonly featNames: readonly string[];
  readonly kind: Uint8Array;
  /** Columns may be dropped as ID-like when their values turn out all distinct. */
  readonly idCheck: boolean;
  /** Columns left out of the default features for their name. */
  readonly idNamed: readonly string[];
}

function checkNameList(value: unknown, option: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ValidationError(`Invalid ${option} option`, {
      column: option,
      expected: 'an array of column names',
      received: describeReceived(value),
      fix: ['Pass ', opt(option), ' as an array of strings'],
    });
  }
  return value as readonly string[];
}

const DELIMITER_NAMES: Readonly<Record<string, string>> = {
  ';': 'semicolons',
  '\t': 'tabs',
  '|': 'pipes',
  ',': 'commas',
};

function unknownColumn(
  name: string,
  header: readonly string[],
  option: string,
  delimiter?: string,
): ValidationError {
  // A header read as one column (or a cell) holding another delimiter: the file's delimiter is another one.
  if (delimiter !== undefined) {
    for (const d of [';', '\t', '|', ',']) {
      if (d === delimiter) continue;
      const cell = header.find(
        (h) =>
          h.includes(d) && (header.length === 1 || h.split(d).some((part) => part.trim() === name)),
      );
      if (cell === undefined) continue;
      return new ValidationError('Unknown column', {
        column: name,
        expected: [
          `a column of the header (named by `,
          opt(option),
          `); the header was read as ${header.length === 1 ? 'one column' : `${header.length} columns`}, ${describeReceived(cell)}, split by ${JSON.stringify(delimiter)}`,
        ],
        received: JSON.stringify(name),
        fix: [`The file looks separated by ${DELIMITER_NAMES[d]}: pass `, opt('delimiter', d)],
      });
    }
  }
  const near = closestName(name, header);
  return new ValidationError('Unknown column', {
    column: name,
    expected: [
      `a column of the header (named by `,
      opt(option),
      `); the columns are ${listNames(header)}`,
    ],
    received: JSON.stringify(name),
    fix:
      near !== undefined
        ? `Did you mean ${JSON.stringify(near)}? Column names are case-sensitive`
        : 'Check the spelling; column names are case-sensitive',
  });
}

function resolvePlan(
  header: readonly string[],
  options: TableOptions,
  enc: Encoding | undefined,
  delimiter?: string,
): Plan {
  // Positions of each name; a name seen twice is ambiguous (refused even when it is not read), an empty name unusable.
  const positions = new Map<string, number[]>();
  header.forEach((h, j) => {
    const list = positions.get(h);
    if (list) list.push(j);
    else positions.set(h, [j]);
  });
  for (const [name, list] of positions) {
    if (list.length > 1 && name.trim() !== '') {
      throw new ValidationError('Duplicated column name', {
        column: name,
        expected: 'each column name once in the header',
        received: `${JSON.stringify(name)} in columns ${list.map((k) => k + 1).join(' and ')}`,
        fix: 'Rename one of the columns so that every name is unique',
      });
    }
  }
  const checkUsable = (name: string, j: number) => {
    if (name.trim() === '') {
      throw new ValidationError('Missing column name', {
        column: j + 1,
        expected: 'a non-empty name in every header cell that is read',
        received: `an empty name for column ${j + 1} of ${header.length}`,
        fix: [
          'Name the column in the header (a CSV written by pandas with its index has an unnamed first column: write it with index=False), or list the columns to read with ',
          opt('features'),
        ],
      });
    }
  };
  const find = (name: string, option: string): number => {
    const list = positions.get(name);
    if (list === undefined) throw unknownColumn(name, header, option, delimiter);
    checkUsable(name, list[0]);
    return list[0];
  };

  const taskColumn = enc ? enc.taskColumn : options.task;
  const target = enc ? enc.target : options.target;
  for (const [o, v] of [
    ['task', taskColumn],
    ['target', target],
  ] as const) {
    if (typeof v !== 'string' || v === '') {
      throw new ValidationError(`Missing ${o} option`, {
        column: o,
        expected:
          o === 'task'
            ? "the name of the column that names each row's task"
            : 'the name of the response column',
        received: describeReceived(v),
        fix: ['Pass ', opt(o, '<column name>'), `; the columns are ${listNames(header)}`],
      });
    }
  }
  if (taskColumn === target) {
    throw new ValidationError('Task and target are the same column', {
      column: taskColumn,
      expected: 'two different columns',
      received: `${JSON.stringify(taskColumn)} for both`,
      fix: ['Pass the task column as ', opt('task'), ' and the response column as ', opt('target')],
    });
  }
  const taskSrc = find(taskColumn as string, enc ? 'encoding' : 'task');
  const targetSrc = find(target as string, enc ? 'encoding' : 'target');

  let featNames: readonly string[];
  let kindOf: (f: string) => number;
  let idCheck = false;
  const idNamed: string[] = [];
  if (enc) {
    featNames = enc.columns.map((c) => c.name);
    const cats = new Set(enc.columns.filter((c) => c.kind === 'categorical').map((c) => c.name));
    kindOf = (f) => (cats.has(f) ? K_CAT : K_NUM);
  } else {
    const features = checkNameList(options.features, 'features');
    const exclude = checkNameList(options.exclude, 'exclude') ?? [];
    const categorical = checkNameList(options.categorical, 'categorical') ?? [];
    const numeric = checkNameList(options.numeric, 'numeric') ?? [];
    for (const e of exclude)
      if (!positions.has(e)) throw unknownColumn(e, header, 'exclude', delimiter);
    const listed = new Set([...categorical, ...numeric]);
    if (features !== undefined) {
      const seen = new Set<string>();
      for (const f of features) {
        if (seen.has(f)) {
          throw new ValidationError('Feature listed twice', {
            column: f,
            expected: ['each feature once in ', opt('features')],
            received: `${JSON.stringify(f)} twice`,
            fix: 'Remove the repeated name',
          });
        }
        seen.add(f);
        if (f === taskColumn || f === target) {
          throw new ValidationError('Feature is the task or target column', {
            column: f,
            expected: 'features other than the task and target columns',
            received: JSON.stringify(f),
            fix: ['Remove it from ', opt('features')],
          });
        }
      }
      featNames = features;
    } else {
      const ex = new Set([taskColumn, target, ...exclude]);
      featNames = header.filter((h) => {
        if (ex.has(h)) return false;
        if (!listed.has(h) && isIdName(h)) {
          idNamed.push(h);
          return false;
        }
        return true;
      });
      idCheck = true;
    }
    for (const [list, o] of [
      [categorical, 'categorical'],
      [numeric, 'numeric'],
    ] as const) {
      for (const c of list) {
        if (!featNames.includes(c)) {
          throw new ValidationError(
            o === 'categorical'
              ? 'Categorical column is not a feature'
              : 'Numeric column is not a feature',
            {
              column: c,
              expected: `one of the features ${listNames(featNames)}`,
              received: JSON.stringify(c),
              fix: positions.has(c)
                ? ['Add it to ', opt('features'), ', or remove it from ', opt(o)]
                : 'Check the spelling; column names are case-sensitive',
            },
          );
        }
      }
    }
    const both = categorical.find((c) => numeric.includes(c));
    if (both !== undefined) {
      throw new ValidationError('Column listed as categorical and numeric', {
        column: both,
        expected: ['each column in at most one of ', opt('categorical'), ' and ', opt('numeric')],
        received: JSON.stringify(both),
        fix: 'Remove it from one of the two lists',
      });
    }
    const cats = new Set(categorical);
    const nums = new Set(numeric);
    kindOf = (f) => (cats.has(f) ? K_CAT : nums.has(f) ? K_NUM : K_AUTO);
  }
  if (featNames.length === 0) {
    throw new ValidationError('No feature columns', {
      expected: 'at least one feature column besides the task and target',
      received: `the columns ${listNames(header)}${idNamed.length > 0 ? ` (ID-like columns left out: ${listNames(idNamed)})` : ''}`,
      fix:
        idNamed.length > 0
          ? ['Add feature columns, or keep an ID-like column by listing it in ', opt('features')]
          : [
              'Add feature columns, or check ',
              opt('task'),
              ', ',
              opt('target'),
              ' and ',
              opt('exclude'),
            ],
    });
  }
  const featSrc = Int32Array.from(featNames, (f) => find(f, enc ? 'encoding' : 'features'));
  const kind = Uint8Array.from(featNames, kindOf);
  return {
    taskSrc,
    targetSrc,
    taskColumn: taskColumn as string,
    target: target as string,
    featSrc,
    featNames,
    kind,
    idCheck,
    idNamed,
  };
}

/**
 * The largest magnitude a value may have: beyond it squares overflow (1e154² > 1.8e308), and a
 * validation fold that holds the value out would standardise it past float32. Real data never come
 * near; a value beyond is a missing-value code (1e308, 9.99e307) or a typo.
 */
export const MAX_MAGNITUDE = 1e100;

const FIRST_BLOCK_ROWS = 1024;
const MAX_BLOCK_VALUES = 1 << 21;
/** Head-room over the row count extrapolated from the first rows of a text. */
const ESTIMATE_MARGIN = 1.1;

/** What is known in advance of the input's size, to store all rows in one buffer. @internal */
export interface SizeHint {
  /** The exact number of data rows (a value table). */
  readonly rows?: number;
  /** The number of characters (or bytes, an upper bound) of a text, to extrapolate from the first rows. */
  readonly chars?: number;
  /** The CSV delimiter the text was split with (to diagnose a wrong one). */
  readonly delimiter?: string;
}

/**
 * Turns rows into a dataset, one row at a time (so a file is never held whole), as numbers (never
 * as strings). When the size is known in advance (the rows of a value table, or the characters of
 * a text, extrapolated from its first 1,024 rows with a 10% margin) every row goes to one buffer,
 * which `finish` groups by task in place, giving each task a view: no copy at all when rows come
 * grouped by task. Otherwise (a stream of unknown size, an estimate that fell short, or
 * categorical features to expand) rows go to blocks that grow geometrically, and `finish` copies
 * them into one exact-size matrix per task, dropping each block once copied. Then it validates
 * tasks and targets.
 * @internal
 */
export class TableReader {
  private readonly plan: Plan;
  private readonly ncol: number;
  private readonly w: number;
  private readonly na: NaSet;
  private readonly missing: MissingPolicy;
  private readonly dtype: Dtype;
  private readonly f32: boolean;
  /** A two-level target read as codes of its levels (in order of appearance), mapped to 0/1 at the end. */
  private readonly binary: boolean;
  private readonly targetLevels: string[] = [];
  private readonly enc: Encoding | undefined;
  private readonly options: TableOptions;
  private readonly source: string;
  // Tasks.
  private readonly taskMap = new Map<string, number>();
  private readonly taskList: string[] = [];
  private readonly taskCounts: number[] = [];
  private readonly taskDropped: number[] = [];
  private readonly tasksFixed: boolean;
  private lastTaskStr: string | undefined = undefined;
  private lastTask = -1;
  // Categories seen (appearance order), when no encoding fixes them.
  private readonly catMaps: (Map<string, number> | null)[];
  private readonly catLevels: string[][];
  // Inferred columns: kind (K_AUTO until a text cell, then K_TEXT), the stored row from which a
  // K_TEXT column holds category codes (numbers before it), text and missing cells, the first text cell.
  private readonly kind: Uint8Array;
  private readonly switchAt: Float64Array;
  private readonly textCells: Float64Array;
  private readonly missingCells: Float64Array;
  private readonly firstText: ({ value: string; task: string; row: number } | null)[];
  // Storage.
  private readonly blocks: (FloatArray | null)[] = [];
  private readonly blockY: (Float64Array | null)[] = [];
  private readonly blockT: (Int32Array | null)[] = [];
  private readonly blockLen: number[] = [];
  private cur: FloatArray;
  private curY: Float64Array;
  private curT: Int32Array;
  private curCap: number;
  private curLen = 0;
  // Statistics for mean-impute and the report.
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private readonly levelCounts: number[][];
  private readonly rowMissing: Int32Array;
  private readonly droppedByColumn: Float64Array;
  private readonly imputed: Float64Array;
  private readonly unseen: Float64Array;
  private rowsRead = 0;
  private rowsKept = 0;
  private rowsDropped = 0;
  private targetDropped = 0;
  // Current row.
  private nm = 0;
  private dropRow = false;
  // Sizing of the storage.
  private readonly sizing: SizeHint;
  private estimated = false;
  private lastCursor = 0;

  constructor(
    header: readonly string[],
    options: TableOptions,
    source: string,
    sizing: SizeHint = {},
  ) {
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('Missing options', {
        expected: 'an options object with at least task and target',
        received: describeReceived(options),
        fix: ['Pass ', opt('task', '<task column>'), ' and ', opt('target', '<response column>')],
      });
    }
    const enc = options.encoding;
    if (enc !== undefined) {
      if (!(enc instanceof Encoding)) {
        throw new ValidationError('Invalid encoding option', {
          column: 'encoding',
          expected: 'an Encoding (dataset.encoding, or Encoding.fromJSON(json))',
          received: describeReceived(enc),
        });
      }
      for (const k of ENCODING_EXCLUSIVE) {
        if (options[k] !== undefined) {
          throw new ValidationError('Conflicting options', {
            column: k,
            expected: [
              'no value for ',
              opt(k),
              ' when an encoding is given (the encoding fixes it)',
            ],
            received: describeReceived(options[k]),
            fix: ['Remove ', opt(k), ', or remove ', opt('encoding')],
          });
        }
      }
    }
    this.options = options;
    this.source = source;
    this.enc = enc;
    this.plan = resolvePlan(header, options, enc, sizing.delimiter);
    this.kind = Uint8Array.from(this.plan.kind);
    this.ncol = header.length;
    this.w = this.plan.featSrc.length;
    this.na = naSet(enc ? enc.naValues : (options.naValues ?? DEFAULT_NA_VALUES));
    this.missing = enc ? enc.missing : checkMissingPolicy(options.missing);
    if (
      !enc &&
      options.unseenCategory !== undefined &&
      options.unseenCategory !== 'error' &&
      options.unseenCategory !== 'zero'
    ) {
      throw new ValidationError('Invalid unseenCategory option', {
        column: 'unseenCategory',
        expected: '"error" or "zero"',
        received: describeReceived(options.unseenCategory),
        fix: [
          'Pass ',
          opt('unseenCategory', 'error'),
          ' (the default) or ',
          opt('unseenCategory', 'zero'),
        ],
      });
    }
    if (
      options.constantTarget !== undefined &&
      options.constantTarget !== 'error' &&
      options.constantTarget !== 'allow'
    ) {
      throw new ValidationError('Invalid constantTarget option', {
        column: 'constantTarget',
        expected: '"error" or "allow"',
        received: describeReceived(options.constantTarget),
        fix: [
          'Pass ',
          opt('constantTarget', 'allow'),
          ' (the default) or ',
          opt('constantTarget', 'error'),
        ],
      });
    }
    this.dtype = checkDtype(options.dtype) ?? 'float64';
    if (options.positive !== undefined && typeof options.positive !== 'string')
      throw new ValidationError('Invalid positive option', {
        column: 'positive',
        expected: 'the level of the target read as 1 (a string)',
        received: describeReceived(options.positive),
      });
    if (options.binaryTarget !== undefined && typeof options.binaryTarget !== 'boolean')
      throw new ValidationError('Invalid binaryTarget option', {
        column: 'binaryTarget',
        expected: 'true or false',
        received: describeReceived(options.binaryTarget),
      });
    this.binary = options.binaryTarget === true || options.positive !== undefined;
    this.f32 = this.dtype === 'float32';
    const tasks = checkNameList(options.tasks, 'tasks');
    this.tasksFixed = tasks !== undefined;
    if (tasks) {
      for (const t of tasks) {
        if (this.taskMap.has(t)) {
          throw new ValidationError('Task listed twice', {
            task: t,
            column: 'tasks',
            expected: 'each task once',
            received: `${JSON.stringify(t)} twice`,
          });
        }
        if (enc) enc.taskIndex(t);
        this.registerTask(t);
      }
    }
    const w = this.w;
    this.catMaps = Array.from(this.plan.kind, (c) =>
      c === K_CAT && !enc ? new Map<string, number>() : null,
    );
    this.catLevels = Array.from(this.plan.kind, () => []);
    this.switchAt = new Float64Array(w).fill(-1);
    this.textCells = new Float64Array(w);
    this.missingCells = new Float64Array(w);
    this.firstText = Array.from(this.plan.kind, () => null);
    this.sums = new Float64Array(w);
    this.counts = new Float64Array(w);
    this.levelCounts = Array.from(this.plan.kind, () => []);
    this.rowMissing = new Int32Array(w);
    this.droppedByColumn = new Float64Array(w);
    this.imputed = new Float64Array(w);
    this.unseen = new Float64Array(w);
    this.sizing = sizing;
    // With the row count known, all rows go to one buffer from the start.
    // Otherwise the first block holds 1,024 rows, fewer for wide rows (at most MAX_BLOCK_VALUES
    // values, so 104 rows of 20,000 features): a few hundred wide rows then go to one buffer sized
    // from the first block, kept without a copy.
    this.curCap =
      sizing.rows !== undefined && sizing.rows > 0
        ? sizing.rows
        : Math.min(FIRST_BLOCK_ROWS, Math.max(16, Math.floor(MAX_BLOCK_VALUES / Math.max(1, w))));
    this.estimated = sizing.rows !== undefined;
    this.cur = allocFloat(this.dtype, this.curCap * w);
    this.curY = new Float64Array(this.curCap);
    this.curT = new Int32Array(this.curCap);
  }

  /** Names of the feature columns read, in order. */
  get featureColumns(): readonly string[] {
    return this.plan.featNames;
  }

  private registerTask(name: string): number {
    const t = this.taskList.length;
    this.taskMap.set(name, t);
    this.taskList.push(name);
    this.taskCounts.push(0);
    this.taskDropped.push(0);
    return t;
  }

  private taskOf(raw: unknown, row: number): number {
    if (raw === this.lastTaskStr) return this.lastTask;
    if (typeof raw === 'string') {
      // A known task name (never a missing-value marker: those are not registered).
      const known = this.taskMap.get(raw);
      if (known !== undefined) {
        this.lastTaskStr = raw;
        this.lastTask = known;
        return known;
      }
    }
    const label = valueToLabel(raw, this.na);
    if (label === undefined) throw missingTaskError(raw, { row, column: this.plan.taskColumn });
    if (label === null) throw badLabelError(raw, { row, column: this.plan.taskColumn });
    let t = this.taskMap.get(label);
    if (t === undefined) {
      if (this.enc && !this.enc.hasTask(label))
        throw unknownTaskError(label, this.enc.tasks, { row, column: this.plan.taskColumn });
      if (this.tasksFixed) {
        throw new ValidationError('Task not in the tasks option', {
          task: label,
          row,
          column: this.plan.taskColumn,
          expected: `one of the listed tasks ${listNames(this.taskList)}`,
          received: JSON.stringify(label),
          fix: ['Add the task to ', opt('tasks'), ', or remove its rows'],
        });
      }
      t = this.registerTask(label);
    }
    if (typeof raw === 'string') {
      this.lastTaskStr = raw;
      this.lastTask = t;
    }
    return t;
  }

  private grow(): void {
    const chars = this.sizing.chars;
    if (!this.estimated && this.blocks.length === 0 && chars !== undefined && this.lastCursor > 0) {
      // Extrapolate the number of rows from the characters the first rows took, and move to one
      // buffer of that size (with a margin): the rows then need no copy at the end.
      this.estimated = true;
      const perRow = this.lastCursor / Math.max(1, this.rowsRead);
      const rows =
        this.curLen +
        Math.ceil((Math.max(0, chars - this.lastCursor) / perRow) * ESTIMATE_MARGIN) +
        64;
      const X = allocFloat(this.dtype, rows * this.w);
      X.set(this.cur.subarray(0, this.curLen * this.w));
      const Y = new Float64Array(rows);
      Y.set(this.curY.subarray(0, this.curLen));
      const T = new Int32Array(rows);
      T.set(this.curT.subarray(0, this.curLen));
      this.cur = X;
      this.curY = Y;
      this.curT = T;
      this.curCap = rows;
      return;
    }
    this.estimated = true;
    this.blocks.push(this.cur);
    this.blockY.push(this.curY);
    this.blockT.push(this.curT);
    this.blockLen.push(this.curLen);
    this.curCap = Math.min(
      this.curCap * 2,
      Math.max(FIRST_BLOCK_ROWS, Math.floor(MAX_BLOCK_VALUES / Math.max(1, this.w))),
    );
    this.cur = allocFloat(this.dtype, this.curCap * this.w);
    this.curY = new Float64Array(this.curCap);
    this.curT = new Int32Array(this.curCap);
    this.curLen = 0;
  }

  private raggedError(got: number, row: number): ValidationError {
    return new ValidationError('Ragged row', {
      row,
      expected: `${this.ncol} fields, as in the header`,
      received: `${got} field${got === 1 ? '' : 's'}`,
      fix: [
        'Give every row as many fields as the header (quote fields that contain the delimiter), or check ',
        opt('delimiter'),
      ],
    });
  }

  /** A missing value in feature column j: an error, a row to drop, or a cell to impute. */
  private onMissing(j: number, raw: unknown, task: string, row: number): void {
    this.missingCells[j] = this.missingCells[j] + 1;
    if (this.missing === 'error') {
      throw badNumberError('missing', raw, { task, row, column: this.plan.featNames[j] });
    }
    this.rowMissing[this.nm++] = j;
    if (this.missing === 'drop-rows') this.dropRow = true;
  }

  /** The provisional code of a two-level target's value (its level's order of appearance). */
  private binaryCode(raw: unknown, task: string, row: number): number {
    const text = raw === null || raw === undefined ? '' : String(raw).trim();
    if (text === '' || this.na.set.has(text) || (typeof raw === 'number' && Number.isNaN(raw)))
      return this.onBadTarget('missing', raw, task, row);
    const levels = this.targetLevels;
    const k = levels.indexOf(text);
    if (k >= 0) return k;
    if (levels.length === 2)
      throw new ValidationError('A third level in a two-level (binary) target', {
        task,
        row,
        column: this.plan.target,
        expected: `one of the two levels ${JSON.stringify(levels[0])} and ${JSON.stringify(levels[1])}`,
        received: JSON.stringify(text),
        fix: 'Correct or remove the row, or read the target as numbers (without binaryTarget / positive)',
      });
    levels.push(text);
    return levels.length - 1;
  }

  /** The 0/1 target from the provisional codes, and what the report records of it. */
  private binaryTargetMap(ys: readonly Float64Array[]): BinaryTargetReport {
    const levels = this.targetLevels;
    const sorted = [...levels].sort();
    const positive = this.options.positive ?? (sorted.length === 2 ? sorted[1] : undefined);
    if (positive === undefined)
      throw new ValidationError('A binary target with one level only', {
        column: this.plan.target,
        expected: 'two levels, or the positive level named',
        received: `every row ${JSON.stringify(levels[0])}`,
        fix: ['Name the level read as 1 with ', opt('positive', levels[0] ?? 'Y')],
      });
    if (!levels.includes(positive) && levels.length === 2)
      throw new ValidationError('The positive level is not a level of the target', {
        column: 'positive',
        expected: `${JSON.stringify(levels[0])} or ${JSON.stringify(levels[1])}`,
        received: JSON.stringify(positive),
        fix: ['Pass ', opt('positive', sorted[1]), ' (the default), or the other level'],
      });
    const code = levels.indexOf(positive);
    for (const y of ys) for (let i = 0; i < y.length; i++) y[i] = y[i] === code ? 1 : 0;
    const negative = levels.find((l) => l !== positive) ?? null;
    return { column: this.plan.target, positive, negative };
  }

  private onBadTarget(kind: BadValue, raw: unknown, task: string, row: number): number {
    if (kind === 'missing' && this.missing !== 'error') {
      this.dropRow = true;
      this.targetDropped++;
      return 0;
    }
    throw badNumberError(kind, raw, { task, row, column: this.plan.target }, true);
  }

  /**
   * A finite value no model can use: squares and sums of it overflow, and a fold that holds it out
   * would standardise it to infinity. It is almost always a missing-value code or a typo.
   */
  private tooLarge(raw: unknown, task: string, row: number, column: string): ValidationError {
    const cell = typeof raw === 'string' ? raw.trim() : String(raw);
    return new ValidationError('Value too large to model', {
      task,
      row,
      column,
      expected: `a magnitude below ${MAX_MAGNITUDE.toExponential()} (so that squares and sums stay finite)`,
      received: showCell(raw),
      fix: [
        'If it codes a missing value, pass ',
        opt('naValues', [cell]),
        '; otherwise fix the value or rescale the column',
      ],
    });
  }

  private tooLargeForFloat32(v: unknown, task: string, row: number, j: number): ValidationError {
    return new ValidationError('Value too large for float32', {
      task,
      row,
      column: this.plan.featNames[j],
      expected: ['a magnitude below 3.4e38 (', opt('dtype', 'float32'), ')'],
      received: showCell(v),
      fix: ['Use ', opt('dtype', 'float64'), ', or rescale the feature'],
    });
  }

  /** Column j turns out to hold text: from this row on it stores category codes. */
  private toText(j: number, value: string, task: string, row: number): void {
    this.kind[j] = K_TEXT;
    this.switchAt[j] = this.rowsKept;
    this.catMaps[j] = new Map<string, number>();
    this.firstText[j] = { value, task, row };
  }

  /** A text cell of an inferred column j (a label as written). */
  private textCode(j: number, label: string, task: string, row: number): number {
    if (this.kind[j] === K_AUTO) this.toText(j, label, task, row);
    this.textCells[j] = this.textCells[j] + 1;
    return this.categoryCode(j, label, task, row);
  }

  /** Category code of a label in feature column j; -1 for an unseen category encoded as zeros. */
  private categoryCode(j: number, label: string, task: string, row: number): number {
    const map = this.catMaps[j];
    if (map) {
      let code = map.get(label);
      if (code === undefined) {
        code = map.size;
        map.set(label, code);
        this.catLevels[j].push(label);
      }
      return code;
    }
    const enc = this.enc as Encoding;
    const k = enc.levelIndex(j, label);
    if (k >= 0) return k;
    if (enc.unseenCategory === 'zero') {
      this.unseen[j] = this.unseen[j] + 1;
      return -1;
    }
    throw unseenCategoryError(label, enc.columns[j] as ColumnEncoding & { kind: 'categorical' }, {
      task,
      row,
      column: this.plan.featNames[j],
    });
  }

  /**
   * One CSV record (all fields are strings); `row` is its 1-based row number for messages, `cursor`
   * the characters read so far (to size the storage).
   */
  pushStrings(fields: readonly string[], row: number, cursor = 0): void {
    if (fields.length !== this.ncol) throw this.raggedError(fields.length, row);
    this.lastCursor = cursor;
    this.rowsRead++;
    const plan = this.plan;
    const t = this.taskOf(fields[plan.taskSrc], row);
    if (this.curLen === this.curCap) this.grow();
    this.nm = 0;
    this.dropRow = false;
    const w = this.w;
    const X = this.cur;
    const base = this.curLen * w;
    const na = this.na;
    const ys = fields[plan.targetSrc];
    let yv = this.binary ? this.binaryCode(ys, this.taskList[t], row) : parseNumber(ys, na);
    if (typeof yv !== 'number') yv = this.onBadTarget(yv, ys, this.taskList[t], row);
    else if (Math.abs(yv) > MAX_MAGNITUDE)
      throw this.tooLarge(ys, this.taskList[t], row, plan.target);
    const featSrc = plan.featSrc;
    const kind = this.kind;
    const f32 = this.f32;
    const numericNa = na.numeric;
    for (let j = 0; j < w; j++) {
      const s = fields[featSrc[j]];
      const k = kind[j];
      if (k === K_NUM || k === K_AUTO) {
        const v = numericNa ? Number.NaN : fastDecimal(s);
        if (!Number.isNaN(v)) {
          // At most 15 digits: always within float32's range.
          X[base + j] = v;
        } else {
          const r = parseNumber(s, na);
          if (typeof r === 'number') {
            if (f32 && (r > FLOAT32_MAX || r < -FLOAT32_MAX))
              throw this.tooLargeForFloat32(s, this.taskList[t], row, j);
            if (Math.abs(r) > MAX_MAGNITUDE)
              throw this.tooLarge(s, this.taskList[t], row, plan.featNames[j]);
            X[base + j] = r;
          } else if (r === 'missing') {
            this.onMissing(j, s, this.taskList[t], row);
            X[base + j] = Number.NaN;
          } else if (r === 'non-numeric' && k === K_AUTO) {
            X[base + j] = this.textCode(j, s, this.taskList[t], row);
          } else {
            throw badNumberError(r, s, {
              task: this.taskList[t],
              row,
              column: plan.featNames[j],
            });
          }
        }
      } else if (na.set.has(s) || na.set.has(s.trim())) {
        this.onMissing(j, s, this.taskList[t], row);
        X[base + j] = Number.NaN;
      } else if (k === K_CAT) {
        X[base + j] = this.categoryCode(j, s, this.taskList[t], row);
      } else {
        // An inferred column that holds text: a number's level is its canonical text ("1.0" is "1").
        const r = parseNumber(s, na);
        if (typeof r === 'number')
          X[base + j] = this.categoryCode(j, String(r), this.taskList[t], row);
        else if (r === 'non-numeric') X[base + j] = this.textCode(j, s, this.taskList[t], row);
        else
          throw badNumberError(r, s, {
            task: this.taskList[t],
            row,
            column: plan.featNames[j],
          });
      }
    }
    this.commit(t, yv, base);
  }

  /** One row of a value table (records, columns, Arrow); `row` is its 1-based number for messages. */
  pushValues(table: ValueTable, i: number, row: number, srcMap?: Int32Array): void {
    this.rowsRead++;
    const plan = this.plan;
    const col = (k: number) => (srcMap ? srcMap[k] : k);
    const t = this.taskOf(table.value(i, col(plan.taskSrc)), row);
    const task = this.taskList[t];
    if (this.curLen === this.curCap) this.grow();
    this.nm = 0;
    this.dropRow = false;
    const w = this.w;
    const X = this.cur;
    const base = this.curLen * w;
    const na = this.na;
    const yraw = table.value(i, col(plan.targetSrc));
    let yv = this.binary ? this.binaryCode(yraw, task, row) : valueToNumber(yraw, na);
    if (typeof yv !== 'number') yv = this.onBadTarget(yv, yraw, task, row);
    else if (Math.abs(yv) > MAX_MAGNITUDE) throw this.tooLarge(yraw, task, row, plan.target);
    for (let j = 0; j < w; j++) {
      const raw = table.value(i, col(plan.featSrc[j]));
      const k = this.kind[j];
      if (k === K_NUM || k === K_AUTO) {
        const v = valueToNumber(raw, na);
        if (typeof v === 'number') {
          if (this.f32 && (v > FLOAT32_MAX || v < -FLOAT32_MAX))
            throw this.tooLargeForFloat32(raw, task, row, j);
          if (Math.abs(v) > MAX_MAGNITUDE) throw this.tooLarge(raw, task, row, plan.featNames[j]);
          X[base + j] = v;
        } else if (v === 'missing') {
          this.onMissing(j, raw, task, row);
          X[base + j] = Number.NaN;
        } else if (v === 'non-numeric' && k === K_AUTO && typeof raw === 'string') {
          X[base + j] = this.textCode(j, raw, task, row);
        } else {
          throw badNumberError(v, raw, { task, row, column: plan.featNames[j] });
        }
      } else if (k === K_CAT) {
        const label = valueToLabel(raw, na);
        if (label === null) throw badLabelError(raw, { task, row, column: plan.featNames[j] });
        if (label === undefined) {
          this.onMissing(j, raw, task, row);
          X[base + j] = Number.NaN;
        } else {
          X[base + j] = this.categoryCode(j, label, task, row);
        }
      } else {
        const v = valueToNumber(raw, na);
        if (typeof v === 'number') X[base + j] = this.categoryCode(j, String(v), task, row);
        else if (v === 'missing') {
          this.onMissing(j, raw, task, row);
          X[base + j] = Number.NaN;
        } else if (v === 'non-numeric' && typeof raw === 'string')
          X[base + j] = this.textCode(j, raw, task, row);
        else if (v === 'non-numeric')
          throw badLabelError(raw, { task, row, column: plan.featNames[j] });
        else throw badNumberError(v, raw, { task, row, column: plan.featNames[j] });
      }
    }
    this.commit(t, yv, base);
  }

  private commit(t: number, yv: number, base: number): void {
    const nm = this.nm;
    if (this.dropRow) {
      this.rowsDropped++;
      this.taskDropped[t] = this.taskDropped[t] + 1;
      for (let k = 0; k < nm; k++) {
        const j = this.rowMissing[k];
        this.droppedByColumn[j] = this.droppedByColumn[j] + 1;
      }
      return;
    }
    if (this.missing === 'mean-impute') {
      for (let k = 0; k < nm; k++) {
        const j = this.rowMissing[k];
        this.imputed[j] = this.imputed[j] + 1;
      }
      if (!this.enc) {
        const X = this.cur;
        for (let j = 0; j < this.w; j++) {
          const v = X[base + j];
          if (Number.isNaN(v)) continue;
          const k = this.kind[j];
          if (k === K_NUM || k === K_AUTO) {
            this.sums[j] = this.sums[j] + v;
            this.counts[j] = this.counts[j] + 1;
          } else if (k === K_CAT) {
            const lc = this.levelCounts[j];
            lc[v] = (lc[v] ?? 0) + 1;
          }
        }
      }
    }
    this.curY[this.curLen] = yv;
    this.curT[this.curLen] = t;
    this.curLen++;
    this.taskCounts[t] = this.taskCounts[t] + 1;
    this.rowsKept++;
  }

  /** The stored parts of the rows, in row order: [matrix, rows] (before placement). */
  private storedParts(): [FloatArray, number][] {
    const parts: [FloatArray, number][] = this.blocks.map((B, b) => [
      B as FloatArray,
      this.blockLen[b],
    ]);
    parts.push([this.cur, this.curLen]);
    return parts;
  }

  /** True when the stored values of numeric column j are integers, all distinct, at least ID_MIN_ROWS of them. */
  private distinctIntegers(j: number): boolean {
    const w = this.w;
    const seen = new Set<number>();
    for (const [B, len] of this.storedParts()) {
      for (let i = 0; i < len; i++) {
        const v = B[i * w + j];
        if (Number.isNaN(v)) continue;
        if (!Number.isInteger(v) || seen.has(v)) return false;
        seen.add(v);
      }
    }
    return seen.size >= ID_MIN_ROWS;
  }

  /**
   * Decides each inferred column (numeric, categorical, a stray token, ID-like) and builds the
   * encoding (levels, fill values) and the placement of each raw column in the encoded rows.
   */
  private decide(): {
    enc: Encoding;
    cols: ColPlace[];
    categorical: CategoricalColumnReport[];
    ids: IdColumnReport[];
  } {
    const plan = this.plan;
    const w = this.w;
    const ids: IdColumnReport[] = plan.idNamed.map((column) => ({
      column,
      reason: 'name',
      distinct: null,
    }));
    const categorical: CategoricalColumnReport[] = [];
    if (this.enc) {
      const enc = this.enc;
      const cols = enc.columns.map(
        (c, j): ColPlace => ({
          kind: c.kind === 'numeric' ? 0 : 1,
          out: enc.offsets[j],
          fill: c.fill,
          remap: null,
          numLevel: null,
          switchAt: -1,
        }),
      );
      for (const c of enc.columns)
        if (c.kind === 'categorical')
          categorical.push({ column: c.name, levels: c.levels.length, inferred: false });
      return { enc, cols, categorical, ids };
    }
    const impute = this.missing === 'mean-impute';
    const columns: ColumnEncoding[] = [];
    const cols: ColPlace[] = [];
    let out = 0;
    for (let j = 0; j < w; j++) {
      const name = plan.featNames[j];
      const k = this.kind[j];
      if (k === K_NUM || k === K_AUTO) {
        if (k === K_AUTO && plan.idCheck && this.distinctIntegers(j)) {
          ids.push({
            column: name,
            reason: 'distinct',
            distinct: this.rowsKept - this.countMissingStored(j),
          });
          cols.push({ kind: -1, out: -1, fill: null, remap: null, numLevel: null, switchAt: -1 });
          continue;
        }
        let fill: number | null = null;
        if (impute) {
          const c = this.counts[j];
          if (c === 0) throw noValuesError(name, this.rowsKept);
          fill = this.sums[j] / c;
          if (!Number.isFinite(fill)) fill = this.safeMean(j, c);
        }
        columns.push({ name, kind: 'numeric', fill });
        cols.push({ kind: 0, out, fill, remap: null, numLevel: null, switchAt: -1 });
        out += 1;
        continue;
      }
      // Categorical: declared (codes from row 0), or inferred (numbers before switchAt, codes after).
      const seen = this.catLevels[j];
      const switchAt = k === K_TEXT ? this.switchAt[j] : -1;
      const numbers: number[] = [];
      if (k === K_TEXT) {
        const text = this.textCells[j];
        const nonMissing = this.rowsRead - this.missingCells[j];
        const numeric = nonMissing - text;
        if (numeric > 0 && text <= STRAY_TEXT_SHARE * nonMissing)
          throw this.strayTextError(j, numeric, nonMissing);
        const distinct = new Set<number>();
        let at = 0;
        for (const [B, len] of this.storedParts()) {
          for (let i = 0; i < len && at < switchAt; i++, at++) {
            const v = B[i * w + j];
            if (!Number.isNaN(v)) distinct.add(v);
          }
        }
        numbers.push(...distinct);
      }
      const labelOf = new Map<string, number>(); // label → index in `seen`, or -1 - (index in `numbers`)
      seen.forEach((l, i) => labelOf.set(l, i));
      for (let i = 0; i < numbers.length; i++) {
        const l = String(numbers[i]);
        if (!labelOf.has(l)) labelOf.set(l, -1 - i);
      }
      const levels = [...labelOf.keys()].sort(compareLabels);
      const levelIndex = new Map(levels.map((l, i) => [l, i]));
      const remap = Int32Array.from(seen, (l) => levelIndex.get(l) as number);
      const numLevel =
        k === K_TEXT ? new Map(numbers.map((v) => [v, levelIndex.get(String(v)) as number])) : null;
      if (k === K_TEXT && plan.idCheck) {
        const cells = this.rowsKept - this.countMissingStored(j);
        if (
          cells >= ID_MIN_ROWS &&
          this.distinctStoredLevels(j, remap, numLevel, switchAt) === cells
        ) {
          ids.push({ column: name, reason: 'distinct', distinct: cells });
          cols.push({ kind: -1, out: -1, fill: null, remap: null, numLevel: null, switchAt: -1 });
          continue;
        }
      }
      let fill: number[] | null = null;
      if (impute) {
        const lc = new Float64Array(levels.length);
        this.forEachLevel(j, remap, numLevel, switchAt, (level) => {
          lc[level] = lc[level] + 1;
        });
        const total = lc.reduce((x, y) => x + y, 0);
        if (total === 0) throw noValuesError(name, this.rowsKept);
        fill = Array.from(lc, (c) => c / total);
      }
      columns.push({ name, kind: 'categorical', levels, fill });
      categorical.push({ column: name, levels: levels.length, inferred: k === K_TEXT });
      cols.push({ kind: k === K_TEXT ? 2 : 1, out, fill, remap, numLevel, switchAt });
      out += levels.length;
    }
    if (columns.length === 0) {
      throw new ValidationError('No feature columns', {
        expected: 'at least one feature column besides the task and target',
        received: `only ID-like columns ${listNames(ids.map((c) => c.column))}, left out of the default features`,
        fix: ['Keep an ID-like column by listing it in ', opt('features')],
      });
    }
    const enc = new Encoding({
      taskColumn: plan.taskColumn,
      target: plan.target,
      columns,
      tasks: this.taskList,
      missing: this.missing,
      unseenCategory: this.options.unseenCategory ?? 'error',
      naValues: this.na.values,
    });
    return { enc, cols, categorical, ids };
  }

  /** Missing (NaN) stored cells of column j. */
  private countMissingStored(j: number): number {
    let n = 0;
    for (const [B, len] of this.storedParts())
      for (let i = 0; i < len; i++) if (Number.isNaN(B[i * this.w + j])) n++;
    return n;
  }

  /** Calls fn with the level of every non-missing stored cell of categorical column j. */
  private forEachLevel(
    j: number,
    remap: Int32Array,
    numLevel: Map<number, number> | null,
    switchAt: number,
    fn: (level: number) => void,
  ): void {
    let at = 0;
    for (const [B, len] of this.storedParts()) {
      for (let i = 0; i < len; i++, at++) {
        const v = B[i * this.w + j];
        if (Number.isNaN(v) || v < 0) continue;
        fn(at < switchAt ? ((numLevel as Map<number, number>).get(v) as number) : remap[v]);
      }
    }
  }

  private distinctStoredLevels(
    j: number,
    remap: Int32Array,
    numLevel: Map<number, number> | null,
    switchAt: number,
  ): number {
    const seen = new Set<number>();
    this.forEachLevel(j, remap, numLevel, switchAt, (level) => seen.add(level));
    return seen.size;
  }

  /** The mean of numeric column j when the plain sum overflows: a sum of values divided by the count first. */
  private safeMean(j: number, count: number): number {
    let m = 0;
    for (const [B, len] of this.storedParts()) {
      for (let i = 0; i < len; i++) {
        const v = B[i * this.w + j];
        if (!Number.isNaN(v)) m += v / count;
      }
    }
    return m;
  }

  private strayTextError(j: number, numeric: number, nonMissing: number): ValidationError {
    const first = this.firstText[j] as { value: string; task: string; row: number };
    const column = this.plan.featNames[j];
    const others = this.textCells[j] - 1;
    return new ValidationError('Non-numeric value in a numeric column', {
      task: first.task,
      row: first.row,
      column,
      expected: `a number (the column holds numbers in ${numeric} of its ${nonMissing} non-missing cells${others > 0 ? `; ${others} other text cell${others === 1 ? '' : 's'}` : ''})`,
      received: showCell(first.value),
      fix: [
        `If ${JSON.stringify(first.value)} marks a missing value, pass `,
        opt('naValues', [first.value]),
        '; if the column holds categories, pass ',
        opt('categorical', [column]),
      ],
    });
  }

  /** Validates what was read and builds the dataset. Nothing is returned on error. */
  finish(): MultiTaskDataset {
    if (this.rowsRead === 0 && this.taskList.length === 0) {
      throw new ValidationError('No data rows', {
        expected: 'at least one data row after the header',
        received: 'a header and no rows',
        fix: 'Check that the right file was read, and that it is not truncated',
      });
    }
    this.taskCounts.forEach((count, t) => {
      if (count > 0) return;
      const dropped = this.taskDropped[t];
      throw new ValidationError('Empty task', {
        task: this.taskList[t],
        column: this.plan.taskColumn,
        expected: 'at least one row in every task',
        received:
          dropped > 0
            ? `0 rows left after dropping ${dropped} row${dropped === 1 ? '' : 's'} with missing values`
            : '0 rows',
        fix:
          dropped > 0
            ? [
                'Use ',
                opt('missing', 'mean-impute'),
                ' to keep rows with missing features, or fill in the missing values',
              ]
            : ['Remove the task from ', opt('tasks'), ', or add its rows'],
      });
    });
    const { enc, cols, categorical, ids } = this.decide();
    const plan = this.plan;
    const w = this.w;
    const p = enc.numFeatures;
    // Task order: as listed, as in the encoding, or first appearance.
    const order = this.taskList.map((_, t) => t);
    if (this.enc && !this.tasksFixed)
      order.sort((a, b) => enc.taskIndex(this.taskList[a]) - enc.taskIndex(this.taskList[b]));
    const numericOnly = p === w && cols.every((c) => c.kind === 0);
    const placed =
      numericOnly && this.blocks.length === 0
        ? this.placeInPlace(order, enc)
        : this.placeFromBlocks(cols, p);
    const taskNames = order.map((t) => this.taskList[t]);
    const Xs = order.map((t) => placed.X[t]);
    const ys = order.map((t) => placed.y[t]);
    const binaryTarget = this.binary ? this.binaryTargetMap(ys) : undefined;
    if ((this.options.constantTarget ?? 'allow') === 'error')
      checkConstantTargets(taskNames, ys, plan.target);
    const droppedByColumn: Record<string, number> = {};
    const imputedByColumn: Record<string, number> = {};
    const unseenByColumn: Record<string, number> = {};
    plan.featNames.forEach((name, j) => {
      if (this.droppedByColumn[j] > 0) droppedByColumn[name] = this.droppedByColumn[j];
      if (this.imputed[j] > 0) imputedByColumn[name] = this.imputed[j];
      if (this.unseen[j] > 0) unseenByColumn[name] = this.unseen[j];
    });
    if (this.targetDropped > 0) droppedByColumn[plan.target] = this.targetDropped;
    const droppedByTask: Record<string, number> = {};
    for (const t of order)
      if (this.taskDropped[t] > 0) droppedByTask[this.taskList[t]] = this.taskDropped[t];
    const report: ReadReport = {
      source: this.source,
      rowsRead: this.rowsRead,
      rowsKept: this.rowsKept,
      rowsDropped: this.rowsDropped,
      missing: this.missing,
      droppedByColumn,
      droppedByTask,
      imputedByColumn,
      unseenByColumn,
      categoricalColumns: categorical,
      idColumns: ids,
      constantTargetTasks: constantTargetTasks(ys).map((c) => ({
        task: taskNames[c.index],
        rows: c.rows,
        value: c.value,
      })),
      tinyTasks: ys.flatMap((y, r) =>
        y.length <= TINY_TASK_ROWS ? [{ task: taskNames[r], rows: y.length }] : [],
      ),
      ...(binaryTarget ? { binaryTarget } : {}),
    };
    return createDataset({
      taskNames,
      featureNames: enc.featureNames,
      X: Xs,
      y: ys,
      dtype: this.dtype,
      encoding: enc,
      report,
    });
  }
  /**
   * All rows are in one buffer and every feature is numeric: group the rows by task in place (a
   * stable permutation by cycles, nothing to do when rows came grouped), fill imputed cells, and
   * give each task a view of its rows. The buffer is kept when it is at least 3/4 full.
   */
  private placeInPlace(
    order: readonly number[],
    enc: Encoding,
  ): { X: FloatArray[]; y: Float64Array[] } {
    const w = this.w;
    const N = this.curLen;
    const X = this.cur;
    const Y = this.curY;
    const T = this.curT;
    if (this.missing === 'mean-impute') {
      const fills = enc.columns.map((c) => (c.kind === 'numeric' ? (c.fill as number) : 0));
      for (let i = 0; i < N * w; i++) if (Number.isNaN(X[i])) X[i] = fills[i % w];
    }
    const R = this.taskList.length;
    const start = new Int32Array(R);
    let at = 0;
    for (const t of order) {
      start[t] = at;
      at += this.taskCounts[t];
    }
    const next = Int32Array.from(start);
    let grouped = true;
    for (let i = 0; i < N; i++) {
      const t = T[i];
      if (next[t] !== i) grouped = false;
      next[t] = next[t] + 1;
    }
    if (!grouped) {
      // dest[i]: where row i goes (stable within each task); -1 once placed.
      const dest = new Int32Array(N);
      next.set(start);
      for (let i = 0; i < N; i++) {
        const t = T[i];
        dest[i] = next[t];
        next[t] = next[t] + 1;
      }
      let hold = allocFloat(this.dtype, w);
      let spare = allocFloat(this.dtype, w);
      for (let s0 = 0; s0 < N; s0++) {
        if (dest[s0] < 0) continue;
        if (dest[s0] === s0) {
          dest[s0] = -1;
          continue;
        }
        for (let k = 0; k < w; k++) hold[k] = X[s0 * w + k];
        let holdY = Y[s0];
        let j = dest[s0];
        dest[s0] = -1;
        while (j !== s0) {
          const o = j * w;
          for (let k = 0; k < w; k++) {
            spare[k] = X[o + k];
            X[o + k] = hold[k];
          }
          const y = Y[j];
          Y[j] = holdY;
          holdY = y;
          [hold, spare] = [spare, hold];
          const nj = dest[j];
          dest[j] = -1;
          j = nj;
        }
        for (let k = 0; k < w; k++) X[s0 * w + k] = hold[k];
        Y[s0] = holdY;
      }
    }
    const keep = N >= 0.75 * this.curCap;
    const Xs: FloatArray[] = [];
    const ys: Float64Array[] = [];
    for (let t = 0; t < R; t++) {
      const a = start[t];
      const b = a + this.taskCounts[t];
      Xs[t] = keep ? X.subarray(a * w, b * w) : X.slice(a * w, b * w);
      ys[t] = keep ? Y.subarray(a, b) : Y.slice(a, b);
    }
    return { X: Xs, y: ys };
  }

  /** Rows in several blocks, or categorical features to expand: copy each row to its task's matrix. */
  private placeFromBlocks(
    cols: readonly ColPlace[],
    p: number,
  ): { X: FloatArray[]; y: Float64Array[] } {
    const w = this.w;
    const simple = p === w && cols.every((c) => c.kind === 0) && this.missing !== 'mean-impute';
    const counts = this.taskCounts;
    const taskX: (FloatArray | null)[] = counts.map(() => null);
    const taskY = counts.map((n) => new Float64Array(n));
    const filled = new Int32Array(counts.length);
    this.blocks.push(this.cur);
    this.blockY.push(this.curY);
    this.blockT.push(this.curT);
    this.blockLen.push(this.curLen);
    let at = 0; // stored row number, over all blocks
    for (let b = 0; b < this.blocks.length; b++) {
      const B = this.blocks[b] as FloatArray;
      const Y = this.blockY[b] as Float64Array;
      const T = this.blockT[b] as Int32Array;
      const len = this.blockLen[b];
      for (let i = 0; i < len; i++, at++) {
        const t = T[i];
        let dest = taskX[t];
        if (dest === null || dest === undefined) {
          // Allocated when the task's first row comes, so rows grouped by task need little more
          // memory than the blocks that are freed as they go.
          dest = allocFloat(this.dtype, counts[t] * p);
          taskX[t] = dest;
        }
        const r = filled[t];
        filled[t] = r + 1;
        (taskY[t] as Float64Array)[r] = Y[i];
        const s = i * w;
        const o = r * p;
        if (simple) {
          for (let j = 0; j < w; j++) dest[o + j] = B[s + j];
          continue;
        }
        for (let j = 0; j < w; j++) {
          const c = cols[j];
          if (c.kind < 0) continue;
          const v = B[s + j];
          const to = o + c.out;
          if (c.kind === 0) dest[to] = Number.isNaN(v) ? (c.fill as number) : v;
          else if (!Number.isNaN(v)) {
            if (c.kind === 2 && at < c.switchAt)
              dest[to + ((c.numLevel as Map<number, number>).get(v) as number)] = 1;
            else if (v >= 0) dest[to + (c.remap ? c.remap[v] : v)] = 1;
          } else {
            const fill = c.fill as readonly number[];
            for (let k = 0; k < fill.length; k++) dest[to + k] = fill[k];
          }
        }
      }
      // Free each block as soon as its rows are placed.
      this.blocks[b] = null;
      this.blockY[b] = null;
      this.blockT[b] = null;
    }
    return { X: taskX as FloatArray[], y: taskY };
  }
}

/** Where a raw feature column goes in the encoded row. */
interface ColPlace {
  /** -1 dropped (ID-like), 0 numeric, 1 categorical codes, 2 inferred categorical (numbers before `switchAt`, codes after). */
  readonly kind: -1 | 0 | 1 | 2;
  readonly out: number;
  readonly fill: number | readonly number[] | null;
  readonly remap: Int32Array | null;
  readonly numLevel: ReadonlyMap<number, number> | null;
  readonly switchAt: number;
}

/** Tasks of at most this many rows are listed in `report.tinyTasks`. */
export const TINY_TASK_ROWS = 2;

function noValuesError(column: string, rows: number): ValidationError {
  return new ValidationError('No values to compute a fill value', {
    column,
    expected: 'at least one non-missing value in the column to compute its training mean',
    received: `only missing values in ${rows} kept rows`,
    fix: ['Remove the column (', opt('exclude', [column]), '), or fill it in'],
  });
}

/** Reads every row of a value table into a dataset. */
export function readValueTable(
  table: ValueTable,
  options: TableOptions,
  source: string,
): MultiTaskDataset {
  if (table.numRows === 0 && table.columnNames.length === 0) {
    throw new ValidationError('No records', {
      expected: 'at least one record (a row with the task, target and feature columns)',
      received:
        source === 'columns'
          ? 'an object with no columns'
          : source === 'records'
            ? 'an empty array'
            : 'no rows and no columns',
      fix: 'Check that the right data was given (an export with no rows gives [])',
    });
  }
  const rows = rowColumnPlan(options);
  const reader = new TableReader(table.columnNames, rows.inner, source, { rows: table.numRows });
  for (let i = 0; i < table.numRows; i++) reader.pushValues(table, i, i + 1);
  return rows.finish(reader.finish());
}
