import { describeReceived, Random, ValidationError } from '@hetmtl/tensor';
import type { MultiTaskDataset, TaskData } from './dataset.js';

/** Row indices of each task (0-based within the task, ascending), aligned with `dataset.taskNames`. */
export type SplitIndices = readonly Int32Array[];

export interface TrainTestSplit {
  readonly train: MultiTaskDataset;
  readonly test: MultiTaskDataset;
  readonly indices: { readonly train: SplitIndices; readonly test: SplitIndices };
}

export interface TrainValidationTestSplit {
  readonly train: MultiTaskDataset;
  readonly validation: MultiTaskDataset;
  readonly test: MultiTaskDataset;
  readonly indices: { readonly train: SplitIndices; readonly validation: SplitIndices; readonly test: SplitIndices };
}

export interface Fold {
  /** 0-based fold number. */
  readonly fold: number;
  readonly train: MultiTaskDataset;
  readonly validation: MultiTaskDataset;
  readonly indices: { readonly train: SplitIndices; readonly validation: SplitIndices };
}

export interface RepeatedSplit extends TrainTestSplit {
  /** 0-based repeat number. */
  readonly repeat: number;
}

export interface TrainTestOptions {
  /** Fraction of each task's rows in the test part, in (0, 1). Default 0.25. */
  readonly test?: number;
  /** Seed (default 0): the same seed gives the same split. */
  readonly seed?: number | string;
}

export interface TrainValidationTestOptions {
  /** Fraction of each task's rows for validation. Default 0.2. */
  readonly validation?: number;
  /** Fraction of each task's rows for test. Default 0.2. */
  readonly test?: number;
  readonly seed?: number | string;
}

export interface KFoldOptions {
  /** Number of folds, at least 2. Default 5. */
  readonly k?: number;
  readonly seed?: number | string;
}

export interface RepeatedSplitsOptions extends TrainTestOptions {
  /** Number of independent splits. Default 10. */
  readonly repeats?: number;
}

function checkFraction(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(v > 0 && v < 1)) {
    throw new ValidationError(`Invalid ${name} fraction`, {
      column: name,
      expected: 'a number strictly between 0 and 1',
      received: describeReceived(v),
      fix: `Pass for example ${name}: 0.2`,
    });
  }
  return v;
}

function checkCount(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ValidationError(`Invalid ${name}`, { column: name, expected: `an integer ≥ ${min}`, received: describeReceived(v) });
  }
  return v;
}

function tooSmall(t: TaskData, need: number, what: string, fix: string): ValidationError {
  return new ValidationError('Task too small to split', {
    task: t.name,
    expected: `at least ${need} rows (${what})`,
    received: `${t.n} row${t.n === 1 ? '' : 's'}`,
    fix,
  });
}

const SMALL_FIX = 'Drop or merge the task (dataset.selectTasks), or collect more rows for it';

/**
 * Sizes of the parts of n rows: round(n·f) for each fraction, then at least one row per part,
 * the first part (train) taking the rest.
 */
function partSizes(n: number, fractions: readonly number[]): number[] {
  const rest = fractions.map((f) => Math.max(1, Math.round(n * f)));
  // Keep one row for train, taking back from the largest other part.
  while (rest.reduce((a, b) => a + b, 0) > n - 1) {
    let k = 0;
    for (let i = 1; i < rest.length; i++) if ((rest[i] as number) > (rest[k] as number)) k = i;
    rest[k] = (rest[k] as number) - 1;
  }
  return [n - rest.reduce((a, b) => a + b, 0), ...rest];
}

function sorted(a: Int32Array): Int32Array {
  return a.sort();
}

/** Splits each task's rows at random into parts of the given fractions (first part: the rest). */
function stratified(ds: MultiTaskDataset, fractions: readonly number[], rng: Random, what: string): Int32Array[][] {
  const parts: Int32Array[][] = Array.from({ length: fractions.length + 1 }, () => []);
  for (const t of ds.tasks()) {
    if (t.n < fractions.length + 1) throw tooSmall(t, fractions.length + 1, what, SMALL_FIX);
    const sizes = partSizes(t.n, fractions);
    const perm = rng.permutation(t.n);
    let at = 0;
    sizes.forEach((size, k) => {
      (parts[k] as Int32Array[]).push(sorted(perm.slice(at, at + size)));
      at += size;
    });
  }
  return parts;
}

/**
 * A seeded train/test split stratified by task: each task's rows are split at random, so every
 * task keeps at least one row in each part (a task of one row is an error). The test part of a task
 * has round(n_r·test) rows (at least 1, at most n_r − 1).
 */
export function trainTestSplit(ds: MultiTaskDataset, options: TrainTestOptions = {}): TrainTestSplit {
  const test = checkFraction(options.test ?? 0.25, 'test');
  const [train, te] = stratified(ds, [test], new Random(options.seed ?? 0), 'one each for train and test') as [Int32Array[], Int32Array[]];
  return Object.freeze({ train: ds.subset(train), test: ds.subset(te), indices: Object.freeze({ train, test: te }) });
}

/**
 * A seeded train/validation/test split stratified by task: every task keeps at least one row in
 * each part, else an error names the task. Validation and test get round(n_r·fraction) rows of
 * each task (at least 1), train the rest (at least 1).
 */
export function trainValidationTestSplit(ds: MultiTaskDataset, options: TrainValidationTestOptions = {}): TrainValidationTestSplit {
  const validation = checkFraction(options.validation ?? 0.2, 'validation');
  const test = checkFraction(options.test ?? 0.2, 'test');
  if (validation + test >= 1) {
    throw new ValidationError('Validation and test fractions leave no training rows', {
      column: 'validation',
      expected: 'validation + test < 1',
      received: `${validation} + ${test} = ${validation + test}`,
      fix: 'Lower the validation or test fraction',
    });
  }
  const [train, va, te] = stratified(ds, [validation, test], new Random(options.seed ?? 0), 'one each for train, validation and test') as [
    Int32Array[],
    Int32Array[],
    Int32Array[],
  ];
  return Object.freeze({
    train: ds.subset(train),
    validation: ds.subset(va),
    test: ds.subset(te),
    indices: Object.freeze({ train, validation: va, test: te }),
  });
}

/**
 * Seeded K-fold cross-validation stratified by task: each task's rows are shuffled and dealt into
 * k folds of sizes differing by at most one, so every fold validates on rows of every task (a task
 * with fewer than k rows is an error). Fold f trains on the other k − 1 folds.
 */
export function kFoldByTask(ds: MultiTaskDataset, options: KFoldOptions = {}): Fold[] {
  const k = checkCount(options.k ?? 5, 'k', 2);
  const rng = new Random(options.seed ?? 0);
  const folds: number[][][] = Array.from({ length: k }, () => []);
  for (const t of ds.tasks()) {
    if (t.n < k) throw tooSmall(t, k, `one per fold for k = ${k}`, `Use fewer folds (k ≤ ${t.n}), or drop or merge the task`);
    const perm = rng.permutation(t.n);
    // Start dealing at a random fold so that the larger folds are not always the first ones.
    const offset = rng.integer(0, k);
    for (let f = 0; f < k; f++) (folds[f] as number[][]).push([]);
    for (let i = 0; i < t.n; i++) ((folds[(i + offset) % k] as number[][])[t.index] as number[]).push(perm[i] as number);
  }
  return folds.map((_, f) => {
    const validation = ds.taskNames.map((__, r) => sorted(Int32Array.from((folds[f] as number[][])[r] as number[])));
    const train = ds.taskNames.map((__, r) => {
      const rows: number[] = [];
      for (let g = 0; g < k; g++) if (g !== f) rows.push(...((folds[g] as number[][])[r] as number[]));
      return sorted(Int32Array.from(rows));
    });
    return Object.freeze({ fold: f, train: ds.subset(train), validation: ds.subset(validation), indices: Object.freeze({ train, validation }) });
  });
}

/**
 * `repeats` independent seeded train/test splits stratified by task (the protocol of "10 random
 * 75%/25% splits within each school"). Repeat i uses the i-th child stream of the seed, so
 * adding repeats does not change the earlier ones.
 */
export function repeatedSplits(ds: MultiTaskDataset, options: RepeatedSplitsOptions = {}): RepeatedSplit[] {
  const repeats = checkCount(options.repeats ?? 10, 'repeats', 1);
  const test = checkFraction(options.test ?? 0.25, 'test');
  const root = new Random(options.seed ?? 0);
  const out: RepeatedSplit[] = [];
  for (let r = 0; r < repeats; r++) {
    const [train, te] = stratified(ds, [test], root.child(), 'one each for train and test') as [Int32Array[], Int32Array[]];
    out.push(Object.freeze({ repeat: r, train: ds.subset(train), test: ds.subset(te), indices: Object.freeze({ train, test: te }) }));
  }
  return out;
}
