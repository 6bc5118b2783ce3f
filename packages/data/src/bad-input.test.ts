// Every bad input of the issue, each with its exact message: what was expected, what was received,
// where (task, row, column) and how to fix it. Nothing partially built is returned: every case
// throws (or rejects), so no dataset exists.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HetmtlError, ValidationError } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from './csv.js';
import { fromJson } from './json.js';
import { fromLongTable } from './long-table.js';
import { trainTestSplit, trainValidationTestSplit, kFoldByTask } from './splits.js';
import { Standardizer } from './standardizer.js';
import { fromTaskArrays } from './task-arrays.js';

const opts = { task: 'task', target: 'y' } as const;

/** The error a promise or function fails with (and that it did fail). */
async function failure(run: () => unknown): Promise<ValidationError> {
  let result: unknown;
  try {
    result = await run();
  } catch (e) {
    expect(ValidationError.isInstance(e)).toBe(true);
    return e as ValidationError;
  }
  throw new Error(`expected an error, got ${String(result)}`);
}

const tmp = mkdtempSync(join(tmpdir(), 'hetmtl-data-bad-'));

describe('bad input: ragged CSV rows', () => {
  it('names the row (spreadsheet numbering: header = row 1) and both field counts', async () => {
    const e = await failure(() => parseCsv('task,x1,x2,y\na,1,2,3\na,1,2\na,4,5,6\n', opts));
    expect(e.message).toBe(
      'Ragged row (at row 3): expected 4 fields, as in the header, received 3 fields. Give every row as many fields as the header (quote fields that contain the delimiter), or check the delimiter option',
    );
    expect(e.row).toBe(3);
    expect(e.code).toBe('E_VALIDATION');
  });

  it('counts too many fields too, and blank lines in the row number', async () => {
    const e = await failure(() => parseCsv('task,x,y\na,1,2\n\na,1,2,9\n', opts));
    expect(e.message).toMatch(
      /^Ragged row \(at row 4\): expected 3 fields, as in the header, received 4 fields\./,
    );
  });
});

describe('bad input: a non-numeric value in a numeric column', () => {
  it('CSV: names task, row and column, and suggests the categorical option', async () => {
    // x1 is listed as numeric: a text cell is then an error (unlisted, half text, it would be categorical).
    const e = await failure(() =>
      parseCsv('task,x1,y\nschool-1,1.5,3\nschool-1,abc,4\n', { ...opts, numeric: ['x1'] }),
    );
    expect(e.message).toBe(
      'Non-numeric value in a numeric column (at task "school-1", row 3, column "x1"): expected a number, received "abc". Correct the value, or list the column in the categorical option if it holds categories',
    );
    expect([e.task, e.row, e.column]).toEqual(['school-1', 3, 'x1']);
  });

  it('records: rows are 1-based positions in the array', async () => {
    const e = await failure(() =>
      fromLongTable(
        [
          { task: 'a', x: 1, y: 1 },
          { task: 'a', x: { v: 2 }, y: 2 },
        ],
        opts,
      ),
    );
    expect(e.message).toBe(
      'Non-numeric value in a numeric column (at task "a", row 2, column "x"): expected a number, received an object (Object). Correct the value, or list the column in the categorical option if it holds categories',
    );
  });

  it('a non-numeric target says the target must be numeric', async () => {
    const e = await failure(() => parseCsv('task,x,y\na,1,high\n', opts));
    expect(e.message).toBe(
      'Non-numeric value in a numeric column (at task "a", row 2, column "y"): expected a number, received "high". Correct the value; the target must be numeric (recode a yes/no target as 1/0)',
    );
  });
});

describe('bad input: NaN or Infinity', () => {
  const fix =
    'Replace it with a finite number; if it marks a missing value, add it to the naValues option and choose missing: "drop-rows" or missing: "mean-impute"';
  it.each([
    ['nan', '"nan"'],
    ['Infinity', '"Infinity"'],
    ['-inf', '"-inf"'],
    ['1e999', '"1e999"'],
  ])('CSV cell %s', async (cell, shown) => {
    const e = await failure(() => parseCsv(`task,x,y\na,1,2\nb,${cell},3\n`, opts));
    expect(e.message).toBe(
      `Non-finite value (at task "b", row 3, column "x"): expected a finite number, received ${shown}. ${fix}`,
    );
  });

  it('a NaN in a typed array (rows 1-based within the task)', async () => {
    const X = new Float64Array([1, 2, 3, Number.NaN]);
    const e = await failure(() => fromTaskArrays({ t1: { X, y: [1, 2] } }));
    expect(e.message).toBe(
      'Non-finite value (at task "t1", row 2, column "x2"): expected a finite number, received NaN. Replace or remove it before building the dataset (readCsv and fromLongTable offer missing: "drop-rows" or "mean-impute")',
    );
  });

  it('an Infinity in a target array and in a record', async () => {
    const e1 = await failure(() =>
      fromTaskArrays({ t1: { X: [[1], [2]], y: [1, Number.POSITIVE_INFINITY] } }),
    );
    expect(e1.message).toMatch(
      /^Non-finite value \(at task "t1", row 2, column "y"\): expected a finite number, received Infinity\./,
    );
    const e2 = await failure(() =>
      fromLongTable([{ task: 'a', x: Number.NEGATIVE_INFINITY, y: 1 }], opts),
    );
    expect(e2.message).toBe(
      `Non-finite value (at task "a", row 1, column "x"): expected a finite number, received -Infinity. ${fix}`,
    );
  });

  it('"NaN" becomes a missing value only when asked', async () => {
    const ds = await parseCsv('task,x,y\na,1,2\na,NaN,3\na,3,4\n', {
      ...opts,
      naValues: ['NaN'],
      missing: 'mean-impute',
    });
    expect(Array.from(ds.task('a').X)).toEqual([1, 2, 3]);
  });
});

describe('bad input: an empty task', () => {
  it('per-task arrays with no rows', async () => {
    const e = await failure(() =>
      fromTaskArrays({ a: { X: [[1]], y: [1] }, b: { X: new Float64Array(0), y: [] } }),
    );
    expect(e.message).toBe(
      'Empty task (at task "b"): expected at least one row in every task, received 0 rows. Remove the task or add its rows',
    );
  });

  it('a listed task with no rows in the table', async () => {
    const e = await failure(() =>
      parseCsv('task,x,y\na,1,2\na,2,3\n', { ...opts, tasks: ['a', 'b'] }),
    );
    expect(e.message).toBe(
      'Empty task (at task "b", column "task"): expected at least one row in every task, received 0 rows. Remove the task from the tasks option, or add its rows',
    );
  });

  it('a task whose every row was dropped for missing values', async () => {
    const e = await failure(() =>
      parseCsv('task,x,y\na,1,2\na,2,3\nb,,1\nb,NA,2\n', { ...opts, missing: 'drop-rows' }),
    );
    expect(e.message).toBe(
      'Empty task (at task "b", column "task"): expected at least one row in every task, received 0 rows left after dropping 2 rows with missing values. Use missing: "mean-impute" to keep rows with missing features, or fill in the missing values',
    );
  });
});

describe('small tasks in splits: kept for training, listed, never dropped', () => {
  const ds = fromTaskArrays({
    big: { X: [[1], [2], [3], [4]], y: [1, 2, 3, 4] },
    tiny: { X: [[1]], y: [5] },
  });
  it('train/test: a one-row task trains only and is listed', () => {
    const sp = trainTestSplit(ds, { test: 0.25 });
    expect(sp.tasksWithoutTest).toEqual(['tiny']);
    expect(Array.from(sp.indices.train[1] as Int32Array)).toEqual([0]);
    expect(sp.train.sizes).toEqual([3, 1]);
    expect(sp.test.taskNames).toEqual(['big']);
    expect(sp.test.sizes).toEqual([1]);
  });
  it('train/validation/test: a two-row task gives its spare row to test, none to validation', () => {
    const two = fromTaskArrays({
      a: { X: [[1], [2], [3]], y: [1, 2, 3] },
      b: { X: [[1], [2]], y: [1, 2] },
    });
    const sp = trainValidationTestSplit(two);
    expect(sp.train.sizes).toEqual([1, 1]);
    expect(sp.validation.taskNames).toEqual(['a']);
    expect(sp.test.sizes).toEqual([1, 1]);
    expect(sp.tasksWithoutValidation).toEqual(['b']);
    expect(sp.tasksWithoutTest).toEqual([]);
  });
  it('k folds: a one-row task trains in every fold and is listed in each', () => {
    const folds = kFoldByTask(ds, { k: 3 });
    for (const f of folds) {
      expect(Array.from(f.indices.train[1] as Int32Array)).toEqual([0]);
      expect(f.tasksWithoutValidation).toEqual(['tiny']);
    }
  });
  it('a part no task can give a row to is an error that says why', async () => {
    const ones = fromTaskArrays({ a: { X: [[1]], y: [1] }, b: { X: [[2]], y: [2] } });
    const e = await failure(() => trainTestSplit(ones));
    expect(e.message).toBe(
      'No rows for the test part: expected at least one task that can spare a test row while keeping one training row, received tasks of at most 1 row. Collect more rows, or merge small tasks (every task keeps at least one training row)',
    );
  });
});

describe('bad input: a missing or duplicated column name', () => {
  it('an empty header cell (pandas index) that would be read', async () => {
    const e = await failure(() => parseCsv(',task,x,y\n0,a,1,2\n', opts));
    expect(e.message).toBe(
      'Missing column name (at column 1): expected a non-empty name in every header cell that is read, received an empty name for column 1 of 4. Name the column in the header (a CSV written by pandas with its index has an unnamed first column: write it with index=False), or list the columns to read with the features option',
    );
  });

  it('an unnamed column is fine when it is not read', async () => {
    const ds = await parseCsv(',task,x,y\n0,a,1,2\n1,a,2,3\n', { ...opts, features: ['x'] });
    expect(ds.featureNames).toEqual(['x']);
  });

  it('a duplicated column name', async () => {
    const e = await failure(() => parseCsv('task,x1,x2,x1,y\na,1,2,3,4\n', opts));
    expect(e.message).toBe(
      'Duplicated column name (at column "x1"): expected each column name once in the header, received "x1" in columns 2 and 4. Rename one of the columns so that every name is unique',
    );
  });

  it('a column the options name but the header lacks, with a spelling hint', async () => {
    const e = await failure(() =>
      parseCsv('school,x1,score\n1,2,3\n', { task: 'school', target: 'Score' }),
    );
    expect(e.message).toBe(
      'Unknown column (at column "Score"): expected a column of the header (named by the target option); the columns are "school", "x1", "score", received "Score". Did you mean "score"? Column names are case-sensitive',
    );
  });

  it('duplicated or missing feature names in per-task arrays', async () => {
    const e1 = await failure(() =>
      fromTaskArrays({ a: { X: [[1, 2]], y: [1] } }, { featureNames: ['age', 'age'] }),
    );
    expect(e1.message).toBe(
      'Duplicated feature name (at column "age"): expected each feature name once, received "age" for features 1 and 2. Rename one of the features so that every name is unique',
    );
    const e2 = await failure(() =>
      fromTaskArrays({ a: { X: [[1, 2]], y: [1] } }, { featureNames: ['age', ''] }),
    );
    expect(e2.message).toBe(
      'Missing feature name (at column 2): expected a non-empty name for every feature, received "". Name every feature in the featureNames option',
    );
  });
});

describe('bad input: a target that is constant in a task', () => {
  it('is read by default and listed in the report; refused under constantTarget: "error"', async () => {
    const text = 'task,x,y\na,1,5\na,2,5\na,3,5\nb,1,1\nb,2,2\n';
    const e = await failure(() => parseCsv(text, { ...opts, constantTarget: 'error' }));
    expect(e.message).toBe(
      'Constant target in a task (at task "a", column "y"): expected a target that varies within each task, received all 3 rows equal to 5. Check that the target column is the right one, or remove the task; pass constantTarget: "allow" (the default) to keep it',
    );
    expect(
      e.render(
        (r: { option: string; value?: unknown }) =>
          `--${r.option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${r.value}`,
      ),
    ).toBe(
      'Constant target in a task (at task "a", column "y"): expected a target that varies within each task, received all 3 rows equal to 5. Check that the target column is the right one, or remove the task; pass --constant-target allow (the default) to keep it',
    );
    const ok = await parseCsv(text, opts);
    expect(ok.sizes).toEqual([3, 2]);
    expect(ok.report?.constantTargetTasks).toEqual([{ task: 'a', rows: 3, value: 5 }]);
    expect(ok.report?.tinyTasks).toEqual([{ task: 'b', rows: 2 }]);
  });

  it('in per-task arrays too (a one-row task is not constant)', async () => {
    expect(
      fromTaskArrays({ a: { X: [[1], [2]], y: [0, 0] }, b: { X: [[1]], y: [3] } }).sizes,
    ).toEqual([2, 1]);
    const e = await failure(() =>
      fromTaskArrays(
        { a: { X: [[1], [2]], y: [0, 0] }, b: { X: [[1]], y: [3] } },
        { constantTarget: 'error' },
      ),
    );
    expect(e.message).toMatch(
      /^Constant target in a task \(at task "a", column "y"\): expected a target that varies within each task, received all 2 rows equal to 0\./,
    );
    expect(fromTaskArrays({ b: { X: [[1]], y: [3] } }).sizes).toEqual([1]);
  });
});

describe('bad input: an unknown task at predict time', () => {
  const ds = fromTaskArrays({ a: { X: [[1], [2]], y: [1, 2] }, b: { X: [[3], [5]], y: [3, 4] } });
  const unknown =
    'Unknown task (at task "c"): expected one of the 2 training tasks "a", "b", received "c". Check the task name (names are case-sensitive); a task not seen in training needs to be added to the model first';

  it('encoding new rows', async () => {
    const e = await failure(() =>
      ds.encoding.encodeRows([
        { task: 'a', x1: 1 },
        { task: 'c', x1: 2 },
      ]),
    );
    expect(e.message).toBe(
      'Unknown task (at task "c", row 2, column "task"): expected one of the 2 training tasks "a", "b", received "c". Check the task name (names are case-sensitive); a task not seen in training needs to be added to the model first',
    );
    const e2 = await failure(() => ds.encoding.encodeRows([{ x1: 1 }], { task: 'c' }));
    expect(e2.message).toBe(unknown);
  });

  it('looking up a task, and per-task standardisation', async () => {
    expect((await failure(() => ds.task('c'))).message).toBe(unknown);
    const st = new Standardizer({ features: 'per-task' }).fit(ds);
    expect((await failure(() => st.transformX(new Float64Array([1]), 'c'))).message).toBe(unknown);
  });

  it('reading a test file with the training encoding', async () => {
    const e = await failure(() =>
      parseCsv('task,x1,y\na,1,2\nzz,1,2\n', { encoding: ds.encoding }),
    );
    expect(e.message).toBe(
      'Unknown task (at task "zz", row 3, column "task"): expected one of the 2 training tasks "a", "b", received "zz". Check the task name (names are case-sensitive); a task not seen in training needs to be added to the model first',
    );
  });
});

describe('bad input: an empty file', () => {
  it('a file of 0 bytes', async () => {
    const path = join(tmp, 'empty.csv');
    writeFileSync(path, '');
    const e = await failure(() => readCsv(path, opts));
    expect(e.message).toBe(
      `File ${JSON.stringify(path)} is empty: expected a header row naming the columns, then data rows, received no text (0 records). Check that the right file was given and that it was written completely`,
    );
  });

  it('blank lines or a lone BOM count as empty; a header alone has no data rows', async () => {
    expect((await failure(() => parseCsv('\n\r\n\n', opts))).message).toMatch(
      /^CSV input is empty:/,
    );
    expect((await failure(() => parseCsv('\ufeff', opts))).message).toMatch(/^CSV input is empty:/);
    expect((await failure(() => parseCsv('task,x,y\n', opts))).message).toBe(
      'No data rows: expected at least one data row after the header, received a header and no rows. Check that the right file was read, and that it is not truncated',
    );
    expect((await failure(() => fromJson('  ', opts))).message).toBe(
      'JSON is empty: expected a JSON array of records, received no text. Check that the right file was given and that it was written completely',
    );
  });
});

describe('bad input: a file that is not text', () => {
  const fix =
    'Pass a text file: export a spreadsheet to CSV, decompress a compressed file, and save UTF-16 text as UTF-8';
  it('bytes with a NUL', async () => {
    const path = join(tmp, 'data.bin');
    writeFileSync(path, new Uint8Array([0x74, 0x61, 0x73, 0x6b, 0x2c, 0x00, 0x01, 0x02, 0xff]));
    const e = await failure(() => readCsv(path, opts));
    expect(e.message).toBe(
      `File ${JSON.stringify(path)} is not text: expected UTF-8 text, received a NUL byte at byte 6, which text never contains. ${fix}`,
    );
  });

  it('bytes that are not UTF-8', async () => {
    const bytes = new TextEncoder().encode('task,x,y\na,1,2\n');
    const bad = new Uint8Array([...bytes, 0xc3, 0x28, 0x0a]);
    const e = await failure(() => parseCsv(bad, opts));
    // 0xC3 starts a 2-byte character but "(" does not continue it: the first bad byte is byte 16, line 3.
    expect(e.message).toBe(
      'CSV input is not text: expected UTF-8 text, received the byte 0xC3 at line 3, byte 1 of the line (byte 16 of the input), which is not UTF-8. The file is probably Latin-1 or Windows-1252 (older Excel and Windows tools write it): convert it with iconv -f latin1 -t utf-8 in.csv > out.csv (-f windows-1252 for Windows files), or save it as "CSV UTF-8"',
    );
  });

  it('known binary formats are named', async () => {
    const gz = await failure(() => parseCsv(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), opts));
    expect(gz.message).toBe(
      `CSV input is not text: expected UTF-8 text, received a gzip-compressed file. ${fix}`,
    );
    const xlsx = await failure(() => parseCsv(new Uint8Array([0x50, 0x4b, 3, 4, 20, 0]), opts));
    expect(xlsx.message).toMatch(/received a ZIP archive \(an \.xlsx workbook is one\)/);
    const utf16 = await failure(() => parseCsv(new Uint8Array([0xff, 0xfe, 0x74, 0x00]), opts));
    expect(utf16.message).toMatch(/received UTF-16 text \(little-endian\)/);
  });

  it('a string holding a NUL', async () => {
    const e = await failure(() => parseCsv('task,x,y\na,1\u0000,2\n', opts));
    expect(e.message).toBe(
      `CSV input is not text: expected UTF-8 text, received a NUL character at character 13, which text never contains. ${fix}`,
    );
  });
});

describe('nothing partially built is returned on error', () => {
  it('a bad row deep in a file rejects the whole read', async () => {
    const lines = ['task,x,y'];
    for (let i = 0; i < 5000; i++) lines.push(`t${i % 7},${i},${i * 2}`);
    lines.push('t1,oops,3');
    const e = await failure(() => parseCsv(`${lines.join('\n')}\n`, opts));
    expect(e.row).toBe(5002);
    expect(HetmtlError.isInstance(e)).toBe(true);
  });
});
