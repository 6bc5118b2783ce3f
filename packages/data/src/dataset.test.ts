import { matrix, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { MultiTaskDataset } from './dataset.js';
import { fromTaskArrays } from './task-arrays.js';

function small() {
  return fromTaskArrays(
    {
      north: {
        X: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        y: [1, 2, 3],
      },
      south: { X: [[7, 8]], y: [9] },
      west: {
        X: [
          [0, 1],
          [1, 0],
        ],
        y: [5, 6],
      },
    },
    { featureNames: ['age', 'dose'] },
  );
}

describe('fromTaskArrays', () => {
  it('builds ragged tasks over one feature space', () => {
    const ds = small();
    expect(ds.taskNames).toEqual(['north', 'south', 'west']);
    expect(ds.featureNames).toEqual(['age', 'dose']);
    expect([ds.numTasks, ds.numFeatures, ds.totalRows]).toEqual([3, 2, 6]);
    expect(ds.sizes).toEqual([3, 1, 2]);
    expect(ds.dtype).toBe('float64');
    const t = ds.task('north');
    expect(t).toMatchObject({ name: 'north', index: 0, n: 3, p: 2 });
    expect(t.X).toBeInstanceOf(Float64Array);
    expect(Array.from(t.X)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(t.y)).toEqual([1, 2, 3]);
    expect(ds.task(2).name).toBe('west');
    expect([...ds].map((x) => x.n)).toEqual([3, 1, 2]);
    expect(String(ds)).toBe('MultiTaskDataset(3 tasks, 6 rows, 2 features, float64)');
  });

  it('uses typed arrays of the storage type as they are (no copy), and copies on request', () => {
    const X = new Float64Array([1, 2, 3, 4]);
    const y = new Float64Array([1, 2]);
    const ds = fromTaskArrays({ a: { X, y } });
    expect(ds.task('a').X).toBe(X);
    expect(ds.task('a').y).toBe(y);
    expect(ds.numFeatures).toBe(2);
    const copied = fromTaskArrays({ a: { X, y } }, { copy: true });
    expect(copied.task('a').X).not.toBe(X);
    expect(Array.from(copied.task('a').X)).toEqual([1, 2, 3, 4]);
  });

  it('keeps Float32 input as float32, and converts on request', () => {
    const X = new Float32Array([0.1, 0.2, 0.3, 0.4]);
    const ds = fromTaskArrays({ a: { X, y: [1, 2] } });
    expect(ds.dtype).toBe('float32');
    expect(ds.task('a').X).toBe(X);
    const d64 = fromTaskArrays({ a: { X, y: [1, 2] } }, { dtype: 'float64' });
    expect(d64.task('a').X).toBeInstanceOf(Float64Array);
    expect(Array.from(d64.task('a').X)).toEqual(Array.from(X));
    const d32 = fromTaskArrays({ a: { X: [[0.1, 0.2]], y: [1] } }, { dtype: 'float32' });
    expect(Array.from(d32.task('a').X)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(() => fromTaskArrays({ a: { X: [[1e39]], y: [1] } }, { dtype: 'float32' })).toThrow(
      'Value too large for float32 (at task "a", row 1, column "x1"): expected a magnitude below 3.4e38 (dtype: "float32"), received 1e+39. Use dtype: "float64", or rescale the feature',
    );
  });

  it('accepts a Map or a list (order as given) and tensor matrices', () => {
    const m = matrix(2, 1, new Float64Array([1, 2]));
    const fromMap = fromTaskArrays(
      new Map([
        ['2', { X: m, y: [1, 2] }],
        ['1', { X: [[3]], y: [3] }],
      ]),
    );
    expect(fromMap.taskNames).toEqual(['2', '1']);
    const fromList = fromTaskArrays([
      { name: 'b', X: [[1]], y: [1] },
      { name: 'a', X: [[2]], y: [2] },
    ]);
    expect(fromList.taskNames).toEqual(['b', 'a']);
    expect(() =>
      fromTaskArrays([
        { name: 'a', X: [[1]], y: [1] },
        { name: 'a', X: [[2]], y: [2] },
      ]),
    ).toThrow(
      'Duplicated task name (at task "a"): expected each task once, received "a" twice. Merge the two tasks or rename one',
    );
  });

  it('checks shapes', () => {
    expect(() => fromTaskArrays({ a: { X: new Float64Array(5), y: [1, 2] } })).toThrow(
      'X has the wrong length (at task "a"): expected n×p entries with n = 2 (the length of y), received 5 entries, not a multiple of 2. Pass X row-major with one row per entry of y, or pass the featureNames option to fix p',
    );
    expect(() => fromTaskArrays({ a: { X: [[1, 2], [3]], y: [1, 2] } })).toThrow(
      'Ragged feature rows (at task "a", row 2): expected 2 values per row, received 1 values. Give every row the same number of features',
    );
    expect(() => fromTaskArrays({ a: { X: [[1]], y: [1, 2] } })).toThrow(
      'X and y disagree on the number of rows (at task "a"): expected 2 rows (the length of y), received 1 rows',
    );
    expect(() =>
      fromTaskArrays({ a: { X: [[1, 2]], y: [1] }, b: { X: matrix(1, 3), y: [1] } }),
    ).toThrow(
      'Tasks with different numbers of features (at task "b"): expected 2 features, like the first task, received 3 features. Give every task the same features, in the same order',
    );
    expect(() => fromTaskArrays({ a: { X: [[1, 2]], y: [1] } }, { featureNames: ['a'] })).toThrow(
      ValidationError,
    );
    expect(() => fromTaskArrays({})).toThrow(
      'No tasks: expected at least one task, received an empty collection. Pass { taskName: { X, y } }',
    );
    expect(() => fromTaskArrays({ a: { X: [[1, '2' as unknown as number]], y: [1] } })).toThrow(
      'Non-numeric value (at task "a", row 1, column "x2"): expected a number, received "2". Convert the value to a number; categorical data goes through fromLongTable (text columns are categorical, or list them in the categorical option)',
    );
  });

  it('gives every dataset an encoding for rows at predict time', () => {
    const ds = small();
    const enc = ds.encoding.encodeRows([{ task: 'west', age: 4, dose: 5 }]);
    expect(Array.from(enc.X)).toEqual([4, 5]);
    expect(enc.taskNames).toEqual(['west']);
    expect(Array.from(enc.taskIndex)).toEqual([2]);
    expect(enc.y).toBeNull();
  });
});

describe('MultiTaskDataset', () => {
  it('is immutable', () => {
    const ds = small();
    expect(Object.isFrozen(ds)).toBe(true);
    expect(Object.isFrozen(ds.task(0))).toBe(true);
    expect(Object.isFrozen(ds.taskNames)).toBe(true);
    expect(() => {
      (ds as unknown as { numTasks: number }).numTasks = 9;
    }).toThrow(TypeError);
    expect(() => {
      (ds.task(0) as unknown as { n: number }).n = 9;
    }).toThrow(TypeError);
    expect(() => (ds.taskNames as string[]).push('x')).toThrow(TypeError);
  });

  it('cannot be built with new', () => {
    const Ctor = MultiTaskDataset as unknown as new (...a: unknown[]) => unknown;
    expect(() => new Ctor(Symbol('x'), {})).toThrow(
      'MultiTaskDataset cannot be built with new. Use fromTaskArrays, fromLongTable, readCsv, parseCsv, fromJson or fromArrow',
    );
  });

  it('looks tasks up by name or index, with clear errors', () => {
    const ds = small();
    expect(ds.hasTask('south')).toBe(true);
    expect(ds.hasTask('east')).toBe(false);
    expect(ds.taskIndex('west')).toBe(2);
    expect(() => ds.task(3)).toThrow(
      'Task index out of range: expected an integer from 0 to 2, received 3. Use a task index below numTasks, or a task name',
    );
  });

  it('subset copies the chosen rows of each task (oracle: the rows picked by hand)', () => {
    const ds = small();
    const sub = ds.subset([[2, 0], [], [1, 1]]);
    expect(sub.taskNames).toEqual(['north', 'west']);
    expect(Array.from(sub.task('north').X)).toEqual([5, 6, 1, 2]);
    expect(Array.from(sub.task('north').y)).toEqual([3, 1]);
    expect(Array.from(sub.task('west').X)).toEqual([1, 0, 1, 0]);
    expect(sub.encoding).toBe(ds.encoding);
    const byName = ds.subset({ south: [0] });
    expect(byName.taskNames).toEqual(['south']);
    expect(() => ds.subset([[0], [1], []])).toThrow(
      'Row index out of range (at task "south"): expected integers from 0 to 0 (0-based rows within the task), received 1',
    );
    expect(() => ds.subset([[], [], []])).toThrow(
      'Empty subset: expected at least one row of one task, received no rows. Pass row indices for at least one task',
    );
    expect(() => ds.subset([[0]])).toThrow(ValidationError);
  });

  it('selectTasks reorders without copying', () => {
    const ds = small();
    const sel = ds.selectTasks(['west', 'north']);
    expect(sel.taskNames).toEqual(['west', 'north']);
    expect(sel.task('north').X).toBe(ds.task('north').X);
    expect(sel.task('north').index).toBe(1);
    expect(() => ds.selectTasks(['west', 'west'])).toThrow(ValidationError);
  });

  it('pooled stacks the tasks in order', () => {
    const p = small().pooled();
    expect(p.n).toBe(6);
    expect(Array.from(p.X)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 1, 0]);
    expect(Array.from(p.y)).toEqual([1, 2, 3, 9, 5, 6]);
    expect(Array.from(p.taskIndex)).toEqual([0, 0, 0, 1, 2, 2]);
  });

  it('asType converts storage', () => {
    const ds = fromTaskArrays({ a: { X: [[0.1], [1e300]], y: [1, 2] } });
    expect(ds.asType('float64')).toBe(ds);
    expect(() => ds.asType('float32')).toThrow(
      'Value too large for float32 (at task "a", row 2, column "x1"): expected a magnitude below 3.4e38, received 1e+300. Keep dtype "float64", or rescale the feature',
    );
    const ok = fromTaskArrays({ a: { X: [[0.1], [2]], y: [1, 2] } }).asType('float32');
    expect(ok.dtype).toBe('float32');
    expect(Array.from(ok.task('a').X)).toEqual([Math.fround(0.1), 2]);
  });
});

describe('row weights and offsets', () => {
  const ds = fromTaskArrays({
    a: { X: [[1], [2], [3]], y: [1, 2, 3] },
    b: { X: [[4], [5]], y: [4, 5] },
  });
  it('travel with their rows through subset, selectTasks, withTarget and asType', () => {
    const w = ds.withWeights({ a: [1, 2, 3], b: [0.5, 0] }).withOffsets([
      [0.1, 0.2, 0.3],
      [0.4, 0.5],
    ]);
    expect(ds.weights).toBeNull();
    const sub = w.subset([[2, 0], [1]]);
    expect(Array.from(sub.task('a').weight ?? [])).toEqual([3, 1]);
    expect(Array.from(sub.task('a').offset ?? [])).toEqual([0.3, 0.1]);
    expect(Array.from(sub.task('b').weight ?? [])).toEqual([0]);
    const sel = w.selectTasks(['b']);
    expect(Array.from(sel.weights?.[0] ?? [])).toEqual([0.5, 0]);
    expect(
      Array.from(
        w
          .withTarget([
            [0, 0, 0],
            [1, 1],
          ])
          .task('a').offset ?? [],
      ),
    ).toEqual([0.1, 0.2, 0.3]);
    expect(w.asType('float32').weights).toEqual(w.weights);
    expect(w.withWeights(null).weights).toBeNull();
    expect(w.withWeights(null).offsets).not.toBeNull();
  });
  it('refuses a negative or non-finite weight, an all-zero task, a NaN offset, naming row and column', () => {
    expect(() =>
      ds.withWeights(
        [
          [1, -1, 1],
          [1, 1],
        ],
        'w',
      ),
    ).toThrow(/negative or not finite.*task "?a"?.*row 2.*column "?w"?/s);
    expect(() =>
      ds.withWeights([
        [1, 1, 1],
        [1, Number.NaN],
      ]),
    ).toThrow(/row 2/);
    expect(() =>
      ds.withWeights([
        [1, 1, 1],
        [0, 0],
      ]),
    ).toThrow(/all zero/);
    expect(() =>
      ds.withOffsets(
        [
          [0, Number.NaN, 0],
          [0, 0],
        ],
        'expected',
      ),
    ).toThrow(/not finite.*row 2.*expected/s);
    expect(() =>
      ds.withWeights([
        [1, 1],
        [1, 1],
      ]),
    ).toThrow(/wrong number of values/);
    expect(() => ds.withWeights({ c: [1] })).toThrow(/task/i);
  });
});
