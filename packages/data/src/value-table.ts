import { describeReceived, ValidationError } from '@hetmtl/tensor';

/** One row of a long table: column name → cell. */
export type TableRecord = Readonly<Record<string, unknown>>;

/**
 * A long table: an array of records (rows; any objects, so arrays of a typed interface fit), or an
 * object of equally long columns.
 */
export type TableInput = readonly object[] | Readonly<Record<string, ArrayLike<unknown>>>;

/** Uniform read access to a table's cells, whatever its layout. */
export interface ValueTable {
  readonly columnNames: readonly string[];
  readonly numRows: number;
  value(row: number, col: number): unknown;
}

function rowsTable(rows: readonly TableRecord[]): ValueTable {
  // Records are read by key; a record of a typed interface is such an object too.
  // The columns are the union of the records' keys, in order of first appearance; a key absent
  // from a record reads as a missing value.
  const names: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw new ValidationError('Invalid table row', {
        row: i + 1,
        expected: 'an object mapping column names to values',
        received: describeReceived(r),
        fix: 'Pass an array of records such as [{ task: "a", x1: 1, y: 2 }, …]',
      });
    }
    for (const k in r) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  return {
    columnNames: names,
    numRows: rows.length,
    value: (row, col) => rows[row][names[col]],
  };
}

function columnsTable(columns: Readonly<Record<string, ArrayLike<unknown>>>): ValueTable {
  const names = Object.keys(columns);
  const arrays = names.map((n) => columns[n]);
  let numRows = -1;
  names.forEach((name, j) => {
    const a = arrays[j];
    if (a === null || typeof a !== 'object' || typeof a.length !== 'number') {
      throw new ValidationError('Invalid table column', {
        column: name,
        expected: 'an array or typed array of cells',
        received: describeReceived(a),
        fix: 'Pass columns as { name: [cells…] }, or pass an array of records instead',
      });
    }
    if (numRows < 0) numRows = a.length;
    else if (a.length !== numRows) {
      throw new ValidationError('Columns of unequal length', {
        column: name,
        expected: `${numRows} cells, like column ${JSON.stringify(names[0])}`,
        received: `${a.length} cells`,
        fix: 'Give every column one cell per row',
      });
    }
  });
  return {
    columnNames: names,
    numRows: Math.max(0, numRows),
    value: (row, col) => arrays[col][row],
  };
}

/** Reads a table given as records or as columns. */
export function valueTable(input: TableInput): ValueTable {
  if (Array.isArray(input)) return rowsTable(input as readonly TableRecord[]);
  if (typeof input === 'object' && input !== null && !ArrayBuffer.isView(input)) {
    return columnsTable(input as Readonly<Record<string, ArrayLike<unknown>>>);
  }
  throw new ValidationError('Invalid table', {
    expected: 'an array of records, or an object of columns',
    received: describeReceived(input),
    fix: 'Pass [{ task, x1, …, y }, …] or { task: [...], x1: [...], y: [...] }',
  });
}
