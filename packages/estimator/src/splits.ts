import type { MultiTaskDataset } from '@hetmtl/data';
import { Random, ValidationError } from '@hetmtl/tensor';

/**
 * The validation scheme of every hetmtl estimator (the model and the baselines) and its one seed
 * protocol. Splits are row indices within each task, 0-based. They draw the same random numbers as
 * `trainTestSplit` / `kFoldByTask` of `@hetmtl/data`, so a dataset those accept is split
 * identically; unlike them, a task too small to spare a validation row is not refused: it keeps
 * every row for training in that split or fold (at least one training row per task, always), and
 * the validation score skips it.
 */

/**
 * The seed protocol: an estimator's `seed` roots one random stream; its first 31-bit draw seeds the
 * validation split, and the stream (`rng`) goes on to seed the initial weights. So the same seed
 * gives the same validation rows in every estimator, whatever it initialises afterwards.
 */
export interface SeedStreams {
  /** The seed of the validation split (holdOutSplit / kFoldSplits). */
  readonly splitSeed: number;
  /** The rest of the stream, after the split seed was drawn. */
  readonly rng: Random;
}

export function seedStreams(seed: number | string): SeedStreams {
  const rng = new Random(seed);
  return { splitSeed: rng.seed31(), rng };
}
export interface IndexSplit {
  readonly train: Int32Array[];
  readonly validation: Int32Array[];
}

const sorted = (a: Int32Array) => a.sort();

/** One split per task: round(n_r·fraction) validation rows (at least 1 when n_r ≥ 2, else none). */
export function holdOutSplit(ds: MultiTaskDataset, fraction: number, seed: number): IndexSplit {
  const rng = new Random(seed);
  const train: Int32Array[] = [];
  const validation: Int32Array[] = [];
  for (const n of ds.sizes) {
    const nVal = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
    const perm = rng.permutation(n);
    train.push(sorted(perm.slice(0, n - nVal)));
    validation.push(sorted(perm.slice(n - nVal)));
  }
  return { train, validation };
}

/**
 * K folds per task: each task's rows are shuffled and dealt into k folds (sizes differ by at most
 * one). A task of one row is never validated (it trains in every fold); a task of 2 ≤ n_r < k rows
 * validates one row in n_r of the folds and none in the others.
 */
export function kFoldSplits(ds: MultiTaskDataset, k: number, seed: number): IndexSplit[] {
  const rng = new Random(seed);
  const folds: number[][][] = Array.from({ length: k }, () => []);
  for (const n of ds.sizes) {
    const perm = rng.permutation(n);
    const offset = rng.integer(0, k);
    for (let f = 0; f < k; f++) folds[f].push([]);
    const r = folds[0].length - 1;
    // A task of one row cannot spare it: it stays in training in every fold.
    if (n < 2) continue;
    for (let i = 0; i < n; i++) folds[(i + offset) % k][r].push(perm[i]);
  }
  return folds.map((_, f) => {
    const validation = ds.sizes.map((__, r) => sorted(Int32Array.from(folds[f][r])));
    const train = ds.sizes.map((n, r) => {
      if (n < 2) return Int32Array.from({ length: n }, (__, i) => i);
      const rows: number[] = [];
      for (let g = 0; g < k; g++) if (g !== f) rows.push(...folds[g][r]);
      return sorted(Int32Array.from(rows));
    });
    return { train, validation };
  });
}

const SMALL_FIX =
  'Collect more rows, or merge small tasks (every task keeps at least one training row)';

/**
 * {@link holdOutSplit} as datasets: the training rows, and the validation rows (tasks without one
 * absent). A dataset where no task can spare a validation row is refused, as `trainTestSplit` of
 * `@hetmtl/data` refuses it.
 */
export function holdOutDatasets(
  ds: MultiTaskDataset,
  fraction: number,
  seed: number,
): { readonly train: MultiTaskDataset; readonly validation: MultiTaskDataset } {
  const split = holdOutSplit(ds, fraction, seed);
  if (split.validation.every((rows) => rows.length === 0)) {
    const largest = Math.max(...ds.sizes);
    throw new ValidationError('No rows for the test part', {
      expected: 'at least one task that can spare a test row while keeping one training row',
      received: `tasks of at most ${largest} row${largest === 1 ? '' : 's'}`,
      fix: SMALL_FIX,
    });
  }
  return { train: ds.subset(split.train), validation: ds.subset(split.validation) };
}
