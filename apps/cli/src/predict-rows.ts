import { stat } from 'node:fs/promises';
import { type EncodedRows, type Encoding, type RowEncoder, streamCsvFile } from '@hetmtl/data';
import { ValidationError } from '@hetmtl/tensor';
import { CliError } from './errors.js';
import {
  checkHeader,
  checkReadable,
  detectFormat,
  type FileFormat,
  type RawTable,
  type ReadOptions,
  readRawTable,
} from './read-data.js';

/**
 * The rows of a file to predict, encoded with the training encoding as they are read: a CSV or
 * TSV file is streamed record by record, so neither its text nor its cells are held (memory is the
 * encoded matrix, n × p Float64), and its rows are streamed again to write the output.
 */
export interface PredictInput {
  readonly columnNames: readonly string[];
  readonly numRows: number;
  readonly format: FileFormat;
  /** Each row's number as the data package numbers rows (CSV: the spreadsheet row). */
  readonly rowNumbers: Int32Array;
  readonly encoded: EncodedRows;
  /** Per categorical column, the rows with a level not seen in training (encoded as zeros). */
  readonly unseen: ReadonlyMap<string, number>;
  /**
   * Calls `fn` with the cells of every row as read, in file order (a CSV file is read again), and
   * awaits `drain` every so often (about every MB of input): where the caller flushes its output.
   */
  forEachRow(
    fn: (cells: readonly unknown[], i: number) => void,
    drain: () => Promise<void>,
  ): Promise<void>;
}

function emptyFile(path: string): ValidationError {
  return new ValidationError(`File ${JSON.stringify(path)} is empty`, {
    expected: 'a header row and data rows',
    received: 'no text',
    fix: 'Check that the right file was given and that it was written completely',
  });
}

/** The header the row encoder sees: with `ignoreTarget`, the target column hidden (a text target of a binomial model). */
function encoderHeader(
  header: readonly string[],
  encoding: Encoding,
  ignoreTarget: boolean,
): readonly string[] {
  if (!ignoreTarget) return header;
  return header.map((h) => (h === encoding.target ? `\u0000${h}` : h));
}

async function readCsvForPredict(
  path: string,
  format: FileFormat,
  delimiter: string,
  encoding: Encoding,
  ignoreTarget: boolean,
): Promise<PredictInput> {
  const bytes = (await stat(path)).size;
  let header: readonly string[] | undefined;
  let headerChars = 0;
  let enc: RowEncoder | undefined;
  const rowNumbers: number[] = [];
  await streamCsvFile(
    path,
    { delimiter },
    (fields) => {
      checkHeader(fields, delimiter);
      header = [...fields];
      headerChars = fields.reduce((k, f) => k + f.length + 1, 0);
    },
    (fields, row, cursor) => {
      const width = (header as readonly string[]).length;
      if (fields.length !== width)
        throw new ValidationError('Ragged CSV row', {
          row,
          expected: `${width} fields, as in the header`,
          received: `${fields.length} fields`,
          fix: 'Check the delimiter and quoting of that row, or remove extra or missing fields',
        });
      // Storage sized from the first row's length (it grows if the rows are longer).
      enc ??= encoding.rowEncoder(
        encoderHeader(header as readonly string[], encoding, ignoreTarget),
        {
          expectedRows: Math.ceil((1.05 * bytes) / Math.max(1, cursor - headerChars)) + 1,
        },
      );
      enc.push(fields, row);
      rowNumbers.push(row);
    },
  );
  if (header === undefined) throw emptyFile(path);
  const columnNames = header;
  // A header without rows: the encoder still checks the columns (a missing feature column).
  const encoder = enc ?? encoding.rowEncoder(encoderHeader(columnNames, encoding, ignoreTarget));
  const numRows = rowNumbers.length;
  return {
    columnNames,
    numRows,
    format,
    rowNumbers: Int32Array.from(rowNumbers),
    encoded: encoder.finish(),
    unseen: encoder.unseenByColumn(),
    async forEachRow(fn, drain) {
      let i = 0;
      await streamCsvFile(
        path,
        { delimiter, beforeChunk: drain },
        () => {},
        (fields, row) => {
          if (i >= numRows || rowNumbers[i] !== row || fields.length !== columnNames.length)
            throw new CliError(
              `${JSON.stringify(path)} changed while it was read (row ${row})`,
              'Run the command again on a file that is not being written',
            );
          fn(fields, i++);
        },
      );
      await drain();
      if (i !== numRows)
        throw new CliError(
          `${JSON.stringify(path)} changed while it was read (${i} rows instead of ${numRows})`,
          'Run the command again on a file that is not being written',
        );
    },
  };
}

function fromRawTable(table: RawTable, encoding: Encoding, ignoreTarget: boolean): PredictInput {
  const cols = table.columnNames.map((c) => table.columns[c] ?? []);
  const cellsOf = (i: number) => cols.map((c) => c[i]);
  const enc = encoding.rowEncoder(encoderHeader(table.columnNames, encoding, ignoreTarget), {
    expectedRows: table.numRows,
  });
  for (let i = 0; i < table.numRows; i++) enc.push(cellsOf(i), table.rowNumbers[i]);
  return {
    columnNames: table.columnNames,
    numRows: table.numRows,
    format: table.format,
    rowNumbers: table.rowNumbers,
    encoded: enc.finish(),
    unseen: enc.unseenByColumn(),
    async forEachRow(fn, drain) {
      for (let i = 0; i < table.numRows; i++) {
        fn(cellsOf(i), i);
        if (i % 64 === 63) await drain();
      }
      await drain();
    },
  };
}

/** A file's rows to predict (CSV, TSV, JSON or Arrow), encoded with the training encoding. */
export async function readForPredict(
  path: string,
  encoding: Encoding,
  options: ReadOptions = {},
  /** Leave the target column alone (a binomial model's text target: predictions do not need it). */
  ignoreTarget = false,
): Promise<PredictInput> {
  await checkReadable(path);
  const format = await detectFormat(path, options.format);
  if (format === 'csv' || format === 'tsv')
    return readCsvForPredict(
      path,
      format,
      options.delimiter ?? (format === 'tsv' ? '\t' : ','),
      encoding,
      ignoreTarget,
    );
  return fromRawTable(await readRawTable(path, options), encoding, ignoreTarget);
}
