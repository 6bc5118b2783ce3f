import { describe, expect, it } from 'vitest';
import type { MultiTaskDataset } from './dataset.js';
import { kFoldByTask, repeatedSplits, trainTestSplit, trainValidationTestSplit } from './splits.js';
import { fromTaskArrays } from './task-arrays.js';

/** A dataset whose y is the row's own index, so a split's rows can be traced back. */
function traced(sizes: readonly number[]): MultiTaskDataset {
  return fromTaskArrays(
    new Map(
      sizes.map((n, r) => [
        `t${r}`,
        {
          X: Float64Array.from({ length: n }, (_, i) => r * 1000 + i),
          y: Float64Array.from({ length: n }, (_, i) => i),
        },
      ]),
    ),
  );
}

function rowsOf(ds: MultiTaskDataset, task: string): number[] {
  return ds.hasTask(task) ? Array.from(ds.task(task).y) : [];
}

const sizes = [3, 10, 37, 100, 4];

describe('trainValidationTestSplit', () => {
  const ds = traced(sizes);
  const s = trainValidationTestSplit(ds, { validation: 0.2, test: 0.2, seed: 42 });

  it('keeps every task in every part, partitions its rows, and sizes parts by rounding', () => {
    ds.taskNames.forEach((name, r) => {
      const n = sizes[r];
      const tr = rowsOf(s.train, name);
      const va = rowsOf(s.validation, name);
      const te = rowsOf(s.test, name);
      expect(tr.length).toBeGreaterThanOrEqual(1);
      expect(va.length).toBeGreaterThanOrEqual(1);
      expect(te.length).toBeGreaterThanOrEqual(1);
      expect([...tr, ...va, ...te].sort((a, b) => a - b)).toEqual(
        Array.from({ length: n }, (_, i) => i),
      );
      if (n >= 10) {
        expect(va.length).toBe(Math.round(n * 0.2));
        expect(te.length).toBe(Math.round(n * 0.2));
      }
      // Rows in each part keep the data order; X travels with y.
      expect(tr).toEqual([...tr].sort((a, b) => a - b));
      expect(Array.from(s.test.task(name).X)).toEqual(te.map((i) => r * 1000 + i));
      expect(Array.from(s.indices.test[r] as Int32Array)).toEqual(te);
    });
    expect(s.train.sizes).toEqual([1, 6, 23, 60, 2]);
  });

  it('is reproducible by seed and changes with it', () => {
    const again = trainValidationTestSplit(ds, { validation: 0.2, test: 0.2, seed: 42 });
    const other = trainValidationTestSplit(ds, { validation: 0.2, test: 0.2, seed: 43 });
    expect(again.indices.test.map((a) => Array.from(a))).toEqual(
      s.indices.test.map((a) => Array.from(a)),
    );
    expect(other.indices.test.map((a) => Array.from(a))).not.toEqual(
      s.indices.test.map((a) => Array.from(a)),
    );
  });

  it('draws test rows uniformly (each row equally often over many seeds)', () => {
    const one = traced([10]);
    const counts = new Array(10).fill(0);
    for (let seed = 0; seed < 4000; seed++)
      for (const i of trainTestSplit(one, { test: 0.3, seed }).indices.test[0] as Int32Array)
        counts[i]++;
    // Each row is in the test part with probability 0.3: 1200 of 4000, sd ≈ 29.
    for (const c of counts) expect(Math.abs(c - 1200)).toBeLessThan(130);
  });

  it('checks fractions', () => {
    expect(() => trainValidationTestSplit(ds, { validation: 0.5, test: 0.5 })).toThrow(
      'Validation and test fractions leave no training rows (at column "validation"): expected validation + test < 1, received 0.5 + 0.5 = 1. Lower the validation or test fraction',
    );
    expect(() => trainTestSplit(ds, { test: 0 })).toThrow(
      'Invalid test fraction (at column "test"): expected a number strictly between 0 and 1, received 0. Pass for example test: 0.2',
    );
  });
});

describe('kFoldByTask', () => {
  const ds = traced([5, 12, 7]);
  const folds = kFoldByTask(ds, { k: 5, seed: 1 });

  it('validates every row exactly once, on balanced folds that hold every task', () => {
    expect(folds).toHaveLength(5);
    ds.taskNames.forEach((name, r) => {
      const n = ds.sizes[r];
      const seen: number[] = [];
      const fsizes: number[] = [];
      for (const f of folds) {
        const va = rowsOf(f.validation, name);
        const tr = rowsOf(f.train, name);
        expect(va.length).toBeGreaterThanOrEqual(1);
        expect([...tr, ...va].sort((a, b) => a - b)).toEqual(
          Array.from({ length: n }, (_, i) => i),
        );
        seen.push(...va);
        fsizes.push(va.length);
      }
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(Math.max(...fsizes) - Math.min(...fsizes)).toBeLessThanOrEqual(1);
    });
  });

  it('is reproducible by seed', () => {
    const again = kFoldByTask(ds, { k: 5, seed: 1 });
    expect(again.map((f) => f.indices.validation.map((a) => Array.from(a)))).toEqual(
      folds.map((f) => f.indices.validation.map((a) => Array.from(a))),
    );
    expect(() => kFoldByTask(ds, { k: 1 })).toThrow(
      'Invalid k (at column "k"): expected an integer ≥ 2, received 1',
    );
  });
});

describe('repeatedSplits', () => {
  const ds = traced([20, 8]);

  it('gives independent stratified splits; more repeats keep the earlier ones', () => {
    const ten = repeatedSplits(ds, { repeats: 10, test: 0.25, seed: 9 });
    const three = repeatedSplits(ds, { repeats: 3, test: 0.25, seed: 9 });
    expect(ten).toHaveLength(10);
    expect(ten.map((s) => s.repeat)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    three.forEach((s, i) => {
      expect(s.indices.test.map((a) => Array.from(a))).toEqual(
        ten[i].indices.test.map((a) => Array.from(a)),
      );
    });
    const distinct = new Set(
      ten.map((s) => JSON.stringify(s.indices.test.map((a) => Array.from(a)))),
    );
    expect(distinct.size).toBe(10);
    for (const s of ten) expect(s.test.sizes).toEqual([5, 2]);
  });
});

describe('tiny tasks (1, 2, 3, 5 rows): at least one training row each, nothing dropped, listed', () => {
  const tiny = [1, 2, 3, 5, 12];
  const ds = traced(tiny);
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  const sortN = (a: number[]) => [...a].sort((x, y) => x - y);

  it('trainTestSplit over many seeds and fractions', () => {
    for (const test of [0.1, 0.25, 0.5, 0.9]) {
      for (let seed = 0; seed < 40; seed++) {
        const s = trainTestSplit(ds, { test, seed });
        const without: string[] = [];
        ds.taskNames.forEach((name, r) => {
          const n = tiny[r];
          const tr = rowsOf(s.train, name);
          const te = rowsOf(s.test, name);
          expect(tr.length).toBeGreaterThanOrEqual(1);
          expect(sortN([...tr, ...te])).toEqual(all(n));
          // The rule: round(n·test) clamped to [1, n − 1]; a 1-row task gives none.
          expect(te.length).toBe(n === 1 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * test))));
          if (te.length === 0) without.push(name);
        });
        expect(s.tasksWithoutTest).toEqual(without);
        expect(s.tasksWithoutTest).toEqual(['t0']);
        // Same seed, same split.
        const again = trainTestSplit(ds, { test, seed });
        expect(again.indices).toEqual(s.indices);
      }
    }
  });

  it('trainValidationTestSplit: train ≥ 1, then test, then validation', () => {
    for (let seed = 0; seed < 40; seed++) {
      const s = trainValidationTestSplit(ds, { validation: 0.2, test: 0.2, seed });
      ds.taskNames.forEach((name, r) => {
        const n = tiny[r];
        const tr = rowsOf(s.train, name);
        const va = rowsOf(s.validation, name);
        const te = rowsOf(s.test, name);
        expect(tr.length).toBeGreaterThanOrEqual(1);
        expect(sortN([...tr, ...va, ...te])).toEqual(all(n));
        // Hand-computed sizes (train, validation, test): 1 → (1,0,0), 2 → (1,0,1), 3 → (1,1,1), 5 → (3,1,1), 12 → (8,2,2).
        const want = { 1: [1, 0, 0], 2: [1, 0, 1], 3: [1, 1, 1], 5: [3, 1, 1], 12: [8, 2, 2] }[
          n as 1 | 2 | 3 | 5 | 12
        ];
        expect([tr.length, va.length, te.length]).toEqual(want);
      });
      expect(s.tasksWithoutValidation).toEqual(['t0', 't1']);
      expect(s.tasksWithoutTest).toEqual(['t0']);
    }
  });

  it('kFoldByTask: every row validated at most once, every task trains in every fold', () => {
    for (const k of [2, 3, 5]) {
      for (let seed = 0; seed < 25; seed++) {
        const folds = kFoldByTask(ds, { k, seed });
        expect(folds).toHaveLength(k);
        ds.taskNames.forEach((name, r) => {
          const n = tiny[r];
          const validated: number[] = [];
          let foldsWith = 0;
          for (const f of folds) {
            const tr = rowsOf(f.train, name);
            const va = rowsOf(f.validation, name);
            expect(tr.length).toBeGreaterThanOrEqual(1);
            expect(sortN([...tr, ...va])).toEqual(all(n));
            validated.push(...va);
            if (va.length > 0) foldsWith++;
            expect(f.tasksWithoutValidation.includes(name)).toBe(va.length === 0);
          }
          // A 1-row task is never validated; otherwise each row exactly once, in min(n, k) folds.
          expect(sortN(validated)).toEqual(n === 1 ? [] : all(n));
          expect(foldsWith).toBe(n === 1 ? 0 : Math.min(n, k));
        });
        expect(kFoldByTask(ds, { k, seed }).map((f) => f.indices)).toEqual(
          folds.map((f) => f.indices),
        );
      }
    }
  });

  it('repeatedSplits lists the tasks without a test row in every repeat', () => {
    for (const s of repeatedSplits(ds, { repeats: 5, seed: 3 }))
      expect(s.tasksWithoutTest).toEqual(['t0']);
  });

  it('a 1-row and a 2-row task read from a CSV go through trainTestSplit and K-fold', async () => {
    const { parseCsv } = await import('./csv.js');
    const csv = await parseCsv(
      'task,x,y\none,1,1\ntwo,1,1\ntwo,2,3\nbig,1,1\nbig,2,2\nbig,3,4\nbig,4,4\n',
      { task: 'task', target: 'y' },
    );
    expect(csv.report?.tinyTasks).toEqual([
      { task: 'one', rows: 1 },
      { task: 'two', rows: 2 },
    ]);
    const s = trainTestSplit(csv, { seed: 1 });
    expect(s.train.sizes).toEqual([1, 1, 3]);
    expect(s.test.taskNames).toEqual(['two', 'big']);
    expect(s.tasksWithoutTest).toEqual(['one']);
    const folds = kFoldByTask(csv, { k: 3, seed: 1 });
    expect(folds.map((f) => f.tasksWithoutValidation.includes('two')).filter(Boolean)).toHaveLength(
      1,
    );
  });
});
