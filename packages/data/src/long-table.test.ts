import { SerializationError, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { Encoding } from './encoding.js';
import { fromLongTable } from './long-table.js';

const rows = [
  { clinic: 'A', age: 30, sex: 'f', region: 'north', y: 1.5 },
  { clinic: 'B', age: 40, sex: 'm', region: 'south', y: 2.5 },
  { clinic: 'A', age: 50, sex: 'm', region: 'east', y: 3.5 },
  { clinic: 'A', age: 60, sex: 'f', region: 'north', y: 4.5 },
  { clinic: 'B', age: 70, sex: 'f', region: 'east', y: 0.5 },
];
const opts = { task: 'clinic', target: 'y', categorical: ['sex', 'region'] } as const;

describe('fromLongTable', () => {
  it('groups rows by task in order of first appearance, one-hot encoding categories', () => {
    const ds = fromLongTable(rows, opts);
    expect(ds.taskNames).toEqual(['A', 'B']);
    expect(ds.sizes).toEqual([3, 2]);
    // Levels in natural order; features in column order, each categorical expanded in place.
    expect(ds.featureNames).toEqual([
      'age',
      'sex=f',
      'sex=m',
      'region=east',
      'region=north',
      'region=south',
    ]);
    expect(Array.from(ds.task('A').X)).toEqual([
      30, 1, 0, 0, 1, 0, 50, 0, 1, 1, 0, 0, 60, 1, 0, 0, 1, 0,
    ]);
    expect(Array.from(ds.task('A').y)).toEqual([1.5, 3.5, 4.5]);
    expect(Array.from(ds.task('B').X)).toEqual([40, 0, 1, 0, 0, 1, 70, 1, 0, 1, 0, 0]);
    const region = ds.encoding.columns[2];
    expect(region).toEqual({
      name: 'region',
      kind: 'categorical',
      levels: ['east', 'north', 'south'],
      fill: null,
    });
    expect(ds.report).toMatchObject({
      source: 'records',
      rowsRead: 5,
      rowsKept: 5,
      rowsDropped: 0,
    });
  });

  it('reads an object of columns the same as records', () => {
    const cols = {
      clinic: rows.map((r) => r.clinic),
      age: Float64Array.from(rows.map((r) => r.age)),
      sex: rows.map((r) => r.sex),
      region: rows.map((r) => r.region),
      y: rows.map((r) => r.y),
    };
    const a = fromLongTable(rows, opts);
    const b = fromLongTable(cols, opts);
    expect(b.featureNames).toEqual(a.featureNames);
    for (const t of a) expect(Array.from(b.task(t.name).X)).toEqual(Array.from(t.X));
    expect(() => fromLongTable({ clinic: ['A'], y: [1, 2] }, opts)).toThrow(
      'Columns of unequal length (at column "y"): expected 1 cells, like column "clinic", received 2 cells. Give every column one cell per row',
    );
  });

  it('selects features: all others by default, exclude, or an explicit ordered list', () => {
    const base = [
      { id: 1, t: 'a', x1: 1, x2: 2, y: 3 },
      { id: 2, t: 'a', x1: 4, x2: 5, y: 6 },
    ];
    // "id" is ID-like by its name: left out of the default features, and reported.
    const byDefault = fromLongTable(base, { task: 't', target: 'y' });
    expect(byDefault.featureNames).toEqual(['x1', 'x2']);
    expect(byDefault.report?.idColumns).toEqual([{ column: 'id', reason: 'name', distinct: null }]);
    expect(
      fromLongTable(base, { task: 't', target: 'y', features: ['id', 'x1', 'x2'] }).featureNames,
    ).toEqual(['id', 'x1', 'x2']);
    expect(fromLongTable(base, { task: 't', target: 'y', exclude: ['id'] }).featureNames).toEqual([
      'x1',
      'x2',
    ]);
    const ds = fromLongTable(base, { task: 't', target: 'y', features: ['x2', 'x1'] });
    expect(Array.from(ds.task('a').X)).toEqual([2, 1, 5, 4]);
    expect(() => fromLongTable(base, { task: 't', target: 'y', features: ['x1', 'y'] })).toThrow(
      'Feature is the task or target column (at column "y"): expected features other than the task and target columns, received "y". Remove it from the features option',
    );
    expect(() => fromLongTable(base, { task: 't', target: 'y', categorical: ['x3'] })).toThrow(
      ValidationError,
    );
    expect(() => fromLongTable(base, { task: 't', target: 't' })).toThrow(
      'Task and target are the same column (at column "t"): expected two different columns, received "t" for both. Pass the task column as the task option and the response column as the target option',
    );
    expect(() => fromLongTable(base, { target: 'y' } as never)).toThrow(
      'Missing task option (at column "task"): expected the name of the column that names each row\'s task, received undefined. Pass task: "<column name>"; the columns are "id", "t", "x1", "x2", "y"',
    );
  });

  it('accepts numeric strings, booleans, bigints and numeric task labels', () => {
    const ds = fromLongTable(
      [
        { s: 7, a: ' 1.5 ', b: true, c: 3n, y: '2' },
        { s: 7, a: '-2e1', b: false, c: 4n, y: 1 },
      ],
      { task: 's', target: 'y' },
    );
    expect(ds.taskNames).toEqual(['7']);
    expect(Array.from(ds.task('7').X)).toEqual([1.5, 1, 3, -20, 0, 4]);
    expect(Array.from(ds.task('7').y)).toEqual([2, 1]);
  });

  it('fixes the task list and order with the tasks option', () => {
    const ds = fromLongTable(rows, { ...opts, tasks: ['B', 'A'] });
    expect(ds.taskNames).toEqual(['B', 'A']);
    expect(() => fromLongTable(rows, { ...opts, tasks: ['A'] })).toThrow(
      'Task not in the tasks option (at task "B", row 2, column "clinic"): expected one of the listed tasks "A", received "B". Add the task to the tasks option, or remove its rows',
    );
  });

  it('refuses a row without a task', () => {
    expect(() =>
      fromLongTable(
        [
          { t: 'a', x: 1, y: 1 },
          { t: null, x: 1, y: 2 },
        ],
        { task: 't', target: 'y' },
      ),
    ).toThrow(
      'Missing task name (at row 2, column "t"): expected the name of the task this row belongs to, received null. Fill in the task of every row, or remove the rows without one',
    );
  });

  it('stores float32 on request', () => {
    const ds = fromLongTable(rows, { ...opts, dtype: 'float32' });
    expect(ds.task('A').X).toBeInstanceOf(Float32Array);
    expect(ds.task('A').y).toBeInstanceOf(Float64Array);
    expect(() =>
      fromLongTable([{ t: 'a', x: 1e39, y: 1 }], { task: 't', target: 'y', dtype: 'float32' }),
    ).toThrow(
      'Value too large for float32 (at task "a", row 1, column "x"): expected a magnitude below 3.4e38 (dtype: "float32"), received 1e+39. Use dtype: "float64", or rescale the feature',
    );
  });
});

describe('missing values', () => {
  const withGaps = [
    { t: 'a', x: 1, c: 'u', y: 1 },
    { t: 'a', x: null, c: 'v', y: 2 },
    { t: 'a', x: 5, c: '', y: 3 },
    { t: 'b', x: 'NA', c: null, y: 4 },
    { t: 'b', x: 8, c: 'u', y: 5 },
    { t: 'b', x: 9, c: 'v', y: null },
    { t: 'b', x: 2, c: 'v', y: 7 },
  ];
  const o = { task: 't', target: 'y', categorical: ['c'] } as const;

  it('are an error by default, naming row and column', () => {
    expect(() => fromLongTable(withGaps, o)).toThrow(
      'Missing value (at task "a", row 2, column "x"): expected a number (missing values are an error by default), received null. Fill it in, or pass missing: "drop-rows" (drop such rows) or missing: "mean-impute" (fill with the training mean)',
    );
    expect(() =>
      fromLongTable([{ t: 'a', x: 1, y: undefined }], { task: 't', target: 'y' }),
    ).toThrow(
      'Missing target value (at task "a", row 1, column "y"): expected a number (missing values are an error by default), received no value (the field is absent). Fill it in, or pass missing: "drop-rows" to drop rows without a target',
    );
  });

  it('drop-rows drops them and counts them', () => {
    const ds = fromLongTable(withGaps, { ...o, missing: 'drop-rows' });
    expect(ds.sizes).toEqual([1, 2]);
    expect(Array.from(ds.task('a').y)).toEqual([1]);
    expect(Array.from(ds.task('b').y)).toEqual([5, 7]);
    expect(ds.report).toEqual({
      source: 'records',
      rowsRead: 7,
      rowsKept: 3,
      rowsDropped: 4,
      missing: 'drop-rows',
      droppedByColumn: { x: 2, c: 2, y: 1 },
      droppedByTask: { a: 2, b: 2 },
      imputedByColumn: {},
      unseenByColumn: {},
      categoricalColumns: [{ column: 'c', levels: 2, inferred: false }],
      idColumns: [],
      constantTargetTasks: [],
      tinyTasks: [
        { task: 'a', rows: 1 },
        { task: 'b', rows: 2 },
      ],
    });
  });

  it('mean-impute fills features with the means of the kept rows (oracle computed here), drops rows without a target', () => {
    const ds = fromLongTable(withGaps, { ...o, missing: 'mean-impute' });
    // Kept rows: all but the one with a missing target. Observed x among them: 1, 5, 8, 2.
    const xMean = (1 + 5 + 8 + 2) / 4;
    // Observed c among kept rows: u, v, u, v → frequencies (u, v) = (0.5, 0.5).
    expect(ds.sizes).toEqual([3, 3]);
    expect(Array.from(ds.task('a').X)).toEqual([1, 1, 0, xMean, 0, 1, 5, 0.5, 0.5]);
    expect(Array.from(ds.task('b').X)).toEqual([xMean, 0.5, 0.5, 8, 1, 0, 2, 0, 1]);
    expect(ds.report).toMatchObject({
      rowsKept: 6,
      rowsDropped: 1,
      droppedByColumn: { y: 1 },
      imputedByColumn: { x: 2, c: 2 },
    });
    expect(ds.encoding.columns).toEqual([
      { name: 'x', kind: 'numeric', fill: xMean },
      { name: 'c', kind: 'categorical', levels: ['u', 'v'], fill: [0.5, 0.5] },
    ]);
  });

  it('a numeric missing marker such as -999', () => {
    const ds = fromLongTable(
      [
        { t: 'a', x: -999, y: 1 },
        { t: 'a', x: '4', y: 2 },
        { t: 'a', x: '-999', y: 3 },
      ],
      { task: 't', target: 'y', naValues: ['-999'], missing: 'mean-impute' },
    );
    expect(Array.from(ds.task('a').X)).toEqual([4, 4, 4]);
  });

  it('a column with no values cannot be imputed', () => {
    expect(() =>
      fromLongTable(
        [
          { t: 'a', x: null, z: 1, y: 1 },
          { t: 'a', x: null, z: 2, y: 2 },
        ],
        { task: 't', target: 'y', missing: 'mean-impute' },
      ),
    ).toThrow(
      'No values to compute a fill value (at column "x"): expected at least one non-missing value in the column to compute its training mean, received only missing values in 2 kept rows. Remove the column (exclude: ["x"]), or fill it in',
    );
  });
});

describe('Encoding: new rows at predict time', () => {
  const train = fromLongTable(rows, { ...opts, missing: 'mean-impute' });
  const enc = train.encoding;

  it('encodes training rows exactly as the dataset holds them', () => {
    const e = enc.encodeRows(rows);
    expect(e.n).toBe(5);
    expect(e.p).toBe(6);
    expect(e.taskNames).toEqual(['A', 'B', 'A', 'A', 'B']);
    expect(Array.from(e.taskIndex)).toEqual([0, 1, 0, 0, 1]);
    expect(Array.from(e.X.subarray(0, 6))).toEqual(Array.from(train.task('A').X.subarray(0, 6)));
    expect(Array.from(e.X.subarray(6, 12))).toEqual(Array.from(train.task('B').X.subarray(0, 6)));
    expect(Array.from(e.y ?? [])).toEqual(rows.map((r) => r.y));
  });

  it('fills missing values with the training means and takes a fixed task', () => {
    const e = enc.encodeRows([{ age: null, sex: 'f', region: undefined }], { task: 'B' });
    expect(Array.from(e.X)).toEqual([50, 1, 0, 0.4, 0.4, 0.2]);
    expect(e.y).toBeNull();
  });

  it('refuses an unseen category, or encodes it as zeros when asked', () => {
    expect(() => enc.encodeRows([{ clinic: 'A', age: 1, sex: 'x', region: 'north' }])).toThrow(
      'Category not seen in training (at task "A", row 1, column "sex"): expected one of the 2 training levels "f", "m", received "x". Correct the label, or encode unseen categories as an all-zero row with unseenCategory: "zero"',
    );
    const lax = fromLongTable(rows, { ...opts, unseenCategory: 'zero' }).encoding;
    expect(
      Array.from(lax.encodeRows([{ clinic: 'A', age: 1, sex: 'x', region: 'west' }]).X),
    ).toEqual([1, 0, 0, 0, 0, 0]);
  });

  it('cannot drop a row to predict', () => {
    const strict = fromLongTable(rows, { ...opts, missing: 'drop-rows' }).encoding;
    expect(() =>
      strict.encodeRows([{ clinic: 'A', age: null, sex: 'f', region: 'north' }]),
    ).toThrow(
      'Missing value at predict time (at task "A", row 1, column "age"): expected a value: under missing: "drop-rows" a row to predict cannot be dropped, received null. Fill it in, or train with missing: "mean-impute" so that predict fills it with the training mean',
    );
  });

  it('needs the training columns and a task', () => {
    expect(() => enc.encodeRows([{ clinic: 'A', age: 1, sex: 'f' }])).toThrow(
      'Missing feature column (at column "region"): expected the 3 training columns "age", "sex", "region", received the columns "clinic", "age", "sex". Provide every column the model was trained on, with the same names',
    );
    expect(() => enc.encodeRows([{ age: 1, sex: 'f', region: 'north' }])).toThrow(
      'Rows have no task column (at column "clinic"): expected a column "clinic" naming each row\'s task, received the columns "age", "sex", "region". Add the task column, or pass { task } when every row belongs to one task',
    );
  });

  it('survives JSON', () => {
    const back = Encoding.fromJSON(JSON.parse(JSON.stringify(enc)));
    expect(back.toJSON()).toEqual(enc.toJSON());
    expect(Array.from(back.encodeRows(rows).X)).toEqual(Array.from(enc.encodeRows(rows).X));
    expect(() => Encoding.fromJSON({ kind: 'other' })).toThrow(SerializationError);
    expect(() => Encoding.fromJSON({ ...enc.toJSON(), version: 2 })).toThrow(
      'Not a hetmtl encoding: expected version 1, received an object (Object). Pass the object returned by encoding.toJSON() (or its JSON.parse)',
    );
  });

  it('reads a test table with the training encoding', () => {
    const test = fromLongTable(
      [
        { clinic: 'B', age: 20, sex: 'm', region: 'west', y: 1 },
        { clinic: 'B', age: null, sex: 'f', region: 'east', y: 2 },
      ],
      {
        encoding: fromLongTable(rows, { ...opts, missing: 'mean-impute', unseenCategory: 'zero' })
          .encoding,
      },
    );
    expect(test.taskNames).toEqual(['B']);
    expect(test.featureNames).toEqual(train.featureNames);
    expect(Array.from(test.task('B').X)).toEqual([20, 0, 1, 0, 0, 0, 50, 1, 0, 1, 0, 0]);
    expect(test.report).toMatchObject({
      imputedByColumn: { age: 1 },
      unseenByColumn: { region: 1 },
    });
    expect(() => fromLongTable(rows, { encoding: enc, missing: 'drop-rows' })).toThrow(
      'Conflicting options (at column "missing"): expected no value for the missing option when an encoding is given (the encoding fixes it), received "drop-rows". Remove the missing option, or remove the encoding option',
    );
  });
});
