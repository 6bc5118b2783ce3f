import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Random } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv, streamCsvRows } from './csv.js';
import { toCsv } from './csv-write.js';
import { simulateFactor } from './simulate-factor.js';
import { fromTaskArrays } from './task-arrays.js';
import { textChunks } from './text-source.js';

const opts = { task: 'task', target: 'y' } as const;
const tmp = mkdtempSync(join(tmpdir(), 'hetmtl-data-csv-'));

describe('parseCsv: the CSV dialect', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks inside', async () => {
    const text =
      'task,"x, with comma",note,y\n"St. ""Mary""",1,"two\nlines",2\n"St. ""Mary""",3,plain,4\n';
    const ds = await parseCsv(text, { ...opts, categorical: ['note'] });
    expect(ds.taskNames).toEqual(['St. "Mary"']);
    expect(ds.featureNames).toEqual(['x, with comma', 'note=plain', 'note=two\nlines']);
    expect(Array.from(ds.task(0).X)).toEqual([1, 0, 1, 3, 1, 0]);
  });

  it('reads CRLF and CR line ends, and removes a BOM (string or bytes)', async () => {
    const crlf = await parseCsv('\ufefftask,x,y\r\na,1,2\r\na,3,4\r\n', opts);
    expect(crlf.featureNames).toEqual(['x']);
    expect(Array.from(crlf.task('a').y)).toEqual([2, 4]);
    const cr = await parseCsv('task,x,y\ra,1,2\ra,3,4', opts);
    expect(Array.from(cr.task('a').X)).toEqual([1, 3]);
    const bytes = new Uint8Array([
      0xef,
      0xbb,
      0xbf,
      ...new TextEncoder().encode('task,x,y\r\na,1,2\r\na,3,5\r\n'),
    ]);
    const fromBytes = await parseCsv(bytes, opts);
    expect(fromBytes.encoding.taskColumn).toBe('task');
    expect(Array.from(fromBytes.task('a').y)).toEqual([2, 5]);
  });

  it('takes a chosen delimiter: semicolon, tab, or a guess', async () => {
    const semi = await parseCsv('task;x;y\na;1,5;2\na;2;3\n'.replace('1,5', '1.5'), {
      ...opts,
      delimiter: ';',
    });
    expect(Array.from(semi.task('a').X)).toEqual([1.5, 2]);
    const tsv = await parseCsv('task\tx\ty\na\t1\t2\na\t2\t3\n', { ...opts, delimiter: '\t' });
    expect(Array.from(tsv.task('a').X)).toEqual([1, 2]);
    const guessed = await parseCsv('task|x|y\na|1|2\na|2|3\n', { ...opts, delimiter: 'auto' });
    expect(Array.from(guessed.task('a').X)).toEqual([1, 2]);
    await expect(parseCsv('task,x,y\n', { ...opts, delimiter: '' })).rejects.toThrow(
      'Invalid delimiter option (at column "delimiter"): expected one character other than a line break or the quote character, or "auto", received "". Pass delimiter: "," (the default), delimiter: "\\t", delimiter: ";" or delimiter: "auto"',
    );
  });

  it('reports malformed quotes with the row', async () => {
    await expect(parseCsv('task,x,y\na,1,2\na,"3,4\n', opts)).rejects.toThrow(
      'Malformed quotes (at row 3): expected each quoted field closed by a quote, with quotes inside it doubled (""), received Quoted field unterminated. Close the quote or double the quote characters inside the field; if quotes are not used for quoting, pass another character as the quote option',
    );
  });

  it('numbers rows as a spreadsheet does: header row 1, a multi-line cell is one row', async () => {
    const e = await parseCsv('task,note,x,y\na,"l1\nl2\nl3",1,2\na,n,bad,3\n', {
      ...opts,
      categorical: ['note'],
      numeric: ['x'],
    }).catch((x) => x);
    expect(e.row).toBe(3);
  });

  it('skips blank lines, with or without spaces', async () => {
    const ds = await parseCsv('task,x,y\n\na,1,2\n   \na,2,3\n\n', opts);
    expect(ds.sizes).toEqual([2]);
    expect(ds.report?.rowsRead).toBe(2);
  });
});

describe('parseCsv: inputs and streaming', () => {
  const text = 'task,x,y\nété,1.25,2\nété,-3,4\nhiver,5e-1,6\nhiver,7,8.5\n';

  it('gives the same dataset from a string, bytes, a Blob, a web stream and chunks split anywhere', async () => {
    const ref = await parseCsv(text, opts);
    const bytes = new TextEncoder().encode(text);
    const same = async (p: Promise<import('./dataset.js').MultiTaskDataset>) => {
      const ds = await p;
      expect(ds.taskNames).toEqual(ref.taskNames);
      for (const t of ref) {
        expect(Array.from(ds.task(t.name).X)).toEqual(Array.from(t.X));
        expect(Array.from(ds.task(t.name).y)).toEqual(Array.from(t.y));
      }
    };
    await same(parseCsv(bytes, opts));
    await same(parseCsv(bytes.buffer, opts));
    await same(parseCsv(new Blob([bytes]), opts));
    await same(parseCsv(new Blob([bytes]).stream(), opts));
    await same(parseCsv(Readable.from([bytes.subarray(0, 11), bytes.subarray(11)]), opts));
    // Every split point, including inside the two-byte "é" and inside a field.
    for (let cut = 1; cut < bytes.length; cut++) {
      async function* two() {
        yield bytes.subarray(0, cut);
        yield bytes.subarray(cut);
      }
      await same(parseCsv(two(), opts));
    }
    // One byte at a time.
    async function* ones() {
      for (const b of bytes) yield new Uint8Array([b]);
    }
    await same(parseCsv(ones(), opts));
    // String chunks.
    async function* strings() {
      yield text.slice(0, 20);
      yield text.slice(20);
    }
    await same(parseCsv(strings(), opts));
  });

  it('textChunks keeps a U+FEFF that is not at the start, and removes only a leading BOM', async () => {
    const bytes = new TextEncoder().encode('\ufeffa\ufeffb');
    let out = '';
    for await (const s of textChunks(bytes, 'x')) out += s;
    expect(out).toBe('a\ufeffb');
  });

  it('streamCsvRows hands over each record with its row number', async () => {
    async function* src() {
      yield 'a,b\n1,"2\n';
      yield '3"\n\n4,5\n';
    }
    const got: [string[], number][] = [];
    let header: readonly string[] = [];
    const { records } = await streamCsvRows(
      src(),
      { delimiter: ',', quote: '"' },
      (h) => (header = h),
      (f, row) => got.push([[...f], row]),
    );
    expect(header).toEqual(['a', 'b']);
    expect(got).toEqual([
      [['1', '2\n3'], 2],
      [['4', '5'], 4],
    ]);
    expect(records).toBeGreaterThanOrEqual(4);
  });

  it('readCsv streams a file; a large generated file equals its arrays (oracle: the numbers written)', async () => {
    const rng = new Random(11);
    const tasks = ['t1', 't2', 't3'];
    const lines = ['task,a,b,c,y'];
    const expected = new Map<string, { X: number[]; y: number[] }>();
    for (let i = 0; i < 30_000; i++) {
      const t = tasks[rng.integer(0, 3)];
      if (!expected.has(t)) expected.set(t, { X: [], y: [] });
      const v = [rng.normal() * 1e3, rng.uniform(-1, 1) * 1e-7, rng.integer(-5, 5)];
      const y = rng.normal();
      lines.push(`${t},${v.map(String).join(',')},${y}`);
      const e = expected.get(t) as { X: number[]; y: number[] };
      e.X.push(...v);
      e.y.push(y);
    }
    const path = join(tmp, 'big.csv');
    writeFileSync(path, `${lines.join('\r\n')}\r\n`);
    const ds = await readCsv(path, opts);
    expect(ds.taskNames).toEqual([...expected.keys()]);
    for (const [t, e] of expected) {
      expect(Array.from(ds.task(t).X)).toEqual(e.X);
      expect(Array.from(ds.task(t).y)).toEqual(e.y);
    }
    expect(ds.report?.source).toBe(`File ${JSON.stringify(path)}`);
  });
});

describe('toCsv', () => {
  it('round-trips a dataset exactly through parseCsv', async () => {
    const { train } = simulateFactor({ numTasks: 3, n: [7, 11, 5], p: 6, testRows: 1, seed: 3 });
    const back = await parseCsv(toCsv(train), { task: 'task', target: 'y' });
    expect(back.taskNames).toEqual(train.taskNames);
    expect(back.featureNames).toEqual(train.featureNames);
    for (const t of train) {
      expect(Array.from(back.task(t.name).X)).toEqual(Array.from(t.X));
      expect(Array.from(back.task(t.name).y)).toEqual(Array.from(t.y));
    }
  });

  it('quotes names that need it', async () => {
    const ds = fromTaskArrays(new Map([['a, "b"', { X: [[1], [2]], y: [3, 4] }]]), {
      featureNames: ['x;1'],
    });
    const text = toCsv(ds, { delimiter: ';' });
    expect(text).toBe('task;"x;1";y\n"a, ""b""";1;3\n"a, ""b""";2;4\n');
    const back = await parseCsv(text, { task: 'task', target: 'y', delimiter: ';' });
    expect(back.taskNames).toEqual(['a, "b"']);
    expect(() => toCsv(ds, { target: 'x;1' })).toThrow('Duplicated column name (at column "x;1")');
  });

  it('writes a field with a comma, a quote and a line break (through Papa Parse) that parseCsv reads back', async () => {
    const task = 'site 1, "north"\nwing';
    const feature = 'dose, "mg"\r\nday 1';
    const ds = fromTaskArrays(
      new Map([
        [task, { X: [[1.5], [-2]], y: [3, 0.25] }],
        ['  padded\t', { X: [[7]], y: [8] }],
      ]),
      { featureNames: [feature] },
    );
    const text = toCsv(ds, { taskColumn: 'the "site"' });
    // Quotes doubled inside quoted fields; numbers and plain names unquoted.
    expect(text.split('\n')[0]).toBe('"the ""site""","dose, ""mg""\r');
    expect(text).toContain('\n"site 1, ""north""\nwing",1.5,3\n');
    expect(text.endsWith('\n"  padded\t",7,8\n')).toBe(true);
    const back = await parseCsv(text, { task: 'the "site"', target: 'y' });
    expect(back.taskNames).toEqual([task, '  padded\t']);
    expect(back.featureNames).toEqual([feature]);
    expect(Array.from(back.task(task).X)).toEqual([1.5, -2]);
    expect(Array.from(back.task(task).y)).toEqual([3, 0.25]);
    expect(Array.from(back.task('  padded\t').y)).toEqual([8]);
  });
});
