// Real data just works: text columns are categories without being told, common NA tokens are
// missing values, ID-like columns are left out, and the read report says so. Bad input never passes
// silently: a few stray tokens in a numeric column, a duplicated column (read or not), a wrong
// delimiter, non-UTF-8 bytes and an empty JSON array are errors that name where and how to fix,
// in the API's words (message) and another interface's (render).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OptionRef, ValidationError } from '@hetmtl/tensor';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { fromArrow } from './arrow.js';
import { parseCsv, readCsv } from './csv.js';
import { fromJson } from './json.js';
import { fromLongTable } from './long-table.js';
import { readReportNotes } from './report-notes.js';

const opts = { task: 'task', target: 'y' } as const;

/** The command line's words for an option, as a CLI would render them (a stand-in for its table). */
function cliWords(r: OptionRef): string {
  const flag = `--${r.option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (r.value === undefined) return flag;
  const v = Array.isArray(r.value) ? r.value.join(',') : String(r.value);
  return `${flag} ${v === '\t' ? "'\\t'" : v}`;
}

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

/** Chunks of a string, so that the reader cannot know the size (rows go to growing blocks). */
async function* chunksOf(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe('text columns are categories by default', () => {
  it('a text column fitted with no options: levels in natural order, one-hot values', async () => {
    const ds = await parseCsv('task,x,sex,y\na,1,M,1\na,2,F,2\nb,3,M,3\nb,4,M,5\n', opts);
    expect(ds.featureNames).toEqual(['x', 'sex=F', 'sex=M']);
    // Hand-computed: rows (x, F, M) = (1,0,1), (2,1,0) in a; (3,0,1), (4,0,1) in b.
    expect(Array.from(ds.task('a').X)).toEqual([1, 0, 1, 2, 1, 0]);
    expect(Array.from(ds.task('b').X)).toEqual([3, 0, 1, 4, 0, 1]);
    expect(ds.report?.categoricalColumns).toEqual([{ column: 'sex', levels: 2, inferred: true }]);
    expect(ds.encoding.columns[1]).toEqual({
      name: 'sex',
      kind: 'categorical',
      levels: ['F', 'M'],
      fill: null,
    });
    // Predict time: the inferred levels are in the encoding.
    expect(Array.from(ds.encoding.encodeRows([{ task: 'b', x: 7, sex: 'F' }]).X)).toEqual([
      7, 1, 0,
    ]);
  });

  it('a column of numbers and text (0/1/2/3+) uses the numbers as levels, also when they come first', async () => {
    // The first text cell comes in row 4: rows 2–3 were stored as numbers, then codes.
    const ds = await parseCsv('task,livch,y\na,0,1\na,2,2\na,3+,3\nb,1,4\nb,0,5\nb,3+,6\n', opts);
    expect(ds.featureNames).toEqual(['livch=0', 'livch=1', 'livch=2', 'livch=3+']);
    expect(Array.from(ds.task('a').X)).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(Array.from(ds.task('b').X)).toEqual([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(ds.report?.categoricalColumns).toEqual([{ column: 'livch', levels: 4, inferred: true }]);
  });

  it('a number\'s level is its canonical text ("1.0" and "1" are one level)', async () => {
    const ds = await parseCsv('task,g,y\na,1.0,1\na,x,2\na,1,3\n', opts);
    expect(ds.featureNames).toEqual(['g=1', 'g=x']);
    expect(Array.from(ds.task('a').X)).toEqual([1, 0, 0, 1, 1, 0]);
  });

  it('the same when the switch to text comes after thousands of streamed rows (blocks), grouped or not', async () => {
    const lines = ['task,x,code,y'];
    const expected: number[][] = [[], []];
    for (let i = 0; i < 3000; i++) {
      const t = i % 2;
      // Numbers 0..2 for 2,500 rows, then "other" or a number: 3000 cells, 250 text (8%).
      const code = i >= 2500 && i % 2 === 0 ? 'other' : String(i % 3);
      lines.push(`${t === 0 ? 'a' : 'b'},${i + 0.5},${code},${i % 7}`);
      const level = code === 'other' ? 3 : Number(code);
      expected[t].push(i + 0.5, ...[0, 1, 2, 3].map((l) => (l === level ? 1 : 0)));
    }
    const text = `${lines.join('\n')}\n`;
    for (const input of [text, chunksOf(text, 777)]) {
      const ds = await parseCsv(input, opts);
      expect(ds.featureNames).toEqual(['x', 'code=0', 'code=1', 'code=2', 'code=other']);
      expect(Array.from(ds.task('a').X)).toEqual(expected[0]);
      expect(Array.from(ds.task('b').X)).toEqual(expected[1]);
    }
  });

  it('columns of numbers stay numeric, integer-valued with few levels included (quoted R exports too)', async () => {
    const ds = await parseCsv(
      '"task","year","lea","y"\n"a","95","1",1\n"a","96","2",2\n"b","95","1",3\n"b","97","1",4\n',
      opts,
    );
    expect(ds.featureNames).toEqual(['year', 'lea']);
    expect(Array.from(ds.task('b').X)).toEqual([95, 1, 97, 1]);
    expect(ds.report?.categoricalColumns).toEqual([]);
    const listed = await parseCsv('task,year,y\na,95,1\na,96,2\n', {
      ...opts,
      categorical: ['year'],
    });
    expect(listed.featureNames).toEqual(['year=95', 'year=96']);
    expect(listed.report?.categoricalColumns).toEqual([
      { column: 'year', levels: 2, inferred: false },
    ]);
  });

  it('the same in records, columns, JSON and Arrow', async () => {
    const records = [
      { task: 'a', x: 1, sex: 'M', y: 1 },
      { task: 'a', x: 2, sex: 'F', y: 2 },
      { task: 'b', x: 3, sex: 'M', y: 3 },
    ];
    const a = fromLongTable(records, opts);
    const b = fromLongTable(
      { task: ['a', 'a', 'b'], x: [1, 2, 3], sex: ['M', 'F', 'M'], y: [1, 2, 3] },
      opts,
    );
    const c = await fromJson(JSON.stringify(records), opts);
    const d = fromArrow(
      tableFromArrays({
        task: ['a', 'a', 'b'],
        x: new Float64Array([1, 2, 3]),
        sex: ['M', 'F', 'M'],
        y: new Float64Array([1, 2, 3]),
      }),
      opts,
    );
    for (const ds of [a, b, c, d]) {
      expect(ds.featureNames).toEqual(['x', 'sex=F', 'sex=M']);
      expect(Array.from(ds.task('a').X)).toEqual([1, 0, 1, 2, 1, 0]);
      expect(ds.report?.categoricalColumns).toEqual([{ column: 'sex', levels: 2, inferred: true }]);
    }
  });

  it('mean-impute fills an inferred categorical column with its level frequencies', async () => {
    // Kept levels: M, F, M (one missing): frequencies F 1/3, M 2/3.
    const ds = await parseCsv('task,x,sex,y\na,1,M,1\na,2,F,2\na,3,NA,3\na,4,M,4\n', {
      ...opts,
      missing: 'mean-impute',
    });
    expect(Array.from(ds.task('a').X)).toEqual([1, 0, 1, 2, 1, 0, 3, 1 / 3, 2 / 3, 4, 0, 1]);
  });

  it('numbers with a few stray tokens: an error naming task, row, column and value, with both fixes', async () => {
    const rows = ['task,dose,y'];
    for (let i = 0; i < 500; i++) rows.push(`t${i % 5},${(i * 0.37).toFixed(2)},${i}`);
    rows.splice(123, 0, 't2,unknown,1');
    rows.splice(400, 0, 't4,unknown,2');
    const e = await failure(() => parseCsv(rows.join('\n'), opts));
    // 502 non-missing cells, 2 text: 0.4% ≤ 5%. The first stray token is on row 124 (header row 1).
    expect(e.message).toBe(
      'Non-numeric value in a numeric column (at task "t2", row 124, column "dose"): expected a number (the column holds numbers in 500 of its 502 non-missing cells; 1 other text cell), received "unknown". If "unknown" marks a missing value, pass naValues: ["unknown"]; if the column holds categories, pass categorical: ["dose"]',
    );
    expect(e.render(cliWords)).toBe(
      'Non-numeric value in a numeric column (at task "t2", row 124, column "dose"): expected a number (the column holds numbers in 500 of its 502 non-missing cells; 1 other text cell), received "unknown". If "unknown" marks a missing value, pass --na-values unknown; if the column holds categories, pass --categorical dose',
    );
    expect([e.task, e.row, e.column]).toEqual(['t2', 124, 'dose']);
    // One stray token alone: the same error, without the count of others.
    const one = await failure(() => parseCsv(rows.filter((_, i) => i !== 400).join('\n'), opts));
    expect(one.message).toBe(
      'Non-numeric value in a numeric column (at task "t2", row 124, column "dose"): expected a number (the column holds numbers in 500 of its 501 non-missing cells), received "unknown". If "unknown" marks a missing value, pass naValues: ["unknown"]; if the column holds categories, pass categorical: ["dose"]',
    );
    // Both fixes work.
    const asNa = await parseCsv(rows.join('\n'), {
      ...opts,
      naValues: ['unknown'],
      missing: 'drop-rows',
    });
    expect(asNa.totalRows).toBe(500);
    expect(asNa.report?.droppedByTask).toEqual({ t2: 1, t4: 1 });
    const asCat = await parseCsv(rows.join('\n'), { ...opts, categorical: ['dose'] });
    expect(asCat.report?.categoricalColumns[0]?.column).toBe('dose');
  });

  it('numeric: forces a column numeric (a text cell is then the usual error)', async () => {
    const e = await failure(() =>
      parseCsv('task,code,y\na,A1,1\na,B2,2\n', { ...opts, numeric: ['code'] }),
    );
    expect(e.message).toBe(
      'Non-numeric value in a numeric column (at task "a", row 2, column "code"): expected a number, received "A1". Correct the value, or list the column in the categorical option if it holds categories',
    );
    expect(e.render(cliWords)).toBe(
      'Non-numeric value in a numeric column (at task "a", row 2, column "code"): expected a number, received "A1". Correct the value, or list the column in --categorical if it holds categories',
    );
    const both = await failure(() =>
      parseCsv('task,code,y\na,1,1\n', { ...opts, numeric: ['code'], categorical: ['code'] }),
    );
    expect(both.message).toBe(
      'Column listed as categorical and numeric (at column "code"): expected each column in at most one of the categorical option and the numeric option, received "code". Remove it from one of the two lists',
    );
  });

  it('the task and target columns are never encoded', async () => {
    const ds = await parseCsv('task,x,y\nnorth,1,1\nsouth,2,2\n', opts);
    expect(ds.taskNames).toEqual(['north', 'south']);
    const e = await failure(() => parseCsv('task,x,y\na,1,N\na,2,Y\n', opts));
    expect(e.message).toBe(
      'Non-numeric value in a numeric column (at task "a", row 2, column "y"): expected a number, received "N". Correct the value; the target must be numeric (recode a yes/no target as 1/0)',
    );
  });
});

describe('NA tokens', () => {
  const text = 'task,x,y\na,1,1\na,NA,2\na,NaN,3\nb,.,4\nb,null,5\nb,,6\nb,2,7\na,3,8\n';

  it('"", "NA", "N/A", "NaN", ".", "null", "NULL" are missing values under the missing policy', async () => {
    const e = await failure(() => parseCsv(text, opts));
    expect(e.message).toBe(
      'Missing value (at task "a", row 3, column "x"): expected a number (missing values are an error by default), received "NA". Fill it in, or pass missing: "drop-rows" (drop such rows) or missing: "mean-impute" (fill with the training mean)',
    );
    expect(e.render(cliWords)).toBe(
      'Missing value (at task "a", row 3, column "x"): expected a number (missing values are an error by default), received "NA". Fill it in, or pass --missing drop-rows (drop such rows) or --missing mean-impute (fill with the training mean)',
    );
    const dropped = await parseCsv(text, { ...opts, missing: 'drop-rows' });
    expect(dropped.sizes).toEqual([2, 1]);
    expect(Array.from(dropped.task('a').y)).toEqual([1, 8]);
    expect(dropped.report).toMatchObject({
      rowsRead: 8,
      rowsKept: 3,
      rowsDropped: 5,
      droppedByTask: { a: 2, b: 3 },
      droppedByColumn: { x: 5 },
    });
    // Mean of the observed x (1, 2, 3) = 2 fills the five missing cells.
    const imputed = await parseCsv(text, { ...opts, missing: 'mean-impute' });
    expect(Array.from(imputed.task('a').X)).toEqual([1, 2, 2, 3]);
    expect(Array.from(imputed.task('b').X)).toEqual([2, 2, 2, 2]);
    expect(imputed.report?.imputedByColumn).toEqual({ x: 5 });
    const upper = await parseCsv('task,x,y\na,NULL,1\na,N/A,2\na,4,3\n', {
      ...opts,
      missing: 'mean-impute',
    });
    expect(Array.from(upper.task('a').X)).toEqual([4, 4, 4]);
  });

  it('a NaN number in records is missing too; naValues still overrides the defaults', async () => {
    const ds = fromLongTable(
      [
        { t: 'a', x: Number.NaN, y: 1 },
        { t: 'a', x: 5, y: 2 },
      ],
      { task: 't', target: 'y', missing: 'mean-impute' },
    );
    expect(Array.from(ds.task('a').X)).toEqual([5, 5]);
    const e = await failure(() =>
      parseCsv('task,x,y\na,NaN,1\na,1,2\n', { ...opts, naValues: ['NA'] }),
    );
    expect(e.message).toMatch(
      /^Non-finite value \(at task "a", row 2, column "x"\): expected a finite number, received "NaN"\./,
    );
  });
});

describe('ID-like columns are left out of the default features', () => {
  it('by name: id, ID, *_id, *Id (not when listed in features)', async () => {
    const ds = await parseCsv(
      'ID,task,patient_id,studentId,paid,x,y\n1,a,7,3,1,0.5,1\n2,a,7,4,0,0.7,2\n',
      opts,
    );
    expect(ds.featureNames).toEqual(['paid', 'x']);
    expect(ds.report?.idColumns).toEqual([
      { column: 'ID', reason: 'name', distinct: null },
      { column: 'patient_id', reason: 'name', distinct: null },
      { column: 'studentId', reason: 'name', distinct: null },
    ]);
    const kept = await parseCsv('ID,task,x,y\n1,a,0.5,1\n2,a,0.7,2\n', {
      ...opts,
      features: ['ID', 'x'],
    });
    expect(kept.featureNames).toEqual(['ID', 'x']);
    expect(kept.report?.idColumns).toEqual([]);
  });

  it('by values: an integer or text column whose values are all distinct over at least 10 rows', async () => {
    const rows = ['task,serial,code,level,x,y'];
    for (let i = 0; i < 12; i++)
      rows.push(`${i < 6 ? 'a' : 'b'},${1000 + i * 7},P${i},${i % 3},${i * 0.5},${i}`);
    const ds = await parseCsv(rows.join('\n'), opts);
    expect(ds.featureNames).toEqual(['level', 'x']);
    expect(ds.report?.idColumns).toEqual([
      { column: 'serial', reason: 'distinct', distinct: 12 },
      { column: 'code', reason: 'distinct', distinct: 12 },
    ]);
    // Listed in features: kept (code as a categorical column of 12 levels).
    const kept = await parseCsv(rows.join('\n'), { ...opts, features: ['serial', 'code', 'x'] });
    expect(kept.numFeatures).toBe(1 + 12 + 1);
    // 9 distinct rows are too few to call a column an ID; a repeated value is not an ID.
    const few = await parseCsv(rows.slice(0, 10).join('\n'), opts);
    expect(few.report?.idColumns).toEqual([]);
    expect(few.featureNames).toContain('serial');
  });

  it('a file of only ID-like features says so and how to keep them', async () => {
    const e = await failure(() => parseCsv('task,id,y\na,1,1\na,2,2\n', opts));
    expect(e.message).toBe(
      'No feature columns: expected at least one feature column besides the task and target, received the columns "task", "id", "y" (ID-like columns left out: "id"). Add feature columns, or keep an ID-like column by listing it in the features option',
    );
    expect(e.render(cliWords)).toMatch(/keep an ID-like column by listing it in --features$/);
  });
});

describe('duplicated column names are refused in every reader path', () => {
  it('even when the duplicate is not read', async () => {
    const text = 'task,x1,y,note,note\na,1,2,p,q\na,2,3,p,q\n';
    for (const o of [opts, { ...opts, features: ['x1'] }]) {
      const e = await failure(() => parseCsv(text, o));
      expect(e.message).toBe(
        'Duplicated column name (at column "note"): expected each column name once in the header, received "note" in columns 4 and 5. Rename one of the columns so that every name is unique',
      );
    }
    // Reading with a training encoding (predict time) too.
    const train = await parseCsv('task,x1,y\na,1,2\na,2,3\n', opts);
    const e2 = await failure(() =>
      parseCsv('task,x1,y,x1\na,1,2,9\n', { encoding: train.encoding }),
    );
    expect(e2.message).toMatch(
      /^Duplicated column name \(at column "x1"\): .* in columns 2 and 4\./,
    );
  });

  it('in an Arrow table whose schema repeats a name', async () => {
    const cols: Record<string, unknown[]> = { task: ['a', 'a'], x: [1, 2], y: [1, 2] };
    const fake = {
      numRows: 2,
      schema: { fields: [{ name: 'task' }, { name: 'x' }, { name: 'y' }, { name: 'x' }] },
      getChild: (n: string) => ({
        length: 2,
        nullCount: 0,
        get: (i: number) => cols[n]?.[i],
        toArray: () => cols[n],
      }),
    };
    const e = await failure(() => fromArrow(fake, opts));
    expect(e.message).toMatch(/^Duplicated column name \(at column "x"\): .* in columns 2 and 4\./);
  });
});

describe('delimiter diagnosis', () => {
  it('a semicolon file read as CSV', async () => {
    const e = await failure(() => parseCsv('task;x;y\na;1,5;2\na;2,5;3\n', opts));
    expect(e.message).toBe(
      'Unknown column (at column "task"): expected a column of the header (named by the task option); the header was read as one column, "task;x;y", split by ",", received "task". The file looks separated by semicolons: pass delimiter: ";"',
    );
    expect(e.render(cliWords)).toBe(
      'Unknown column (at column "task"): expected a column of the header (named by --task); the header was read as one column, "task;x;y", split by ",", received "task". The file looks separated by semicolons: pass --delimiter ;',
    );
    const ok = await parseCsv('task;x;y\na;1;2\na;2;3\n', { ...opts, delimiter: ';' });
    expect(ok.sizes).toEqual([2]);
  });

  it('a tab file (named .csv) read as CSV', async () => {
    const e = await failure(() => parseCsv('task\tx\ty\na\t1\t2\n', opts));
    expect(e.message).toBe(
      'Unknown column (at column "task"): expected a column of the header (named by the task option); the header was read as one column, "task\\tx\\ty", split by ",", received "task". The file looks separated by tabs: pass delimiter: "\\t"',
    );
    expect(e.render(cliWords)).toMatch(/The file looks separated by tabs: pass --delimiter '\\t'$/);
  });

  it('a comma file read with delimiter ";" ', async () => {
    const e = await failure(() => parseCsv('task,x,y\na,1,2\n', { ...opts, delimiter: ';' }));
    expect(e.fix).toBe('The file looks separated by commas: pass delimiter: ","');
  });

  it('a multi-character delimiter is an invalid option', async () => {
    const e = await failure(() => parseCsv('task,x,y\n', { ...opts, delimiter: ';;' }));
    expect(e.message).toBe(
      'Invalid delimiter option (at column "delimiter"): expected one character other than a line break or the quote character, or "auto", received ";;". Pass delimiter: "," (the default), delimiter: "\\t", delimiter: ";" or delimiter: "auto"',
    );
    const tab = await failure(() => parseCsv('task,x,y\n', { ...opts, delimiter: '\\t' }));
    expect(tab.fix).toBe(
      'For a tab-separated file pass delimiter: "\\t" (the tab character itself)',
    );
  });
});

describe('non-UTF-8 bytes', () => {
  const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const fix =
    'The file is probably Latin-1 or Windows-1252 (older Excel and Windows tools write it): convert it with iconv -f latin1 -t utf-8 in.csv > out.csv (-f windows-1252 for Windows files), or save it as "CSV UTF-8"';

  it('a Latin-1 byte on line 2: the line, the byte, and how to convert', async () => {
    // "é" in Latin-1 is the single byte 0xE9; "task,x,y\n" is 9 bytes, "Andr" 4 more: byte 14, line 2.
    const bytes = latin1('task,x,y\nAndr\u00e9,1,2\nb,2,3\n');
    const e = await failure(() => parseCsv(bytes, opts));
    expect(e.message).toBe(
      `CSV input is not text: expected UTF-8 text, received the byte 0xE9 at line 2, byte 5 of the line (byte 14 of the input), which is not UTF-8. ${fix}`,
    );
    // From a file, through the ASCII fast path of readCsv.
    const dir = mkdtempSync(join(tmpdir(), 'hetmtl-data-inf-'));
    const path = join(dir, 'latin1.csv');
    writeFileSync(path, bytes);
    const e2 = await failure(() => readCsv(path, opts));
    expect(e2.message).toBe(
      `File ${JSON.stringify(path)} is not text: expected UTF-8 text, received the byte 0xE9 at line 2, byte 5 of the line (byte 14 of the input), which is not UTF-8. ${fix}`,
    );
  });

  it('bytes that look like binary data (no NUL) are named so, with their first bad byte', async () => {
    const noise = Uint8Array.from({ length: 4096 }, (_, i) => ((i * 7919 + 13) % 255) + 1);
    const e = await failure(() => parseCsv(noise, opts));
    // Bytes 1–9 are 0x0E 0x1C 0x2A 0x38 0x46 0x54 0x62 0x70 0x7E (ASCII, 0x0E and 0x1C control bytes);
    // byte 10 is 0x8C, a continuation byte with no lead byte: the first that is not UTF-8.
    expect(e.message).toBe(
      'CSV input is not text: expected UTF-8 text, received the byte 0x8C at line 1 (byte 10 of the input), which is not UTF-8, among bytes that look like binary data. Pass a text file: export a spreadsheet to CSV, decompress a compressed file, and save UTF-16 text as UTF-8',
    );
  });

  it('counts lines over chunks: a bad byte deep in a large file', async () => {
    const head = `task,x,y\n${'a,1,2\n'.repeat(300_000)}`; // 1.8 MB of ASCII: two chunks of 1 MiB before the bad byte
    const bytes = new Uint8Array(head.length + 6);
    bytes.set(latin1(head));
    bytes.set(latin1('b,\u00e9,3\n'), head.length);
    const e = await failure(() => parseCsv(bytes, opts));
    expect(e.message).toContain(
      `received the byte 0xE9 at line 300002, byte 3 of the line (byte ${head.length + 3} of the input)`,
    );
  });
});

describe('empty JSON and tables', () => {
  it('an empty array says there are no records', async () => {
    const e = await failure(() => fromJson('[]', opts));
    expect(e.message).toBe(
      'No records: expected at least one record (a row with the task, target and feature columns), received an empty array. Check that the right data was given (an export with no rows gives [])',
    );
    expect((await failure(() => fromLongTable([], opts))).message).toMatch(
      /^No records: .* received an empty array\./,
    );
    expect((await failure(() => fromJson('{}', opts))).message).toMatch(
      /^No records: .* received no rows and no columns\./,
    );
    expect((await failure(() => fromLongTable({}, opts))).message).toMatch(
      /^No records: .* received an object with no columns\./,
    );
  });
});

describe("readReportNotes: the report as one-line notes, in the API's or a CLI's words", () => {
  it('names inferred categories, ID columns and how to keep them, dropped rows per task, constant and tiny tasks', async () => {
    const text =
      'id,task,sex,x,y\n1,a,M,1,1\n2,a,F,NA,2\n3,a,F,3,3\n4,b,M,1,5\n5,b,F,2,5\n6,c,M,4,6\n';
    const ds = await parseCsv(text, { ...opts, missing: 'drop-rows' });
    const report = ds.report as NonNullable<typeof ds.report>;
    expect(readReportNotes(report)).toEqual([
      'Text columns read as categories (one-hot): "sex" (2 levels)',
      'ID-like columns left out of the features: "id" (named like an ID); to keep one, list the features with the features option',
      'Dropped 1 row of 6 with a missing value (missing: "drop-rows"), in 1 task: "a" 1',
      '1 task with a constant target, kept: "b"',
      '3 tasks of 1 or 2 rows (1 of 1 row), kept (splits keep at least one training row of each): "a", "b", "c"',
    ]);
    expect(readReportNotes(report, cliWords)).toEqual([
      'Text columns read as categories (one-hot): "sex" (2 levels)',
      'ID-like columns left out of the features: "id" (named like an ID); to keep one, list the features with --features',
      'Dropped 1 row of 6 with a missing value (--missing drop-rows), in 1 task: "a" 1',
      '1 task with a constant target, kept: "b"',
      '3 tasks of 1 or 2 rows (1 of 1 row), kept (splits keep at least one training row of each): "a", "b", "c"',
    ]);
    const plain = await parseCsv('task,x,y\na,1,1\na,2,2\na,3,4\n', opts);
    expect(readReportNotes(plain.report as NonNullable<typeof plain.report>)).toEqual([]);
  });
});

describe('values no model can use', () => {
  const opts = { task: 'task', target: 'y' } as const;
  const flags = (r: OptionRef) =>
    `--${r.option}${r.value === undefined ? '' : ` ${String(r.value)}`}`;
  it('a feature or target beyond 1e100 is refused with its row and column, and how to read it as missing', async () => {
    const text = 'task,x,y\na,1,1\na,2,2\na,1e308,3\nb,4,5\n';
    const e = await parseCsv(text, opts).catch((err: unknown) => err);
    expect(ValidationError.isInstance(e)).toBe(true);
    const v = e as ValidationError;
    expect(v.message).toBe(
      'Value too large to model (at task "a", row 4, column "x"): expected a magnitude below 1e+100 (so that squares and sums stay finite), received "1e308". If it codes a missing value, pass naValues: ["1e308"]; otherwise fix the value or rescale the column',
    );
    expect(v.render(flags)).toContain('pass --naValues 1e308');
    await expect(parseCsv('task,x,y\na,1,-1e160\na,2,2\n', opts)).rejects.toThrow(
      /Value too large to model \(at task "a", row 2, column "y"\)/,
    );
    await expect(
      fromJson(
        [
          { task: 'a', x: 1e101, y: 1 },
          { task: 'a', x: 1, y: 2 },
        ],
        opts,
      ),
    ).rejects.toThrow(/row 1, column "x"/);
    // Up to the limit, values are read as they are (the standardiser is overflow-safe).
    const ok = await parseCsv('task,x,y\na,1e99,1\na,2,2\n', opts);
    expect(ok.task('a').X[0]).toBe(1e99);
    // Listed as a missing-value code, it is a missing value under the missing policy.
    const na = await parseCsv(text, { ...opts, naValues: ['1e308'], missing: 'drop-rows' });
    expect(na.totalRows).toBe(3);
  });
});

describe('an inferred text column at predict time', () => {
  it('a number written another way finds the level the reader named by its canonical text', async () => {
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${i < 10 ? 'a' : 'b'},${['1.0', 'x', '2.50', 'x'][i % 4]},${i}`,
    );
    const ds = await parseCsv(`task,g,y\n${rows.join('\n')}\n`, { task: 'task', target: 'y' });
    const g = ds.encoding.columns[0];
    expect(g?.kind === 'categorical' && g.levels).toEqual(['1', '2.5', 'x']);
    // The training file's own cells encode as in training, however the numbers are written.
    const e = ds.encoding.encodeRows([
      { task: 'a', g: '1.0', y: 1 },
      { task: 'a', g: '2.50', y: 1 },
      { task: 'b', g: ' 1', y: 1 },
      { task: 'b', g: 'x', y: 1 },
    ]);
    expect(Array.from(e.X)).toEqual([1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1]);
    expect(() => ds.encoding.encodeRows([{ task: 'a', g: '3', y: 1 }])).toThrow(
      /Category not seen in training/,
    );
  });
});
