import { describeReceived, Random, ValidationError } from '@hetmtl/tensor';
import type { MultiTaskDataset } from './dataset.js';

/** Row indices of each task (0-based within the task, ascending), aligned with `dataset.taskNames`. */
export type SplitIndices = readonly Int32Array[];

/**
 * A train/test split. A task too small to spare a test row (one row) has all its rows in `train`
 * and is absent from `test`; it is listed in `tasksWithoutTest`.
 */
export interface TrainTestSplit {
  readonly train: MultiTaskDataset;
  readonly test: MultiTaskDataset;
  /** Row indices per task, aligned with the split dataset's `taskNames` (an empty list for a task without rows in a part). */
  readonly indices: { readonly train: SplitIndices; readonly test: SplitIndices };
  /** Tasks with no test row (all their rows train), in task order. */
  readonly tasksWithoutTest: readonly string[];
}

/**
 * A train/validation/test split. A task that cannot spare a row for both validation and test keeps
 * at least one training row, gives its next row to test, and only then one to validation; the
 * tasks left without rows in a part are listed.
 */
export interface TrainValidationTestSplit {
  readonly train: MultiTaskDataset;
  readonly validation: MultiTaskDataset;
  readonly test: MultiTaskDataset;
  readonly indices: {
    readonly train: SplitIndices;
    readonly validation: SplitIndices;
    readonly test: SplitIndices;
  };
  /** Tasks with no validation row, in task order. */
  readonly tasksWithoutValidation: readonly string[];
  /** Tasks with no test row, in task order. */
  readonly tasksWithoutTest: readonly string[];
}

export interface Fold {
  /** 0-based fold number. */
  readonly fold: number;
  readonly train: MultiTaskDataset;
  readonly validation: MultiTaskDataset;
  readonly indices: { readonly train: SplitIndices; readonly validation: SplitIndices };
  /**
   * Tasks with no validation row in this fold (a one-row task is never validated; a task of
   * n < k rows is validated in n of the k folds), in task order. Such a task trains on all its rows.
   */
  readonly tasksWithoutValidation: readonly string[];
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
    throw new ValidationError(`Invalid ${name}`, {
      column: name,
      expected: `an integer ≥ ${min}`,
      received: describeReceived(v),
    });
  }
  return v;
}

/** A part of a split that no task can give a row to. */
function emptyPart(part: string, largest: number, fix: string): ValidationError {
  return new ValidationError(`No rows for the ${part} part`, {
    expected: `at least one task that can spare a ${part} row while keeping one training row`,
    received: `tasks of at most ${largest} row${largest === 1 ? '' : 's'}`,
    fix,
  });
}

/**
 * Sizes of the parts of n rows: round(n·f) for each fraction, at least one row per part, the
 * first part (train) taking the rest; train keeps at least one row, taking rows back from the
 * largest other part (the earlier one on ties, so test is served before validation). A task of
 * one row gives no row to the other parts, a task of two rows one row to the last part.
 */
function partSizes(n: number, fractions: readonly number[]): number[] {
  const rest = fractions.map((f) => Math.max(1, Math.round(n * f)));
  // Keep one row for train, taking back from the largest other part.
  while (rest.reduce((a, b) => a + b, 0) > n - 1) {
    let k = 0;
    for (let i = 1; i < rest.length; i++) if (rest[i] > rest[k]) k = i;
    rest[k] = rest[k] - 1;
  }
  return [n - rest.reduce((a, b) => a + b, 0), ...rest];
}

function sorted(a: Int32Array): Int32Array {
  return a.sort();
}

/** Splits each task's rows at random into parts of the given fractions (first part: the rest). */
function stratified(
  ds: MultiTaskDataset,
  fractions: readonly number[],
  rng: Random,
): Int32Array[][] {
  const parts: Int32Array[][] = Array.from({ length: fractions.length + 1 }, () => []);
  for (const t of ds.tasks()) {
    const sizes = partSizes(t.n, fractions);
    const perm = rng.permutation(t.n);
    let at = 0;
    sizes.forEach((size, k) => {
      parts[k].push(sorted(perm.slice(at, at + size)));
      at += size;
    });
  }
  return parts;
}

/** Tasks with no row in `part`. */
function without(ds: MultiTaskDataset, part: readonly Int32Array[]): readonly string[] {
  return Object.freeze(ds.taskNames.filter((_, r) => part[r].length === 0));
}

/** The dataset of a part's rows; a part without any row is an error that says why. */
function partSubset(
  ds: MultiTaskDataset,
  part: readonly Int32Array[],
  name: string,
  fix: string,
): MultiTaskDataset {
  if (part.every((rows) => rows.length === 0)) throw emptyPart(name, Math.max(...ds.sizes), fix);
  return ds.subset(part);
}

const SMALL_FIX =
  'Collect more rows, or merge small tasks (every task keeps at least one training row)';

/**
 * A seeded train/test split stratified by task: each task's rows are split at random. The test
 * part of a task has round(n_r·test) rows, at least 1 and at most n_r − 1: every task keeps at
 * least one training row, so a task of one row goes wholly to training (listed in
 * `tasksWithoutTest`, absent from `test`), and a task of two rows gives one row to test.
 */
export function trainTestSplit(
  ds: MultiTaskDataset,
  options: TrainTestOptions = {},
): TrainTestSplit {
  const test = checkFraction(options.test ?? 0.25, 'test');
  const [train, te] = stratified(ds, [test], new Random(options.seed ?? 0)) as [
    Int32Array[],
    Int32Array[],
  ];
  return Object.freeze({
    train: ds.subset(train),
    test: partSubset(ds, te, 'test', SMALL_FIX),
    indices: Object.freeze({ train, test: te }),
    tasksWithoutTest: without(ds, te),
  });
}

/**
 * A seeded train/validation/test split stratified by task. Validation and test get
 * round(n_r·fraction) rows of each task (at least 1), train the rest, at least 1: a task of one
 * row trains only, a task of two rows gives one row to test and none to validation; the tasks
 * without rows in a part are listed (`tasksWithoutValidation`, `tasksWithoutTest`).
 */
export function trainValidationTestSplit(
  ds: MultiTaskDataset,
  options: TrainValidationTestOptions = {},
): TrainValidationTestSplit {
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
  const [train, va, te] = stratified(ds, [validation, test], new Random(options.seed ?? 0)) as [
    Int32Array[],
    Int32Array[],
    Int32Array[],
  ];
  return Object.freeze({
    train: ds.subset(train),
    validation: partSubset(ds, va, 'validation', SMALL_FIX),
    test: partSubset(ds, te, 'test', SMALL_FIX),
    indices: Object.freeze({ train, validation: va, test: te }),
    tasksWithoutValidation: without(ds, va),
    tasksWithoutTest: without(ds, te),
  });
}

/**
 * Seeded K-fold cross-validation stratified by task: each task's rows are shuffled and dealt into
 * k folds of sizes differing by at most one (starting at a random fold), and fold f trains on the
 * rows outside it. Every task keeps at least one training row in every fold: a task of one row is
 * never validated (it trains in every fold), a task of n < k rows is validated in n folds (one row
 * each); the folds where a task has no validation row list it in `tasksWithoutValidation`.
 */
export function kFoldByTask(ds: MultiTaskDataset, options: KFoldOptions = {}): Fold[] {
  const k = checkCount(options.k ?? 5, 'k', 2);
  const rng = new Random(options.seed ?? 0);
  // fold of each row of each task (-1: never validated)
  const foldOf: Int32Array[] = [];
  for (const t of ds.tasks()) {
    const perm = rng.permutation(t.n);
    const offset = rng.integer(0, k);
    const f = new Int32Array(t.n).fill(-1);
    if (t.n > 1) for (let i = 0; i < t.n; i++) f[perm[i]] = (i + offset) % k;
    foldOf.push(f);
  }
  return Array.from({ length: k }, (_, f) => {
    const validation: Int32Array[] = [];
    const train: Int32Array[] = [];
    for (const fo of foldOf) {
      const va: number[] = [];
      const tr: number[] = [];
      for (let i = 0; i < fo.length; i++) (fo[i] === f ? va : tr).push(i);
      validation.push(Int32Array.from(va));
      train.push(Int32Array.from(tr));
    }
    const fix = `Use fewer folds (k ≤ ${Math.max(...ds.sizes)}), or collect more rows`;
    return Object.freeze({
      fold: f,
      train: ds.subset(train),
      validation: partSubset(ds, validation, `validation (fold ${f + 1} of ${k})`, fix),
      indices: Object.freeze({ train, validation }),
      tasksWithoutValidation: without(ds, validation),
    });
  });
}

/**
 * `repeats` independent seeded train/test splits stratified by task (the protocol of "10 random
 * 75%/25% splits within each school"). Repeat i uses the i-th child stream of the seed, so
 * adding repeats does not change the earlier ones.
 */
export function repeatedSplits(
  ds: MultiTaskDataset,
  options: RepeatedSplitsOptions = {},
): RepeatedSplit[] {
  const repeats = checkCount(options.repeats ?? 10, 'repeats', 1);
  const test = checkFraction(options.test ?? 0.25, 'test');
  const root = new Random(options.seed ?? 0);
  const out: RepeatedSplit[] = [];
  for (let r = 0; r < repeats; r++) {
    const [train, te] = stratified(ds, [test], root.child()) as [Int32Array[], Int32Array[]];
    out.push(
      Object.freeze({
        repeat: r,
        train: ds.subset(train),
        test: partSubset(ds, te, 'test', SMALL_FIX),
        indices: Object.freeze({ train, test: te }),
        tasksWithoutTest: without(ds, te),
      }),
    );
  }
  return out;
}
