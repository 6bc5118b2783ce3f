import { fromTaskArrays, Standardizer } from '@hetmtl/data';
import { describe, expect, it } from 'vitest';
import {
  checkDataset,
  checkSameShape,
  combineDatasets,
  standardizeTasks,
  toRowMajor,
} from './estimator-input.js';
import { meanTaskRmse, metrics } from './metrics.js';
import { foldsFromSplits } from './validation-scheme.js';

const ds = (shift = 0) =>
  fromTaskArrays({
    a: {
      X: [
        [1, 2],
        [3, 4],
        [5, 7],
      ],
      y: [1 + shift, 2, 4],
    },
    b: {
      X: [
        [0, 1],
        [2, 2],
      ],
      y: [3, 5 + shift],
    },
  });

describe('metrics', () => {
  it('RMSE, MAE and R² by hand', () => {
    // y = [1, 2, 3], ŷ = [1, 3, 5]: errors 0, −1, −2; SSE 5, SAE 3, SST 2.
    expect(metrics([1, 2, 3], [1, 3, 5])).toEqual({
      n: 3,
      rmse: Math.sqrt(5 / 3),
      mae: 1,
      r2: 1 - 5 / 2,
    });
    expect(metrics([2], [1]).r2).toBeNaN();
  });

  it('mean task RMSE, plain or weighted by size, skipping empty tasks', () => {
    const ys = [[0, 0], [0, 0, 0, 0], []];
    const ps = [[1, 1], [2, 2, 2, 2], []];
    expect(meanTaskRmse(ys, ps)).toBe(1.5);
    expect(meanTaskRmse(ys, ps, true)).toBeCloseTo((2 * 1 + 4 * 2) / 6, 12);
  });
});

describe('estimator input helpers', () => {
  it('a validation part without some tasks: aligned with the training tasks, empty where absent', () => {
    const train = ds();
    const onlyB = fromTaskArrays({ b: { X: [[4, 4]], y: [9] } });
    const st = new Standardizer().fit(train);
    const v = standardizeTasks(onlyB, st, train.taskNames);
    expect(v.X.map((x) => x.length)).toEqual([0, 2]);
    expect(v.y.map((y) => y.length)).toEqual([0, 1]);
    expect(Array.from(v.y[1])).toEqual(Array.from(st.transformY(Float64Array.of(9), 'b')));
    // A task the training rows do not have is refused.
    const other = fromTaskArrays({ c: { X: [[4, 4]], y: [9] } });
    expect(() => standardizeTasks(other, st, train.taskNames)).toThrow(
      /A task the training rows do not have \(at task "c"\)/,
    );
    // Combining keeps a's tasks whole, adds b's rows where b has the task.
    const c = combineDatasets(train, onlyB);
    expect(c.taskNames).toEqual(['a', 'b']);
    expect(c.sizes).toEqual([3, 3]);
    expect(Array.from(c.task('b').y)).toEqual([3, 5, 9]);
    expect(() => combineDatasets(train, other)).toThrow(/different tasks/);
  });

  it('combineDatasets puts each task of b after the same task of a', () => {
    const c = combineDatasets(ds(), ds(10));
    expect(c.sizes).toEqual([6, 4]);
    expect(Array.from(c.task('a').y)).toEqual([1, 2, 4, 11, 2, 4]);
    expect(Array.from(c.task('b').X)).toEqual([0, 1, 2, 2, 0, 1, 2, 2]);
  });

  it('checkDataset and checkSameShape say what is wrong and how to fix it', () => {
    expect(() => checkDataset({ rows: [] }, 'dataset')).toThrow(
      /^Invalid dataset: expected a MultiTaskDataset from @hetmtl\/data, received an object \(Object\)\. Build one with/,
    );
    const other = fromTaskArrays({
      b: {
        X: [
          [0, 1],
          [2, 2],
        ],
        y: [3, 5],
      },
      a: {
        X: [
          [1, 2],
          [3, 4],
        ],
        y: [1, 2],
      },
    });
    expect(() => checkSameShape(ds(), other)).toThrow(
      /different tasks: expected the training tasks in the same order \(a, b\), received b, a\. Split one dataset/,
    );
    const wide = fromTaskArrays({
      a: {
        X: [
          [1, 2, 3],
          [1, 2, 4],
        ],
        y: [1, 2],
      },
      b: {
        X: [
          [1, 2, 3],
          [0, 0, 0],
        ],
        y: [1, 3],
      },
    });
    expect(() => checkSameShape(ds(), wide)).toThrow(
      /different number of features: expected 2, received 3/,
    );
  });

  it('standardiseTasks applies the standardizer task by task', () => {
    const d = ds();
    const st = new Standardizer().fit(d);
    const t = standardizeTasks(d, st);
    expect(t.p).toBe(2);
    expect(Array.from(t.X[1]!)).toEqual(Array.from(st.transformX(d.task('b').X)));
    expect(Array.from(t.y[0]!)).toEqual(Array.from(st.transformY(d.task('a').y)));
  });

  it('toRowMajor reads rows or typed arrays and refuses wrong widths and non-finite values', () => {
    expect(
      Array.from(
        toRowMajor(
          [
            [1, 2],
            [3, 4],
          ],
          2,
          't',
        ),
      ),
    ).toEqual([1, 2, 3, 4]);
    expect(Array.from(toRowMajor(new Float32Array([1, 2]), 2, 't'))).toEqual([1, 2]);
    expect(() => toRowMajor([[1, 2], [3]], 2, 't')).toThrow(
      /^Wrong number of features \(at task "t", row 1\): expected 2 values, received 1$/,
    );
    expect(() => toRowMajor(new Float64Array(3), 2, 't')).toThrow(/multiple of 2/);
    expect(() => toRowMajor([[1, Number.POSITIVE_INFINITY]], 2, 't')).toThrow(
      /Non-finite value in X \(at task "t", row 0, column 1\).*Impute or drop/,
    );
    expect(() => toRowMajor('1,2' as never, 2, 't')).toThrow(/Invalid X/);
  });
});

describe('row weights and offsets around the skeleton', () => {
  const a = fromTaskArrays({
    r: { X: [[1], [2]], y: [1, 0] },
    s: { X: [[3]], y: [1] },
  });
  it('combineDatasets keeps them with their rows (1 / 0 where a side has none)', () => {
    const b = fromTaskArrays({ r: { X: [[5]], y: [0] } });
    const aw = a.withWeights([[2, 3], [4]]).withOffsets([[0.1, 0.2], [0.3]]);
    const both = combineDatasets(aw, b);
    expect(Array.from(both.task('r').weight ?? [])).toEqual([2, 3, 1]);
    expect(Array.from(both.task('r').offset ?? [])).toEqual([0.1, 0.2, 0]);
    expect(Array.from(both.task('s').weight ?? [])).toEqual([4]);
    const bw = combineDatasets(a, b.withWeights([[7]]));
    expect(Array.from(bw.task('r').weight ?? [])).toEqual([1, 1, 7]);
    expect(bw.offsets).toBeNull();
    expect(combineDatasets(a, b).weights).toBeNull();
  });
  it('standardizeTasks and foldsFromSplits carry them (aligned with the training tasks)', () => {
    const aw = a.withWeights([[2, 3], [4]]).withOffsets([[0.1, 0.2], [0.3]]);
    const st = new Standardizer({ target: 'none' }).fit(aw);
    const s = standardizeTasks(aw, st);
    expect(s.weights?.map((w) => Array.from(w))).toEqual([[2, 3], [4]]);
    expect(Array.from(s.y[0])).toEqual([1, 0]);
    const only = standardizeTasks(aw.selectTasks(['s']), st, ['r', 's']);
    expect(only.weights?.map((w) => w.length)).toEqual([0, 1]);
    const [fold] = foldsFromSplits(aw, [
      {
        train: [Int32Array.of(0), Int32Array.of(0)],
        validation: [Int32Array.of(1), new Int32Array(0)],
      },
    ]);
    const v = fold.validation?.(st);
    expect(v?.weights?.map((w) => Array.from(w))).toEqual([[3], []]);
    expect(v?.offsets?.map((w) => Array.from(w))).toEqual([[0.2], []]);
    expect(Array.from(fold.train.task('r').weight ?? [])).toEqual([2]);
  });
});
