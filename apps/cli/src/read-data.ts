import { open, readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  decodeTextSync,
  type Encoding,
  type MultiTaskDataset,
  readArrow,
  readCsv,
  readJson,
  streamCsvRows,
  type TableOptions,
} from '@hetmtl/data';
import { HetmtlError, opt, ValidationError } from '@hetmtl/tensor';
import { CliError, UsageError } from './errors.js';
import { READER_OPTIONS, type ReaderOption } from './option-flags.js';

import { type FileFormat, FORMATS } from './choices.js';

export type { FileFormat };

const BY_EXTENSION: Readonly<Record<string, FileFormat>> = {
  '.csv': 'csv',
  '.txt': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.json': 'json',
  '.arrow': 'arrow',
  '.arrows': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
};

/** Checks that the path is a readable regular file, with a one-line fix when it is not. */
export async function checkReadable(path: string, what = 'data file'): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CliError(
        `${what} not found: ${JSON.stringify(path)}`,
        'Check the path (it is relative to the current directory)',
      );
    throw new CliError(
      `cannot read the ${what} ${JSON.stringify(path)} (${code ?? (e as Error).message})`,
      'Check the path and its permissions',
    );
  }
  if (info.isDirectory())
    throw new CliError(
      `${JSON.stringify(path)} is a directory, not a ${what}`,
      'Pass the path of a file',
    );
}

/**
 * The format of a data file: `--format` when given, else its extension, else a look at its first
 * bytes (Arrow's magic number, JSON's opening bracket, anything else is read as CSV).
 */
export async function detectFormat(path: string, explicit?: string): Promise<FileFormat> {
  if (explicit !== undefined) {
    if (!FORMATS.includes(explicit as FileFormat))
      throw new UsageError(`unknown format "${explicit}"`, `Use one of ${FORMATS.join(', ')}`);
    return explicit as FileFormat;
  }
  const byExt = BY_EXTENSION[extname(path).toLowerCase()];
  if (byExt) return byExt;
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await fh.read(head, 0, 64, 0);
    const text = head.subarray(0, bytesRead);
    if (text.subarray(0, 6).toString('latin1') === 'ARROW1') return 'arrow';
    // An Arrow IPC stream starts with a continuation marker 0xFFFFFFFF.
    if (bytesRead >= 4 && text.readUInt32LE(0) === 0xffffffff) return 'arrow';
    const first = text.toString('utf8').trimStart()[0];
    return first === '[' || first === '{' ? 'json' : 'csv';
  } finally {
    await fh.close();
  }
}

/** What the user says about the columns of a training file: task, target and the reader flags. */
export interface ColumnOptions extends Partial<Record<ReaderOption, unknown>> {
  readonly task: string;
  readonly target: string;
}

export interface ReadOptions {
  readonly format?: string;
  readonly delimiter?: string;
}

function tableOptions(columns: ColumnOptions, extra: Record<string, unknown>): TableOptions {
  const out: Record<string, unknown> = { task: columns.task, target: columns.target, ...extra };
  for (const name of READER_OPTIONS) {
    const v = columns[name];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[name] = v;
  }
  return out as TableOptions;
}

async function readAs(
  path: string,
  format: FileFormat,
  options: TableOptions,
  delimiter: string | undefined,
): Promise<MultiTaskDataset> {
  switch (format) {
    case 'csv':
    case 'tsv':
      return readCsv(path, {
        ...options,
        delimiter: delimiter ?? (format === 'tsv' ? '\t' : ','),
      });
    case 'json':
      return readJson(path, options);
    case 'arrow':
      return readArrow(path, options);
  }
}

/** A training file as a dataset (CSV, TSV, JSON or Arrow). */
export async function readTrainingData(
  path: string,
  columns: ColumnOptions,
  options: ReadOptions = {},
  /** Reader options of the family flags (binaryTarget, positive, weights, offset, exposure). */
  family: Record<string, unknown> = {},
): Promise<{ dataset: MultiTaskDataset; format: FileFormat }> {
  await checkReadable(path);
  const format = await detectFormat(path, options.format);
  const dataset = await readAs(path, format, tableOptions(columns, family), options.delimiter);
  return { dataset, format };
}

/**
 * A file with the target column read with a saved encoding: the training features, levels and
 * fill values; a task the model does not know or an unseen category is an error.
 */
export async function readWithEncoding(
  path: string,
  encoding: Encoding,
  options: ReadOptions = {},
  /** Reader options of the saved family input (positive, weights, offset, exposure). */
  family: Record<string, unknown> = {},
): Promise<{ dataset: MultiTaskDataset; format: FileFormat }> {
  await checkReadable(path);
  const format = await detectFormat(path, options.format);
  const dataset = await readAs(
    path,
    format,
    { encoding, ...family } as TableOptions,
    options.delimiter,
  );
  return { dataset, format };
}

/** Raw rows of a file, in file order: column names and one array of cells per column. */
export interface RawTable {
  readonly columnNames: readonly string[];
  /** Columns of cells as read (strings for CSV; JSON and Arrow values as they are). */
  readonly columns: Readonly<Record<string, unknown[]>>;
  readonly numRows: number;
  readonly format: FileFormat;
  /** Each record's row number as the data package numbers rows (CSV: the spreadsheet row). */
  readonly rowNumbers: Int32Array;
}

/** Delimiters a one-column header may betray. */
const OTHER_DELIMITERS: readonly [string, string][] = [
  [';', 'semicolons'],
  ['\t', 'tabs'],
  ['|', 'vertical bars'],
  [',', 'commas'],
];

export function checkHeader(header: readonly string[], delimiter: string): void {
  if (header.length === 1) {
    for (const [d, name] of OTHER_DELIMITERS) {
      if (d !== delimiter && (header[0] ?? '').includes(d))
        throw new ValidationError('The header was read as one column', {
          column: header[0],
          expected: `columns separated by ${delimiter === '\t' ? 'tabs' : JSON.stringify(delimiter)}`,
          received: `one column ${JSON.stringify((header[0] ?? '').slice(0, 60))}, which looks separated by ${name}`,
          fix: ['Pass ', opt('delimiter', d)],
        });
    }
  }
  const seen = new Map<string, number>();
  header.forEach((h, j) => {
    const first = seen.get(h);
    if (first !== undefined)
      throw new ValidationError('Duplicated column name', {
        column: h,
        expected: 'each column name once in the header',
        received: `${JSON.stringify(h)} in columns ${first + 1} and ${j + 1}`,
        fix: 'Rename one of the columns so that every name is unique',
      });
    seen.set(h, j);
  });
}

/**
 * Runs `fn`, which numbers rows from 1 in the order of `rows` (or of the table), and renumbers
 * the row of an error it throws the way the file numbers it.
 */
export function inFileRows<T>(
  table: Pick<RawTable, 'rowNumbers'>,
  fn: () => T,
  rows?: readonly number[],
): T {
  try {
    return fn();
  } catch (e) {
    if (!HetmtlError.isInstance(e) || e.row === undefined) throw e;
    const index = rows ? rows[e.row - 1] : e.row - 1;
    const fileRow = index === undefined ? undefined : table.rowNumbers[index];
    throw fileRow === undefined ? e : e.at({ row: fileRow });
  }
}

/**
 * Refuses non-finite predictions (never written with exit 0): names the row as the file numbers
 * it and the feature whose value is furthest from zero there.
 */
export function checkFinite(
  predictions: Float64Array,
  table: Pick<RawTable, 'rowNumbers'>,
  encoded: { readonly p: number; readonly X: Float64Array; readonly taskNames: readonly string[] },
  encoding: Encoding,
): void {
  const i = predictions.findIndex((v) => !Number.isFinite(v));
  if (i < 0) return;
  let worst = 0;
  encoding.featureNames.forEach((_, j) => {
    if (Math.abs(encoded.X[i * encoded.p + j]) > Math.abs(encoded.X[i * encoded.p + worst]))
      worst = j;
  });
  const feature = encoding.featureNames[worst] ?? '';
  const column =
    encoding.columns.find((c) => feature === c.name || feature.startsWith(`${c.name}=`))?.name ??
    feature;
  const bad = predictions.reduce((k, v) => k + (Number.isFinite(v) ? 0 : 1), 0);
  throw new ValidationError('Prediction is not finite', {
    task: encoded.taskNames[i],
    row: table.rowNumbers[i],
    column,
    expected: 'feature values within the range the model was trained on',
    received: `${String(predictions[i])} for a row with ${column} = ${String(encoded.X[i * encoded.p + worst])}${bad > 1 ? ` (${bad} rows in all)` : ''}`,
    fix: 'Check the value (a unit or a typo), or remove the row',
  });
}

/** UTF-8 text of a file, refusing binary content exactly as @hetmtl/data's readers do. */
function decodeText(bytes: Uint8Array, path: string): string {
  return decodeTextSync(bytes, `File ${JSON.stringify(path)}`);
}

async function readRawCsv(path: string, delimiter: string): Promise<RawTable> {
  const text = decodeText(await readFile(path), path);
  if (text.trim() === '')
    throw new ValidationError(`File ${JSON.stringify(path)} is empty`, {
      expected: 'a header row and data rows',
      received: 'no text',
      fix: 'Check that the right file was given and that it was written completely',
    });
  let header: string[] = [];
  const cols: unknown[][] = [];
  const rowNumbers: number[] = [];
  async function* chunks() {
    yield text;
  }
  await streamCsvRows(
    chunks(),
    { delimiter, quote: '"' },
    (fields) => {
      header = [...fields];
      checkHeader(header, delimiter);
      for (let j = 0; j < header.length; j++) cols.push([]);
    },
    (fields, row) => {
      rowNumbers.push(row);
      if (fields.length !== header.length) {
        throw new ValidationError('Ragged CSV row', {
          row,
          expected: `${header.length} fields, as in the header`,
          received: `${fields.length} fields`,
          fix: 'Check the delimiter and quoting of that row, or remove extra or missing fields',
        });
      }
      fields.forEach((f, j) => {
        cols[j].push(f);
      });
    },
  );
  const columns: Record<string, unknown[]> = {};
  header.forEach((h, j) => {
    columns[h] = cols[j];
  });
  return {
    columnNames: header,
    columns,
    numRows: cols[0]?.length ?? 0,
    format: 'csv',
    rowNumbers: Int32Array.from(rowNumbers),
  };
}

async function readRawJson(path: string): Promise<RawTable> {
  const text = decodeText(await readFile(path), path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ValidationError('Invalid JSON', {
      expected: 'a JSON array of records',
      received: (e as Error).message,
      fix: 'Fix the JSON syntax (JSON has no NaN, Infinity or trailing commas; use null for a missing value)',
    });
  }
  if (Array.isArray(value)) {
    const names: string[] = [];
    const seen = new Set<string>();
    value.forEach((rec, i) => {
      if (typeof rec !== 'object' || rec === null || Array.isArray(rec))
        throw new ValidationError('Unexpected JSON record', {
          row: i + 1,
          expected: 'an object { "column": value, … }',
          received: Array.isArray(rec) ? 'an array' : String(rec),
        });
      for (const k of Object.keys(rec))
        if (!seen.has(k)) {
          seen.add(k);
          names.push(k);
        }
    });
    const columns: Record<string, unknown[]> = {};
    for (const k of names)
      columns[k] = value.map((rec) => (rec as Record<string, unknown>)[k] ?? null);
    return {
      columnNames: names,
      columns,
      numRows: value.length,
      format: 'json',
      rowNumbers: Int32Array.from(value, (_, i) => i + 1),
    };
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => Array.isArray(v))
  ) {
    const columns = value as Record<string, unknown[]>;
    const lengths = new Set(Object.values(columns).map((c) => c.length));
    if (lengths.size > 1)
      throw new ValidationError('JSON columns of different lengths', {
        expected: 'an object of column arrays of one length',
        received: `lengths ${[...lengths].join(', ')}`,
      });
    const numRows = [...lengths][0] ?? 0;
    return {
      columnNames: Object.keys(columns),
      columns,
      numRows,
      format: 'json',
      rowNumbers: Int32Array.from({ length: numRows }, (_, i) => i + 1),
    };
  }
  throw new ValidationError('Unexpected JSON shape', {
    expected:
      'an array of records [{ "task": …, "x1": …, "y": … }, …] or an object of column arrays',
    received: Array.isArray(value) ? 'an array' : typeof value,
  });
}

async function readRawArrow(path: string): Promise<RawTable> {
  const arrow = await import('apache-arrow');
  let table: InstanceType<typeof arrow.Table>;
  try {
    table = arrow.tableFromIPC(await readFile(path));
  } catch (e) {
    throw new ValidationError('Invalid Arrow IPC data', {
      expected: 'an Arrow IPC file or stream (.arrow, .feather v2)',
      received: (e as Error).message,
      fix: 'Write the file with an Arrow library (pyarrow.feather.write_feather, DuckDB COPY … (FORMAT arrow))',
    });
  }
  const names = table.schema.fields.map((f) => f.name);
  const columns: Record<string, unknown[]> = {};
  for (const name of names) {
    const vec = table.getChild(name);
    const out: unknown[] = new Array(table.numRows);
    for (let i = 0; i < table.numRows; i++) {
      const v = vec?.get(i) ?? null;
      out[i] = typeof v === 'bigint' ? Number(v) : v;
    }
    columns[name] = out;
  }
  return {
    columnNames: names,
    columns,
    numRows: table.numRows,
    format: 'arrow',
    rowNumbers: Int32Array.from({ length: table.numRows }, (_, i) => i + 1),
  };
}

/** The rows of a file in file order, cells as read: for predict, which keeps every input column. */
export async function readRawTable(path: string, options: ReadOptions = {}): Promise<RawTable> {
  await checkReadable(path);
  const format = await detectFormat(path, options.format);
  switch (format) {
    case 'csv':
    case 'tsv': {
      const t = await readRawCsv(path, options.delimiter ?? (format === 'tsv' ? '\t' : ','));
      return { ...t, format };
    }
    case 'json':
      return readRawJson(path);
    case 'arrow':
      return readRawArrow(path);
  }
}
