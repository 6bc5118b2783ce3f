import type { MultiTaskDataset } from '@hetmtl/data';
import { checkFamilyTarget, type FamilyName, familyOf } from '@hetmtl/estimator';
import { HetmtlError, ValidationError } from '@hetmtl/tensor';
import { UsageError } from './errors.js';
import { readRawTable, type ReadOptions } from './read-data.js';

/**
 * The command line's side of the response families (issue #15): which flags go with which family,
 * what the reader is asked for (a two-level target, row weights, an offset or exposure column),
 * binomial trials as weights, the one-line hint of a gaussian fit on 0/1 or count targets, and the
 * file row of a bad row value. The families themselves, their target checks and metrics are
 * @hetmtl/estimator's; the row-value columns are read by @hetmtl/data's table readers.
 */
export interface FamilyFlags {
  readonly family?: FamilyName;
  /** --positive: the level of a two-level binomial target read as 1. */
  readonly positive?: string;
  /** --weights: a column of row weights (every family). */
  readonly weights?: string;
  /** --offset: a column of offsets on the log scale (poisson: log exposure). */
  readonly offset?: string;
  /** --exposure: a column of exposures > 0 (poisson), whose log is the offset. */
  readonly exposure?: string;
  /** --trials: binomial with the successes as target, the number of trials in this column. */
  readonly trials?: string;
}

/** What a model file records of the row-value columns and a two-level target (`fit.family`). */
export interface SavedFamilyInput {
  readonly family: FamilyName;
  readonly weights?: string;
  readonly offset?: string;
  readonly exposure?: string;
  readonly trials?: string;
  /** binomial with a text target: the level read as 1, and the other (null: absent in training). */
  readonly positive?: string;
  readonly negative?: string | null;
}

/** The family of the flags (default gaussian), with the flags that need another family refused. */
export function familyFromFlags(f: FamilyFlags): FamilyName {
  const family = f.family ?? 'gaussian';
  const need = (flag: string, value: string | undefined, families: readonly FamilyName[]) => {
    if (value === undefined || families.includes(family)) return;
    const fix =
      families[0] === 'poisson'
        ? `Pass --family poisson with ${flag} (an offset is the log exposure of counts), or drop ${flag}`
        : `Pass --family binomial with ${flag}, or drop ${flag}`;
    throw new UsageError(
      `${flag} ${value} goes with --family ${families.join(' or ')}, and the family is ${family}${f.family === undefined ? ' (the default)' : ''}`,
      fix,
    );
  };
  need('--positive', f.positive, ['binomial']);
  need('--trials', f.trials, ['binomial']);
  need('--offset', f.offset, ['poisson']);
  need('--exposure', f.exposure, ['poisson']);
  if (f.offset !== undefined && f.exposure !== undefined)
    throw new UsageError(
      `--offset ${f.offset} and --exposure ${f.exposure} both set the offset`,
      'Pass --offset for a column of log exposures, or --exposure for the exposures themselves, not both',
    );
  if (f.trials !== undefined && f.weights !== undefined)
    throw new UsageError(
      `--trials ${f.trials} weighs each row by its trials, and --weights ${f.weights} is another weight`,
      'Drop --weights (or multiply the weights into the trials column yourself)',
    );
  if (f.trials !== undefined && f.positive !== undefined)
    throw new UsageError(
      `--positive ${f.positive} names a level of a two-level target, and with --trials ${f.trials} the target is a count of successes`,
      'Drop --positive',
    );
  return family;
}

/** The table-reader options of the family flags (binaryTarget for binomial without trials). */
export function familyReaderOptions(f: FamilyFlags, family: FamilyName): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (family === 'binomial' && f.trials === undefined) out.binaryTarget = true;
  if (f.positive !== undefined) out.positive = f.positive;
  const weights = f.trials ?? f.weights;
  if (weights !== undefined) out.weights = weights;
  if (f.offset !== undefined) out.offset = f.offset;
  if (f.exposure !== undefined) out.exposure = f.exposure;
  return out;
}

/** The reader options to read an evaluation file the way the training file was read. */
export function savedReaderOptions(
  saved: SavedFamilyInput | undefined,
  weights?: string,
): Record<string, unknown> {
  if (saved === undefined) return weights !== undefined ? { weights } : {};
  const out: Record<string, unknown> = {};
  if (saved.family === 'binomial' && saved.trials === undefined && saved.positive !== undefined)
    out.positive = saved.positive;
  if (saved.trials !== undefined) out.weights = saved.trials;
  else if (weights !== undefined) out.weights = weights;
  if (saved.offset !== undefined) out.offset = saved.offset;
  if (saved.exposure !== undefined) out.exposure = saved.exposure;
  return out;
}

/**
 * Binomial with trials: a row of s successes in t trials becomes the row y = 1 of weight s and the
 * row y = 0 of weight t − s (halves of weight 0 left out): the same binomial log-likelihood as y =
 * s / t of weight t, in the 0/1 targets every binomial learner takes. Applied after the split, so
 * both halves of a row are on the same side. `weights` are the trials (read as the weight column).
 */
export function expandTrials(ds: MultiTaskDataset): MultiTaskDataset {
  const weights = ds.weights;
  if (weights === null) return ds;
  const indices: number[][] = [];
  const ys: number[][] = [];
  const ws: number[][] = [];
  for (const t of ds.tasks()) {
    const w = weights[t.index];
    const idx: number[] = [];
    const y: number[] = [];
    const wt: number[] = [];
    for (let i = 0; i < t.n; i++) {
      const s = t.y[i];
      if (s > 0) {
        idx.push(i);
        y.push(1);
        wt.push(s);
      }
      if (w[i] - s > 0) {
        idx.push(i);
        y.push(0);
        wt.push(w[i] - s);
      }
    }
    indices.push(idx);
    ys.push(y);
    ws.push(wt);
  }
  const kept = ds.taskNames.filter((_, r) => indices[r].length > 0);
  const sub = ds.subset(indices);
  const at = (r: number) => ds.taskNames.indexOf(kept[r]);
  return sub.withTarget(kept.map((_, r) => ys[at(r)])).withWeights(
    kept.map((_, r) => ws[at(r)]),
    'trials',
  );
}

/** Successes within 0 … trials, whole numbers: else an error naming the row, with --trials. */
export function checkTrials(ds: MultiTaskDataset, trials: string): void {
  const weights = ds.weights;
  if (weights === null) return;
  for (const t of ds.tasks()) {
    const w = weights[t.index];
    for (let i = 0; i < t.n; i++) {
      const s = t.y[i];
      if (Number.isInteger(s) && s >= 0 && s <= w[i] && Number.isInteger(w[i])) continue;
      const whole = Number.isInteger(w[i]);
      throw new ValidationError(
        whole ? 'A count of successes outside 0 … trials' : 'A number of trials that is not whole',
        {
          task: t.name,
          row: i + 1,
          column: whole ? ds.encoding.target : trials,
          expected: whole
            ? `a whole number of successes from 0 to the trials of the row (--trials ${trials})`
            : 'a whole number of trials ≥ 0',
          received: whole ? `${s} successes in ${w[i]} trials` : String(w[i]),
          fix: `Correct or remove the row, or check that --trials ${trials} names the number of trials and --target the successes`,
        },
      );
    }
  }
}

/**
 * One line when a gaussian fit's target looks like a family's: 0/1 only (binomial), or
 * non-negative whole numbers with more than two values (poisson). Null otherwise. O(rows).
 */
export function familyHint(ds: MultiTaskDataset): string | null {
  let binary = true;
  let counts = true;
  const values = new Set<number>();
  for (const t of ds.tasks()) {
    for (let i = 0; i < t.n; i++) {
      const v = t.y[i];
      if (v !== 0 && v !== 1) binary = false;
      if (!(Number.isInteger(v) && v >= 0)) counts = false;
      else if (values.size < 3) values.add(v);
      if (!binary && !counts) return null;
    }
  }
  const target = ds.encoding.target;
  if (binary && values.size === 2)
    return `hetmtl: the target ${JSON.stringify(target)} holds 0/1 only: --family binomial fits it as a yes/no outcome (logistic, with log loss and AUC)`;
  if (counts && values.size > 2)
    return `hetmtl: the target ${JSON.stringify(target)} holds non-negative whole numbers only: if they are counts, --family poisson fits them (log link; --exposure or --offset for an exposure)`;
  return null;
}

/** Whether an error of the reader says the target is text (where --family binomial helps). */
export function isTextTargetError(e: unknown, target: string): boolean {
  return (
    HetmtlError.isInstance(e) &&
    e.column === target &&
    /number|numeric/i.test(`${e.summary} ${e.expected ?? ''}`)
  );
}

/** The fix of an error on a row value, in the words of the command line. */
function flagFix(e: HetmtlError, f: FamilyFlags, family: FamilyName): string | undefined {
  const col = e.column;
  if (col === undefined) return undefined;
  if (f.trials !== undefined && (col === f.trials || col === 'trials'))
    return `Correct or remove the row, or pass the column of the number of trials as --trials`;
  if (col === f.weights) return 'Correct or remove the row, or pass another column as --weights';
  if (col === f.exposure)
    return 'Correct or remove the row (an exposure must be > 0), or pass another column as --exposure (or log exposures as --offset)';
  if (col === f.offset)
    return 'Fill in the row (the offset is the log exposure of the row), or pass another column as --offset (or the exposures as --exposure)';
  if (family !== 'gaussian')
    return family === 'binomial'
      ? 'Correct or remove the row, or pass --family binomial with a 0/1 or two-level target only (--positive <level> names the level read as 1)'
      : 'Correct or remove the row (counts are whole numbers ≥ 0), or fit --family gaussian';
  return undefined;
}

/** Titles of the checks made after a read, whose rows are numbered within their task. */
const WITHIN_TASK =
  /^(A row weight|An exposure that|A row offset|An offset|An? (training|validation|evaluation) target|A count of successes|A number of trials)/;

/**
 * Runs the checks made on a dataset after it was read (row weights, offsets, exposures, targets of
 * the family, trials): their errors number rows within the task; this renumbers the row as the file
 * numbers it (as every other error of the reader does; CSV: the spreadsheet row) and gives the
 * command line's fix. The file is read again only on such an error, and only when no row was
 * dropped (else the row stays numbered within its task).
 */
export async function inFileRowsOf<T>(
  path: string,
  options: ReadOptions,
  task: string,
  f: FamilyFlags,
  family: FamilyName,
  fn: () => Promise<T>,
  dropped: () => number = () => 0,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!HetmtlError.isInstance(e)) throw e;
    if (!WITHIN_TASK.test(e.summary)) throw inFlagWords(e, f) ?? e;
    const fix = flagFix(e, f, family);
    let row = e.row;
    let withinTask = row !== undefined;
    if (row !== undefined && e.task !== undefined && dropped() === 0) {
      const fileRow = await fileRowOf(path, options, task, String(e.task), row).catch(() => null);
      if (fileRow !== null) {
        row = fileRow;
        withinTask = false;
      }
    }
    throw new ValidationError(e.summary, {
      ...(e.task !== undefined ? { task: e.task } : {}),
      ...(row !== undefined ? { row } : {}),
      ...(e.column !== undefined ? { column: e.column } : {}),
      ...(e.expected !== undefined ? { expected: e.expected } : {}),
      ...(e.received !== undefined
        ? { received: withinTask ? `${e.received} (row ${row} of the task)` : e.received }
        : {}),
      ...((fix ?? e.fix) !== undefined ? { fix: fix ?? e.fix } : {}),
    });
  }
}

/**
 * The reader's errors (rows already numbered as in the file) that concern a family flag, with the
 * command line's fix: a missing or non-numeric cell of a row-value column (which is never imputed),
 * a third level of a binomial target, a --positive that is not a level. Null: leave it as it is.
 */
function inFlagWords(e: HetmtlError, f: FamilyFlags): ValidationError | null {
  const col = e.column;
  const rowValue: [string | undefined, string][] = [
    [f.trials, '--trials'],
    [f.weights, '--weights'],
    [f.offset, '--offset'],
    [f.exposure, '--exposure'],
  ];
  const flag = rowValue.find(([c]) => c !== undefined && c === col)?.[1];
  let fix: string | undefined;
  let column = col;
  if (flag !== undefined)
    fix = `Fill in a number (the ${flag} column needs a finite value in every row: it is not imputed), or leave such rows out with --missing drop-rows, or pass another column as ${flag}`;
  else if (/^A third level/.test(e.summary))
    fix =
      'Correct or remove the row: --family binomial takes a target of two levels (Y/N, yes/no, true/false, 0/1), read as 1 for --positive <level> (default: the second in sorted order)';
  else if (/^The positive level is not a level/.test(e.summary)) {
    column = undefined;
    fix = `Pass --positive with one of the two levels of the target, or leave --positive out (the second level in sorted order is read as 1)`;
  } else return null;
  return new ValidationError(e.summary, {
    ...(e.task !== undefined ? { task: e.task } : {}),
    ...(e.row !== undefined ? { row: e.row } : {}),
    ...(column !== undefined ? { column } : {}),
    ...(e.expected !== undefined ? { expected: e.expected } : {}),
    ...(e.received !== undefined
      ? {
          received:
            column === undefined && f.positive !== undefined
              ? `--positive ${e.received}`
              : e.received,
        }
      : {}),
    fix,
  });
}

/** The file row of the `k`-th row (1-based) of a task: its k-th row in file order. */
async function fileRowOf(
  path: string,
  options: ReadOptions,
  taskColumn: string,
  task: string,
  k: number,
): Promise<number | null> {
  const table = await readRawTable(path, options);
  const cells = table.columns[taskColumn];
  if (cells === undefined) return null;
  let seen = 0;
  for (let i = 0; i < table.numRows; i++) {
    const v = cells[i];
    if (v === null || v === undefined || String(v).trim() !== task) continue;
    seen++;
    if (seen === k) return table.rowNumbers[i];
  }
  return null;
}

/** The family's target check on the whole dataset (right after the read, rows within the task). */
export function checkTargets(ds: MultiTaskDataset, family: FamilyName): void {
  if (family !== 'gaussian') checkFamilyTarget(familyOf(family), ds, 'training');
}
