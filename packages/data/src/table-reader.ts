import { describeReceived, ValidationError } from '@hetmtl/tensor';
import { createDataset, type MultiTaskDataset, type ReadReport } from './dataset.js';
import {
  badLabelError,
  type ColumnEncoding,
  Encoding,
  missingTaskError,
  type UnseenCategoryPolicy,
  unknownTaskError,
  unseenCategoryError,
} from './encoding.js';
import { checkConstantTargets } from './checks.js';
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
  /** The response column. Required unless `encoding` is given. */
  readonly target?: string;
  /** Feature columns, in order. Default: every column except task, target and `exclude`. */
  readonly features?: readonly string[];
  /** Columns to leave out of the default features (an ID column, say). */
  readonly exclude?: readonly string[];
  /** Feature columns holding categories: one-hot encoded, one feature per level (`column=level`). */
  readonly categorical?: readonly string[];
  /** Missing values: "error" (default), "drop-rows", or "mean-impute" (features only; rows without a target are dropped). */
  readonly missing?: MissingPolicy;
  /** Cells read as missing (exact match, surrounding spaces ignored). Default "", "NA", "N/A", "null", "NULL". */
  readonly naValues?: readonly string[];
  /** At predict time (kept in the encoding): an unseen category is an "error" (default) or an all-"zero" one-hot row. */
  readonly unseenCategory?: UnseenCategoryPolicy;
  /** Storage of X: "float64" (default) or "float32". */
  readonly dtype?: Dtype;
  /** The expected tasks, in the order wanted: a listed task without rows is an error, as is a row of an unlisted task. Default: order of first appearance. */
  readonly tasks?: readonly string[];
  /** A target constant within a task (of two or more rows) is an "error" (default) or "allow"ed. */
  readonly constantTarget?: 'error' | 'allow';
  /**
   * Read with the encoding of an earlier dataset (e.g. a test file with the training encoding):
   * same features, levels, missing policy and training fill values; tasks must be training tasks.
   * Excludes task, target, features, exclude, categorical, missing, naValues and unseenCategory.
   */
  readonly encoding?: Encoding;
}

const ENCODING_EXCLUSIVE = ['task', 'target', 'features', 'exclude', 'categorical', 'missing', 'naValues', 'unseenCategory'] as const;

interface Plan {
  readonly taskSrc: number;
  readonly targetSrc: number;
  readonly taskColumn: string;
  readonly target: string;
  readonly featSrc: Int32Array;
  readonly featNames: readonly string[];
  readonly isCat: Uint8Array;
}

function checkNameList(value: unknown, option: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ValidationError(`Invalid ${option} option`, {
      column: option,
      expected: 'an array of column names',
      received: describeReceived(value),
      fix: `Pass ${option} as an array of strings`,
    });
  }
  return value as readonly string[];
}

function unknownColumn(name: string, header: readonly string[], option: string): ValidationError {
  const near = closestName(name, header);
  return new ValidationError('Unknown column', {
    column: name,
    expected: `a column of the header (named by the ${option}); the columns are ${listNames(header)}`,
    received: JSON.stringify(name),
    fix: near !== undefined ? `Did you mean ${JSON.stringify(near)}? Column names are case-sensitive` : 'Check the spelling; column names are case-sensitive',
  });
}

function resolvePlan(header: readonly string[], options: TableOptions, enc: Encoding | undefined): Plan {
  // Positions of each name; a name seen twice is ambiguous, an empty name unusable.
  const positions = new Map<string, number[]>();
  header.forEach((h, j) => {
    const list = positions.get(h);
    if (list) list.push(j);
    else positions.set(h, [j]);
  });
  const checkUsable = (name: string, j: number) => {
    if (name.trim() === '') {
      throw new ValidationError('Missing column name', {
        column: j + 1,
        expected: 'a non-empty name in every header cell that is read',
        received: `an empty name for column ${j + 1} of ${header.length}`,
        fix: 'Name the column in the header (a CSV written by pandas with its index has an unnamed first column: write it with index=False), or list the columns to read with the features option',
      });
    }
    const list = positions.get(name) as number[];
    if (list.length > 1) {
      throw new ValidationError('Duplicated column name', {
        column: name,
        expected: 'each column name once in the header',
        received: `${JSON.stringify(name)} in columns ${list.map((k) => k + 1).join(' and ')}`,
        fix: 'Rename one of the columns so that every name is unique',
      });
    }
  };
  const find = (name: string, option: string): number => {
    const list = positions.get(name);
    if (list === undefined) throw unknownColumn(name, header, option);
    checkUsable(name, list[0] as number);
    return list[0] as number;
  };

  const taskColumn = enc ? enc.taskColumn : options.task;
  const target = enc ? enc.target : options.target;
  for (const [opt, v] of [
    ['task', taskColumn],
    ['target', target],
  ] as const) {
    if (typeof v !== 'string' || v === '') {
      throw new ValidationError(`Missing ${opt} option`, {
        column: opt,
        expected: opt === 'task' ? 'the name of the column that names each row\'s task' : 'the name of the response column',
        received: describeReceived(v),
        fix: `Pass { ${opt}: "<column name>" }; the columns are ${listNames(header)}`,
      });
    }
  }
  if (taskColumn === target) {
    throw new ValidationError('Task and target are the same column', {
      column: taskColumn,
      expected: 'two different columns',
      received: `${JSON.stringify(taskColumn)} for both`,
      fix: 'Pass the task column as task and the response column as target',
    });
  }
  const taskSrc = find(taskColumn as string, enc ? 'training encoding' : 'task option');
  const targetSrc = find(target as string, enc ? 'training encoding' : 'target option');

  let featNames: readonly string[];
  let catSet: ReadonlySet<string>;
  if (enc) {
    featNames = enc.columns.map((c) => c.name);
    catSet = new Set(enc.columns.filter((c) => c.kind === 'categorical').map((c) => c.name));
  } else {
    const features = checkNameList(options.features, 'features');
    const exclude = checkNameList(options.exclude, 'exclude') ?? [];
    const categorical = checkNameList(options.categorical, 'categorical') ?? [];
    for (const e of exclude) if (!positions.has(e)) throw unknownColumn(e, header, 'exclude option');
    if (features !== undefined) {
      const seen = new Set<string>();
      for (const f of features) {
        if (seen.has(f)) {
          throw new ValidationError('Feature listed twice', {
            column: f,
            expected: 'each feature once in the features option',
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
            fix: 'Remove it from features',
          });
        }
      }
      featNames = features;
    } else {
      const ex = new Set([taskColumn, target, ...exclude]);
      featNames = header.filter((h) => !ex.has(h));
    }
    for (const c of categorical) {
      if (!featNames.includes(c)) {
        throw new ValidationError('Categorical column is not a feature', {
          column: c,
          expected: `one of the features ${listNames(featNames)}`,
          received: JSON.stringify(c),
          fix: positions.has(c) ? 'Add it to features, or remove it from categorical' : 'Check the spelling; column names are case-sensitive',
        });
      }
    }
    catSet = new Set(categorical);
  }
  if (featNames.length === 0) {
    throw new ValidationError('No feature columns', {
      expected: 'at least one feature column besides the task and target',
      received: `the columns ${listNames(header)}`,
      fix: 'Add feature columns, or check the task, target and exclude options',
    });
  }
  const featSrc = Int32Array.from(featNames, (f) => find(f, enc ? 'training encoding' : 'features option'));
  const isCat = Uint8Array.from(featNames, (f) => (catSet.has(f) ? 1 : 0));
  return { taskSrc, targetSrc, taskColumn: taskColumn as string, target: target as string, featSrc, featNames, isCat };
}

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

  constructor(header: readonly string[], options: TableOptions, source: string, sizing: SizeHint = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('Missing options', {
        expected: 'an options object with at least task and target',
        received: describeReceived(options),
        fix: 'Pass { task: "<task column>", target: "<response column>" }',
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
            expected: `no ${k} option when an encoding is given (the encoding fixes it)`,
            received: describeReceived(options[k]),
            fix: `Remove ${k}, or remove encoding`,
          });
        }
      }
    }
    this.options = options;
    this.source = source;
    this.enc = enc;
    this.plan = resolvePlan(header, options, enc);
    this.ncol = header.length;
    this.w = this.plan.featSrc.length;
    this.na = naSet(enc ? enc.naValues : (options.naValues ?? DEFAULT_NA_VALUES));
    this.missing = enc ? enc.missing : checkMissingPolicy(options.missing);
    if (!enc && options.unseenCategory !== undefined && options.unseenCategory !== 'error' && options.unseenCategory !== 'zero') {
      throw new ValidationError('Invalid unseenCategory option', {
        column: 'unseenCategory',
        expected: '"error" or "zero"',
        received: describeReceived(options.unseenCategory),
        fix: 'Pass "error" (the default) or "zero"',
      });
    }
    if (options.constantTarget !== undefined && options.constantTarget !== 'error' && options.constantTarget !== 'allow') {
      throw new ValidationError('Invalid constantTarget option', {
        column: 'constantTarget',
        expected: '"error" or "allow"',
        received: describeReceived(options.constantTarget),
      });
    }
    this.dtype = checkDtype(options.dtype) ?? 'float64';
    this.f32 = this.dtype === 'float32';
    const tasks = checkNameList(options.tasks, 'tasks');
    this.tasksFixed = tasks !== undefined;
    if (tasks) {
      for (const t of tasks) {
        if (this.taskMap.has(t)) {
          throw new ValidationError('Task listed twice', { task: t, column: 'tasks', expected: 'each task once', received: `${JSON.stringify(t)} twice` });
        }
        if (enc) enc.taskIndex(t);
        this.registerTask(t);
      }
    }
    const w = this.w;
    this.catMaps = Array.from(this.plan.isCat, (c) => (c && !enc ? new Map<string, number>() : null));
    this.catLevels = Array.from(this.plan.isCat, () => []);
    this.sums = new Float64Array(w);
    this.counts = new Float64Array(w);
    this.levelCounts = Array.from(this.plan.isCat, () => []);
    this.rowMissing = new Int32Array(w);
    this.droppedByColumn = new Float64Array(w);
    this.imputed = new Float64Array(w);
    this.unseen = new Float64Array(w);
    this.sizing = sizing;
    // With the row count known, all rows go to one buffer from the start.
    this.curCap = sizing.rows !== undefined && sizing.rows > 0 ? sizing.rows : FIRST_BLOCK_ROWS;
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
      if (this.enc && !this.enc.hasTask(label)) throw unknownTaskError(label, this.enc.tasks, { row, column: this.plan.taskColumn });
      if (this.tasksFixed) {
        throw new ValidationError('Task not in the tasks option', {
          task: label,
          row,
          column: this.plan.taskColumn,
          expected: `one of the listed tasks ${listNames(this.taskList)}`,
          received: JSON.stringify(label),
          fix: 'Add the task to the tasks option, or remove its rows',
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
      const rows = this.curLen + Math.ceil((Math.max(0, chars - this.lastCursor) / perRow) * ESTIMATE_MARGIN) + 64;
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
    this.curCap = Math.min(this.curCap * 2, Math.max(FIRST_BLOCK_ROWS, Math.floor(MAX_BLOCK_VALUES / Math.max(1, this.w))));
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
      fix: 'Give every row as many fields as the header (quote fields that contain the delimiter), or check the delimiter option',
    });
  }

  /** A missing value in feature column j: an error, a row to drop, or a cell to impute. */
  private onMissing(j: number, raw: unknown, task: string, row: number): void {
    if (this.missing === 'error') {
      throw badNumberError('missing', raw, { task, row, column: this.plan.featNames[j] as string });
    }
    this.rowMissing[this.nm++] = j;
    if (this.missing === 'drop-rows') this.dropRow = true;
  }

  private onBadTarget(kind: BadValue, raw: unknown, task: string, row: number): number {
    if (kind === 'missing' && this.missing !== 'error') {
      this.dropRow = true;
      this.targetDropped++;
      return 0;
    }
    throw badNumberError(kind, raw, { task, row, column: this.plan.target }, true);
  }

  private tooLargeForFloat32(v: unknown, task: string, row: number, j: number): ValidationError {
    return new ValidationError('Value too large for float32', {
      task,
      row,
      column: this.plan.featNames[j],
      expected: 'a magnitude below 3.4e38 (dtype "float32")',
      received: showCell(v),
      fix: 'Use dtype "float64", or rescale the feature',
    });
  }

  /** Category code of a label in feature column j; -1 for an unseen category encoded as zeros. */
  private categoryCode(j: number, label: string, task: string, row: number): number {
    const map = this.catMaps[j];
    if (map) {
      let code = map.get(label);
      if (code === undefined) {
        code = map.size;
        map.set(label, code);
        (this.catLevels[j] as string[]).push(label);
      }
      return code;
    }
    const enc = this.enc as Encoding;
    const k = enc.levelIndex(j, label);
    if (k >= 0) return k;
    if (enc.unseenCategory === 'zero') {
      this.unseen[j] = (this.unseen[j] as number) + 1;
      return -1;
    }
    throw unseenCategoryError(label, enc.columns[j] as ColumnEncoding & { kind: 'categorical' }, { task, row, column: this.plan.featNames[j] as string });
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
    const ys = fields[plan.targetSrc] as string;
    let yv = parseNumber(ys, na);
    if (typeof yv !== 'number') yv = this.onBadTarget(yv, ys, this.taskList[t] as string, row);
    const featSrc = plan.featSrc;
    const isCat = plan.isCat;
    const f32 = this.f32;
    const numericNa = na.numeric;
    for (let j = 0; j < w; j++) {
      const s = fields[featSrc[j] as number] as string;
      if (isCat[j] === 0) {
        const v = numericNa ? Number.NaN : fastDecimal(s);
        if (!Number.isNaN(v)) {
          // At most 15 digits: always within float32's range.
          X[base + j] = v;
        } else {
          const r = parseNumber(s, na);
          if (typeof r === 'number') {
            if (f32 && (r > FLOAT32_MAX || r < -FLOAT32_MAX)) throw this.tooLargeForFloat32(s, this.taskList[t] as string, row, j);
            X[base + j] = r;
          } else if (r === 'missing') {
            this.onMissing(j, s, this.taskList[t] as string, row);
            X[base + j] = Number.NaN;
          } else {
            throw badNumberError(r, s, { task: this.taskList[t] as string, row, column: plan.featNames[j] as string });
          }
        }
      } else if (na.set.has(s) || na.set.has(s.trim())) {
        this.onMissing(j, s, this.taskList[t] as string, row);
        X[base + j] = Number.NaN;
      } else {
        X[base + j] = this.categoryCode(j, s, this.taskList[t] as string, row);
      }
    }
    this.commit(t, yv, base);
  }

  /** One row of a value table (records, columns, Arrow); `row` is its 1-based number for messages. */
  pushValues(table: ValueTable, i: number, row: number, srcMap?: Int32Array): void {
    this.rowsRead++;
    const plan = this.plan;
    const col = (k: number) => (srcMap ? (srcMap[k] as number) : k);
    const t = this.taskOf(table.value(i, col(plan.taskSrc)), row);
    const task = this.taskList[t] as string;
    if (this.curLen === this.curCap) this.grow();
    this.nm = 0;
    this.dropRow = false;
    const w = this.w;
    const X = this.cur;
    const base = this.curLen * w;
    const na = this.na;
    const yraw = table.value(i, col(plan.targetSrc));
    let yv = valueToNumber(yraw, na);
    if (typeof yv !== 'number') yv = this.onBadTarget(yv, yraw, task, row);
    for (let j = 0; j < w; j++) {
      const raw = table.value(i, col(plan.featSrc[j] as number));
      if (plan.isCat[j] === 0) {
        const v = valueToNumber(raw, na);
        if (typeof v === 'number') {
          if (this.f32 && (v > FLOAT32_MAX || v < -FLOAT32_MAX)) throw this.tooLargeForFloat32(raw, task, row, j);
          X[base + j] = v;
        } else if (v === 'missing') {
          this.onMissing(j, raw, task, row);
          X[base + j] = Number.NaN;
        } else {
          throw badNumberError(v, raw, { task, row, column: plan.featNames[j] as string });
        }
      } else {
        const label = valueToLabel(raw, na);
        if (label === null) throw badLabelError(raw, { task, row, column: plan.featNames[j] as string });
        if (label === undefined) {
          this.onMissing(j, raw, task, row);
          X[base + j] = Number.NaN;
        } else {
          X[base + j] = this.categoryCode(j, label, task, row);
        }
      }
    }
    this.commit(t, yv, base);
  }

  private commit(t: number, yv: number, base: number): void {
    const nm = this.nm;
    if (this.dropRow) {
      this.rowsDropped++;
      this.taskDropped[t] = (this.taskDropped[t] as number) + 1;
      for (let k = 0; k < nm; k++) {
        const j = this.rowMissing[k] as number;
        this.droppedByColumn[j] = (this.droppedByColumn[j] as number) + 1;
      }
      return;
    }
    if (this.missing === 'mean-impute') {
      for (let k = 0; k < nm; k++) {
        const j = this.rowMissing[k] as number;
        this.imputed[j] = (this.imputed[j] as number) + 1;
      }
      if (!this.enc) {
        const X = this.cur;
        for (let j = 0; j < this.w; j++) {
          const v = X[base + j] as number;
          if (Number.isNaN(v)) continue;
          if (this.plan.isCat[j] === 0) {
            this.sums[j] = (this.sums[j] as number) + v;
            this.counts[j] = (this.counts[j] as number) + 1;
          } else {
            const lc = this.levelCounts[j] as number[];
            lc[v] = (lc[v] ?? 0) + 1;
          }
        }
      }
    }
    this.curY[this.curLen] = yv;
    this.curT[this.curLen] = t;
    this.curLen++;
    this.taskCounts[t] = (this.taskCounts[t] as number) + 1;
    this.rowsKept++;
  }

  /** Builds the encoding (levels, fill values) from what was read. */
  private buildEncoding(): Encoding {
    if (this.enc) return this.enc;
    const plan = this.plan;
    const impute = this.missing === 'mean-impute';
    const columns: ColumnEncoding[] = plan.featNames.map((name, j) => {
      if (plan.isCat[j] === 0) {
        let fill: number | null = null;
        if (impute) {
          const c = this.counts[j] as number;
          if (c === 0) throw noValuesError(name, this.rowsKept);
          fill = (this.sums[j] as number) / c;
        }
        return { name, kind: 'numeric', fill };
      }
      const seen = this.catLevels[j] as string[];
      const levels = [...seen].sort(compareLabels);
      let fill: number[] | null = null;
      if (impute) {
        const lc = this.levelCounts[j] as number[];
        const total = lc.reduce((a, b) => a + (b ?? 0), 0);
        if (total === 0) throw noValuesError(name, this.rowsKept);
        fill = levels.map((l) => (lc[seen.indexOf(l)] ?? 0) / total);
      }
      return { name, kind: 'categorical', levels, fill };
    });
    return new Encoding({
      taskColumn: plan.taskColumn,
      target: plan.target,
      columns,
      tasks: this.taskList,
      missing: this.missing,
      unseenCategory: this.options.unseenCategory ?? 'error',
      naValues: this.na.values,
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
      const dropped = this.taskDropped[t] as number;
      throw new ValidationError('Empty task', {
        task: this.taskList[t],
        column: this.plan.taskColumn,
        expected: 'at least one row in every task',
        received: dropped > 0 ? `0 rows left after dropping ${dropped} row${dropped === 1 ? '' : 's'} with missing values` : '0 rows',
        fix:
          dropped > 0
            ? 'Use missing: "mean-impute" to keep rows with missing features, or fill in the missing values'
            : 'Remove the task from the tasks option, or add its rows',
      });
    });
    const enc = this.buildEncoding();
    const plan = this.plan;
    const w = this.w;
    const p = enc.numFeatures;
    // Task order: as listed, as in the encoding, or first appearance.
    const order = this.taskList.map((_, t) => t);
    if (this.enc && !this.tasksFixed) order.sort((a, b) => enc.taskIndex(this.taskList[a] as string) - enc.taskIndex(this.taskList[b] as string));
    // Where each raw column goes in the encoded row, with category remapping and fill values.
    const out = Int32Array.from(enc.offsets);
    const remap: (Int32Array | null)[] = plan.featNames.map((_, j) => {
      if (plan.isCat[j] === 0 || this.enc) return null;
      const seen = this.catLevels[j] as string[];
      const c = enc.columns[j] as ColumnEncoding & { kind: 'categorical' };
      return Int32Array.from(seen, (l) => c.levels.indexOf(l));
    });
    const numericOnly = p === w && plan.isCat.every((c) => c === 0);
    const placed =
      numericOnly && this.blocks.length === 0 ? this.placeInPlace(order, enc) : this.placeFromBlocks(enc, remap, out, p);
    const taskNames = order.map((t) => this.taskList[t] as string);
    const Xs = order.map((t) => placed.X[t] as FloatArray);
    const ys = order.map((t) => placed.y[t] as Float64Array);
    if ((this.options.constantTarget ?? 'error') === 'error') checkConstantTargets(taskNames, ys, plan.target);
    const droppedByColumn: Record<string, number> = {};
    const imputedByColumn: Record<string, number> = {};
    const unseenByColumn: Record<string, number> = {};
    plan.featNames.forEach((name, j) => {
      if ((this.droppedByColumn[j] as number) > 0) droppedByColumn[name] = this.droppedByColumn[j] as number;
      if ((this.imputed[j] as number) > 0) imputedByColumn[name] = this.imputed[j] as number;
      if ((this.unseen[j] as number) > 0) unseenByColumn[name] = this.unseen[j] as number;
    });
    if (this.targetDropped > 0) droppedByColumn[plan.target] = this.targetDropped;
    const report: ReadReport = {
      source: this.source,
      rowsRead: this.rowsRead,
      rowsKept: this.rowsKept,
      rowsDropped: this.rowsDropped,
      missing: this.missing,
      droppedByColumn,
      imputedByColumn,
      unseenByColumn,
    };
    return createDataset({ taskNames, featureNames: enc.featureNames, X: Xs, y: ys, dtype: this.dtype, encoding: enc, report });
  }
  /**
   * All rows are in one buffer and every feature is numeric: group the rows by task in place (a
   * stable permutation by cycles, nothing to do when rows came grouped), fill imputed cells, and
   * give each task a view of its rows. The buffer is kept when it is at least 3/4 full.
   */
  private placeInPlace(order: readonly number[], enc: Encoding): { X: FloatArray[]; y: Float64Array[] } {
    const w = this.w;
    const N = this.curLen;
    const X = this.cur;
    const Y = this.curY;
    const T = this.curT;
    if (this.missing === 'mean-impute') {
      const fills = enc.columns.map((c) => (c.kind === 'numeric' ? (c.fill as number) : 0));
      for (let i = 0; i < N * w; i++) if (Number.isNaN(X[i] as number)) X[i] = fills[i % w] as number;
    }
    const R = this.taskList.length;
    const start = new Int32Array(R);
    let at = 0;
    for (const t of order) {
      start[t] = at;
      at += this.taskCounts[t] as number;
    }
    const next = Int32Array.from(start);
    let grouped = true;
    for (let i = 0; i < N; i++) {
      const t = T[i] as number;
      if ((next[t] as number) !== i) grouped = false;
      next[t] = (next[t] as number) + 1;
    }
    if (!grouped) {
      // dest[i]: where row i goes (stable within each task); -1 once placed.
      const dest = new Int32Array(N);
      next.set(start);
      for (let i = 0; i < N; i++) {
        const t = T[i] as number;
        dest[i] = next[t] as number;
        next[t] = (next[t] as number) + 1;
      }
      let hold = allocFloat(this.dtype, w);
      let spare = allocFloat(this.dtype, w);
      for (let s0 = 0; s0 < N; s0++) {
        if ((dest[s0] as number) < 0) continue;
        if (dest[s0] === s0) {
          dest[s0] = -1;
          continue;
        }
        for (let k = 0; k < w; k++) hold[k] = X[s0 * w + k] as number;
        let holdY = Y[s0] as number;
        let j = dest[s0] as number;
        dest[s0] = -1;
        while (j !== s0) {
          const o = j * w;
          for (let k = 0; k < w; k++) {
            spare[k] = X[o + k] as number;
            X[o + k] = hold[k] as number;
          }
          const y = Y[j] as number;
          Y[j] = holdY;
          holdY = y;
          [hold, spare] = [spare, hold];
          const nj = dest[j] as number;
          dest[j] = -1;
          j = nj;
        }
        for (let k = 0; k < w; k++) X[s0 * w + k] = hold[k] as number;
        Y[s0] = holdY;
      }
    }
    const keep = N >= 0.75 * this.curCap;
    const Xs: FloatArray[] = [];
    const ys: Float64Array[] = [];
    for (let t = 0; t < R; t++) {
      const a = start[t] as number;
      const b = a + (this.taskCounts[t] as number);
      Xs[t] = keep ? X.subarray(a * w, b * w) : X.slice(a * w, b * w);
      ys[t] = keep ? Y.subarray(a, b) : Y.slice(a, b);
    }
    return { X: Xs, y: ys };
  }

  /** Rows in several blocks, or categorical features to expand: copy each row to its task's matrix. */
  private placeFromBlocks(
    enc: Encoding,
    remap: readonly (Int32Array | null)[],
    out: Int32Array,
    p: number,
  ): { X: FloatArray[]; y: Float64Array[] } {
    const w = this.w;
    const simple = p === w && this.plan.isCat.every((c) => c === 0) && this.missing !== 'mean-impute';
    const counts = this.taskCounts;
    const taskX: (FloatArray | null)[] = counts.map(() => null);
    const taskY = counts.map((n) => new Float64Array(n));
    const filled = new Int32Array(counts.length);
    this.blocks.push(this.cur);
    this.blockY.push(this.curY);
    this.blockT.push(this.curT);
    this.blockLen.push(this.curLen);
    for (let b = 0; b < this.blocks.length; b++) {
      const B = this.blocks[b] as FloatArray;
      const Y = this.blockY[b] as Float64Array;
      const T = this.blockT[b] as Int32Array;
      const len = this.blockLen[b] as number;
      for (let i = 0; i < len; i++) {
        const t = T[i] as number;
        let dest = taskX[t];
        if (dest === null || dest === undefined) {
          // Allocated when the task's first row comes, so rows grouped by task need little more
          // memory than the blocks that are freed as they go.
          dest = allocFloat(this.dtype, (counts[t] as number) * p);
          taskX[t] = dest;
        }
        const r = filled[t] as number;
        filled[t] = r + 1;
        (taskY[t] as Float64Array)[r] = Y[i] as number;
        const s = i * w;
        const o = r * p;
        if (simple) {
          for (let j = 0; j < w; j++) dest[o + j] = B[s + j] as number;
          continue;
        }
        for (let j = 0; j < w; j++) {
          const v = B[s + j] as number;
          const c = enc.columns[j] as ColumnEncoding;
          const at = o + (out[j] as number);
          if (c.kind === 'numeric') dest[at] = Number.isNaN(v) ? (c.fill as number) : v;
          else if (!Number.isNaN(v)) {
            if (v >= 0) {
              const m = remap[j];
              dest[at + (m ? (m[v] as number) : v)] = 1;
            }
          } else {
            const fill = c.fill as readonly number[];
            for (let k = 0; k < fill.length; k++) dest[at + k] = fill[k] as number;
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

function noValuesError(column: string, rows: number): ValidationError {
  return new ValidationError('No values to compute a fill value', {
    column,
    expected: 'at least one non-missing value in the column to compute its training mean',
    received: `only missing values in ${rows} kept rows`,
    fix: 'Remove the column (exclude option), or fill it in',
  });
}

/** Reads every row of a value table into a dataset. */
export function readValueTable(table: ValueTable, options: TableOptions, source: string): MultiTaskDataset {
  const reader = new TableReader(table.columnNames, options, source, { rows: table.numRows });
  for (let i = 0; i < table.numRows; i++) reader.pushValues(table, i, i + 1);
  return reader.finish();
}
