import { fromTaskArrays, kFoldByTask, trainTestSplit } from '@hetmtl/data';
import { ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { holdOutDatasets, holdOutSplit, kFoldSplits, seedStreams } from './splits.js';

// Tasks of 7, 1, 2 and 12 rows (a task of one row is never validated).
const ds = fromTaskArrays(
  [7, 1, 2, 12].map((n, r) => ({
    name: `t${r}`,
    X: Float64Array.from({ length: n * 2 }, (_, i) => i + r),
    y: Float64Array.from({ length: n }, (_, i) => i * (r + 1)),
  })),
  { constantTarget: 'allow' },
);
const rows = (parts: readonly Int32Array[]) => parts.map((a) => [...a]);

describe('the seed protocol', () => {
  // Computed on main before the splits moved here from @hetmtl/model (holdOutSplit, kFoldSplits)
  // and from the baselines' fit (Random(seed) → split seed, init seed): the same seed must keep
  // giving the same validation rows and the same initial weights.
  const pinned = {
    0: {
      splitSeed: 894966672,
      initSeed: 22485583,
      hold: [[4], [], [1], [1, 7]],
      kfold: [
        [[0, 1, 4], [], [1], [2, 3, 4, 6]],
        [[3, 6], [], [0], [5, 8, 9, 11]],
        [[2, 5], [], [], [0, 1, 7, 10]],
      ],
    },
    7: {
      splitSeed: 105247301,
      initSeed: 355542446,
      hold: [[2], [], [0], [6, 10]],
      kfold: [
        [[3, 4], [], [0], [1, 4, 5, 11]],
        [[0, 6], [], [1], [0, 2, 3, 10]],
        [[1, 2, 5], [], [], [6, 7, 8, 9]],
      ],
    },
    123: {
      splitSeed: 1540111656,
      initSeed: 1603537128,
      hold: [[4], [], [1], [3, 11]],
      kfold: [
        [[3, 5], [], [], [4, 9, 10, 11]],
        [[0, 6], [], [1], [2, 3, 7, 8]],
        [[1, 2, 4], [], [0], [0, 1, 5, 6]],
      ],
    },
  } as const;
  for (const [seed, want] of Object.entries(pinned)) {
    it(`seed ${seed}: the split seed, the init seed and the validation rows are as before`, () => {
      const { splitSeed, rng } = seedStreams(Number(seed));
      expect(splitSeed).toBe(want.splitSeed);
      expect(rng.seed31()).toBe(want.initSeed);
      expect(rows(holdOutSplit(ds, 0.2, splitSeed).validation)).toEqual(want.hold);
      expect(kFoldSplits(ds, 3, splitSeed).map((f) => rows(f.validation))).toEqual(want.kfold);
      // The baselines' split as datasets: the same rows.
      const { validation } = holdOutDatasets(ds, 0.2, splitSeed);
      const sub = ds.subset(holdOutSplit(ds, 0.2, splitSeed).validation);
      expect(validation.taskNames).toEqual(sub.taskNames);
      expect(validation.tasks().map((t) => [...t.y])).toEqual(sub.tasks().map((t) => [...t.y]));
    });
  }

  it('splits as trainTestSplit and kFoldByTask of @hetmtl/data where those split', () => {
    const big = fromTaskArrays(
      [9, 14, 6].map((n, r) => ({
        name: `b${r}`,
        X: Float64Array.from({ length: n }, (_, i) => i),
        y: Float64Array.from({ length: n }, (_, i) => i + r),
      })),
    );
    const tt = trainTestSplit(big, { test: 0.2, seed: 11 });
    const mine = holdOutSplit(big, 0.2, 11);
    expect(rows(mine.validation)).toEqual(rows(tt.indices.test));
    expect(rows(mine.train)).toEqual(rows(tt.indices.train));
    kFoldByTask(big, { k: 4, seed: 11 }).forEach((f, i) => {
      const m = kFoldSplits(big, 4, 11)[i];
      expect(rows(m?.validation ?? [])).toEqual(rows(f.indices.validation));
      expect(rows(m?.train ?? [])).toEqual(rows(f.indices.train));
    });
  });

  it('keeps a training row in every task; refuses a dataset with no row to spare', () => {
    const h = holdOutSplit(ds, 0.5, 3);
    for (const t of h.train) expect(t.length).toBeGreaterThan(0);
    const solo = fromTaskArrays({ a: { X: [[1]], y: [1] }, b: { X: [[2]], y: [2] } });
    expect(() => holdOutDatasets(solo, 0.2, 1)).toThrow(ValidationError);
    expect(() => holdOutDatasets(solo, 0.2, 1)).toThrow(/No rows for the test part/);
    expect(() => trainTestSplit(solo, { test: 0.2, seed: 1 })).toThrow(/No rows for the test part/);
  });
});
