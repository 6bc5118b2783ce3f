import type { MultiTaskDataset } from '@hetmtl/data';
import { Random } from '@hetmtl/tensor';

/**
 * The model's own validation splits (row indices within each task, 0-based). They draw the same
 * random numbers as `trainTestSplit` / `kFoldByTask` of `@hetmtl/data`, so a dataset those accept is
 * split identically; unlike them, a task too small to spare a validation row is not refused: it
 * keeps every row for training in that split or fold (at least one training row per task, always),
 * and the validation score skips it.
 */
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
    for (let f = 0; f < k; f++) (folds[f] as number[][]).push([]);
    const r = (folds[0] as number[][]).length - 1;
    // A task of one row cannot spare it: it stays in training in every fold.
    if (n < 2) continue;
    for (let i = 0; i < n; i++)
      ((folds[(i + offset) % k] as number[][])[r] as number[]).push(perm[i] as number);
  }
  return folds.map((_, f) => {
    const validation = ds.sizes.map((__, r) =>
      sorted(Int32Array.from((folds[f] as number[][])[r] as number[])),
    );
    const train = ds.sizes.map((n, r) => {
      if (n < 2) return Int32Array.from({ length: n }, (__, i) => i);
      const rows: number[] = [];
      for (let g = 0; g < k; g++)
        if (g !== f) rows.push(...((folds[g] as number[][])[r] as number[]));
      return sorted(Int32Array.from(rows));
    });
    return { train, validation };
  });
}
