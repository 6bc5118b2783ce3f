import { describeReceived, ValidationError } from '@hetmtl/tensor';
import { files } from '#files';
import type { MultiTaskDataset } from './dataset.js';
import { readValueTable, type TableOptions } from './table-reader.js';
import { sniffBinary } from './text-source.js';
import type { ValueTable } from './value-table.js';

/** The part of an Apache Arrow `Vector` that is read (any apache-arrow version ≥ 15 has it). */
export interface ArrowVectorLike {
  readonly length: number;
  readonly nullCount: number;
  get(index: number): unknown;
  toArray(): ArrayLike<unknown>;
}

/** The part of an Apache Arrow `Table` that is read: `tableFromArrays`, `tableFromIPC`, DuckDB, Polars, … */
export interface ArrowTableLike {
  readonly numRows: number;
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
  getChild(name: string): ArrowVectorLike | null;
  /** The column at a position (apache-arrow's Table has it): a name lookup costs O(columns), so a wide table is read by position. */
  getChildAt?(index: number): ArrowVectorLike | null;
}

function isArrowTable(t: unknown): t is ArrowTableLike {
  const x = t as ArrowTableLike | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.numRows === 'number' &&
    Array.isArray(x.schema?.fields) &&
    typeof x.getChild === 'function'
  );
}

const FAST = [
  Float64Array,
  Float32Array,
  Int32Array,
  Int16Array,
  Int8Array,
  Uint32Array,
  Uint16Array,
  Uint8Array,
];

function arrowValueTable(table: ArrowTableLike): ValueTable {
  const names = table.schema.fields.map((f) => f.name);
  const byPosition = typeof table.getChildAt === 'function';
  const getters = names.map((name, j) => {
    const v = byPosition ? (table.getChildAt?.(j) ?? null) : table.getChild(name);
    if (v === null) return () => undefined;
    if (v.nullCount === 0) {
      const arr = v.toArray();
      if (FAST.some((T) => arr instanceof T) || Array.isArray(arr)) return (i: number) => arr[i];
    }
    return (i: number) => v.get(i);
  });
  return {
    columnNames: names,
    numRows: table.numRows,
    value: (row, col) => (getters[col] as (i: number) => unknown)(row),
  };
}

/**
 * A dataset from an Apache Arrow table (the columnar format that DuckDB, Polars, pandas/pyarrow
 * and others share), read column by column without copying through text. Nulls are missing
 * values; int64 columns are read as numbers; dictionary or string columns can be categorical.
 * Rows in errors are 1-based.
 */
export function fromArrow(table: ArrowTableLike, options: TableOptions): MultiTaskDataset {
  if (!isArrowTable(table)) {
    throw new ValidationError('Not an Arrow table', {
      expected: 'an Apache Arrow Table (with numRows, schema.fields and getChild)',
      received: describeReceived(table),
      fix: 'Pass a Table from apache-arrow (tableFromIPC, tableFromArrays), or use readArrow for IPC bytes or a file',
    });
  }
  return readValueTable(arrowValueTable(table), options, 'Arrow table');
}

/**
 * A dataset from Arrow IPC data (the file or stream format, e.g. a `.arrow`/`.feather` v2 file):
 * a file path (Node), bytes, or an ArrayBuffer. Needs the optional peer dependency `apache-arrow`.
 */
export async function readArrow(
  source: string | URL | Uint8Array | ArrayBuffer,
  options: TableOptions,
): Promise<MultiTaskDataset> {
  let bytes: Uint8Array;
  if (typeof source === 'string' || source instanceof URL) {
    try {
      bytes = await files.readFile(source);
    } catch (e) {
      if (ValidationError.isInstance(e)) throw e;
      throw new ValidationError('Cannot read the file', {
        expected: 'a readable file',
        received: `${(e as NodeJS.ErrnoException).code ?? (e as Error).message} for ${JSON.stringify(String(source))}`,
        fix: 'Check the path and its permissions',
        cause: e,
      });
    }
  } else if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else {
    throw new ValidationError('Invalid Arrow input', {
      expected: 'a file path, Uint8Array or ArrayBuffer of Arrow IPC data',
      received: describeReceived(source),
      fix: 'For a Table already in memory, use fromArrow(table)',
    });
  }
  let arrow: { tableFromIPC(b: Uint8Array): ArrowTableLike };
  try {
    // A variable specifier: bundlers leave this optional peer alone (a bundle must not need it).
    const arrowModule = 'apache-arrow';
    arrow = (await import(/* @vite-ignore */ arrowModule)) as unknown as typeof arrow;
  } catch (cause) {
    throw new ValidationError('apache-arrow is not installed', {
      expected: 'the optional peer dependency apache-arrow',
      received: 'no module "apache-arrow"',
      fix: 'Install it (npm install apache-arrow), or pass a Table you built yourself to fromArrow (in a browser bundle: import { tableFromIPC } from apache-arrow and pass tableFromIPC(bytes) to fromArrow)',
      cause,
    });
  }
  let table: ArrowTableLike;
  try {
    table = arrow.tableFromIPC(bytes);
  } catch (cause) {
    const what = sniffBinary(bytes.subarray(0, 8));
    throw new ValidationError('Not Arrow IPC data', {
      expected: 'an Arrow IPC file or stream',
      received: what ?? (cause as Error).message,
      fix: 'Write the table with Arrow IPC (pyarrow.feather.write_feather, tableToIPC, DuckDB COPY … (FORMAT arrow)); read CSV with readCsv',
      cause,
    });
  }
  return fromArrow(table, options);
}
