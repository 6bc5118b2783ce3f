import type { MultiTaskDataset } from './dataset.js';
import { readValueTable, type TableOptions } from './table-reader.js';
import { type TableInput, valueTable } from './value-table.js';

/**
 * A dataset from a long table with a task column: an array of records
 * (`[{ school: 1, x1: 0.3, score: 17 }, …]`) or an object of columns
 * (`{ school: [...], x1: [...], score: [...] }`). Cells may be numbers, numeric strings, booleans
 * (1/0), bigints, or null/undefined/"" for missing. Rows in errors are 1-based positions in the
 * table (the first record is row 1).
 */
export function fromLongTable(input: TableInput, options: TableOptions): MultiTaskDataset {
  const source = Array.isArray(input) ? 'records' : 'columns';
  return readValueTable(valueTable(input), options, source);
}
