import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Dictionary,
  Float64,
  Int32,
  Table,
  tableFromArrays,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { fromArrow, readArrow } from './arrow.js';

const table = tableFromArrays({
  site: ['a', 'b', 'a', 'b'],
  x: new Float64Array([1.5, 2.5, 3.5, 4.5]),
  count: new Int32Array([1, 2, 3, 4]),
  big: new BigInt64Array([10n, 20n, 30n, 40n]),
  kind: ['u', 'v', 'v', 'u'],
  y: new Float64Array([1, 2, 3, 5]),
});

describe('fromArrow', () => {
  it('reads numeric, int64 and dictionary-string columns', () => {
    const ds = fromArrow(table, { task: 'site', target: 'y', categorical: ['kind'] });
    expect(ds.taskNames).toEqual(['a', 'b']);
    expect(ds.featureNames).toEqual(['x', 'count', 'big', 'kind=u', 'kind=v']);
    expect(Array.from(ds.task('a').X)).toEqual([1.5, 1, 10, 1, 0, 3.5, 3, 30, 0, 1]);
    expect(Array.from(ds.task('b').y)).toEqual([2, 5]);
    expect(ds.report?.source).toBe('Arrow table');
  });

  it('reads columns by position when the table has getChildAt, else by name: the same dataset', () => {
    const byName = {
      numRows: table.numRows,
      schema: table.schema,
      getChild: (name: string) =>
        table.getChildAt(table.schema.fields.findIndex((f) => f.name === name)),
    };
    const a = fromArrow(table, { task: 'site', target: 'y', categorical: ['kind'] });
    const b = fromArrow(byName, { task: 'site', target: 'y', categorical: ['kind'] });
    expect(b.featureNames).toEqual(a.featureNames);
    for (const t of ['a', 'b']) {
      expect(Array.from(b.task(t).X)).toEqual(Array.from(a.task(t).X));
      expect(Array.from(b.task(t).y)).toEqual(Array.from(a.task(t).y));
    }
  });

  it('reads nulls as missing values', () => {
    const t = new Table({
      g: vectorFromArray(['a', 'a', 'a'], new Dictionary(new Utf8(), new Int32())),
      x: vectorFromArray([1, null, 3], new Float64()),
      y: vectorFromArray([1, 2, 4], new Float64()),
    });
    expect(() => fromArrow(t, { task: 'g', target: 'y' })).toThrow(
      'Missing value (at task "a", row 2, column "x"): expected a number (missing values are an error by default), received null. Fill it in, or pass missing: "drop-rows" (drop such rows) or missing: "mean-impute" (fill with the training mean)',
    );
    expect(
      Array.from(fromArrow(t, { task: 'g', target: 'y', missing: 'mean-impute' }).task('a').X),
    ).toEqual([1, 2, 3]);
  });

  it('refuses what is not a table', () => {
    expect(() => fromArrow({ rows: [] } as never, { task: 'g', target: 'y' })).toThrow(
      'Not an Arrow table: expected an Apache Arrow Table (with numRows, schema.fields and getChild), received an object (Object). Pass a Table from apache-arrow (tableFromIPC, tableFromArrays), or use readArrow for IPC bytes or a file',
    );
  });
});

describe('readArrow', () => {
  it('reads IPC bytes and files (stream and file formats)', async () => {
    const opts = { task: 'site', target: 'y', categorical: ['kind'] } as const;
    const ref = fromArrow(table, opts);
    for (const format of ['stream', 'file'] as const) {
      const bytes = tableToIPC(table, format);
      const ds = await readArrow(bytes, opts);
      expect(Array.from(ds.task('b').X)).toEqual(Array.from(ref.task('b').X));
      const path = join(
        mkdtempSync(join(tmpdir(), 'hetmtl-arrow-')),
        `t.${format === 'file' ? 'arrow' : 'arrows'}`,
      );
      writeFileSync(path, bytes);
      expect((await readArrow(path, opts)).sizes).toEqual([2, 2]);
    }
  });

  it('says when bytes are not Arrow data', async () => {
    await expect(
      readArrow(new Uint8Array([0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0]), { task: 'a', target: 'y' }),
    ).rejects.toThrow(
      /^Not Arrow IPC data: expected an Arrow IPC file or stream, received a gzip-compressed file\./,
    );
  });
});
