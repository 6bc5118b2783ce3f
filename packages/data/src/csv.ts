import { rowColumnPlan } from './row-columns.js';
import { describeReceived, opt, ValidationError } from '@hetmtl/tensor';
import { files } from '#files';
import Papa from 'papaparse';
import type { MultiTaskDataset } from './dataset.js';
import { type SizeHint, TableReader, type TableOptions } from './table-reader.js';
import { type TextInput, textChunks } from './text-source.js';

/** Options of {@link parseCsv} and {@link readCsv}: the table options plus the CSV dialect. */
export interface CsvOptions extends TableOptions {
  /** Field delimiter: "," by default; "\t" for TSV, ";" for European spreadsheets, or "auto" to guess. */
  readonly delimiter?: string;
  /** Quote character, '"' by default. A quote inside a quoted field is doubled (""). */
  readonly quote?: string;
  /** A name for the input in messages and the report (default: `File "<path>"`, or "CSV input"). */
  readonly sourceName?: string;
}

/**
 * What {@link streamCsvRows} calls for each record. `row` is the 1-based row number (the header is
 * row 1); `cursor` the number of characters read so far.
 */
export type CsvRowHandler = (fields: readonly string[], row: number, cursor: number) => void;

interface Listeners {
  data: ((chunk: string) => void)[];
  end: (() => void)[];
  error: ((e: unknown) => void)[];
}

function checkDialect(options: CsvOptions): { delimiter: string; quote: string } {
  const delimiter = options.delimiter ?? ',';
  const quote = options.quote ?? '"';
  if (
    typeof delimiter !== 'string' ||
    (delimiter !== 'auto' &&
      (delimiter.length !== 1 || /[\r\n]/.test(delimiter) || delimiter === quote))
  ) {
    const tab = delimiter === '\\t' || delimiter === 'tab' || delimiter === 'TAB';
    throw new ValidationError('Invalid delimiter option', {
      column: 'delimiter',
      expected: 'one character other than a line break or the quote character, or "auto"',
      received: describeReceived(delimiter),
      fix: tab
        ? ['For a tab-separated file pass ', opt('delimiter', '\t'), ' (the tab character itself)']
        : [
            'Pass ',
            opt('delimiter', ','),
            ' (the default), ',
            opt('delimiter', '\t'),
            ', ',
            opt('delimiter', ';'),
            ' or ',
            opt('delimiter', 'auto'),
          ],
    });
  }
  if (typeof quote !== 'string' || quote.length !== 1 || /[\r\n]/.test(quote)) {
    throw new ValidationError('Invalid quote option', {
      column: 'quote',
      expected: "one character, '\"' by default",
      received: describeReceived(quote),
    });
  }
  return { delimiter: delimiter === 'auto' ? '' : delimiter, quote };
}

/**
 * Streams the records of CSV text through Papa Parse, one at a time: quoted fields (with
 * delimiters, doubled quotes and line breaks inside), LF, CRLF or CR line ends, a leading BOM.
 * Blank lines (empty or only spaces) are skipped, but counted in row numbers. Calls `onHeader` with the first record,
 * then `onRow` for each data record; errors thrown by the handlers stop the parse and reject.
 */
export function streamCsvRows(
  chunks: AsyncIterable<string>,
  options: { delimiter: string; quote: string },
  onHeader: (fields: readonly string[]) => void,
  onRow: CsvRowHandler,
): Promise<{ records: number }> {
  return new Promise((resolve, reject) => {
    const listeners: Listeners = { data: [], end: [], error: [] };
    let failure: unknown;
    let done = false;
    let row = 0;
    let sawHeader = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      if (error !== undefined) reject(error);
      else resolve({ records: row });
    };
    // Papa Parse streams from anything shaped like a Node Readable; this one is fed from `chunks`
    // and works in browsers too.
    const source = {
      readable: true,
      read: () => null,
      pause: () => {},
      resume: () => {},
      on(event: keyof Listeners, fn: never) {
        (listeners[event] as unknown[]).push(fn);
        return source;
      },
      removeListener(event: keyof Listeners, fn: never) {
        const list = listeners[event] as unknown[];
        const i = list.indexOf(fn);
        if (i >= 0) list.splice(i, 1);
        return source;
      },
    };
    Papa.parse(source as unknown as NodeJS.ReadableStream, {
      delimiter: options.delimiter,
      quoteChar: options.quote,
      escapeChar: options.quote,
      header: false,
      dynamicTyping: false,
      skipEmptyLines: false,
      step: (results: Papa.ParseStepResult<string[]>, parser: Papa.Parser) => {
        if (failure !== undefined) return;
        row++;
        try {
          const fields = results.data;
          if (results.errors.length > 0) {
            const e =
              results.errors.find((x) => x.type === 'Quotes') ??
              results.errors.find((x) => x.type !== 'Delimiter');
            if (e !== undefined) {
              throw new ValidationError('Malformed quotes', {
                row,
                expected: 'each quoted field closed by a quote, with quotes inside it doubled ("")',
                received: e.message,
                fix: [
                  'Close the quote or double the quote characters inside the field; if quotes are not used for quoting, pass another character as ',
                  opt('quote'),
                ],
              });
            }
          }
          if (fields.length === 1 && fields[0].trim() === '') return;
          if (!sawHeader) {
            sawHeader = true;
            onHeader(fields);
          } else onRow(fields, row, results.meta.cursor);
        } catch (e) {
          failure = e;
          parser.abort();
        }
      },
      complete: () => finish(failure),
      error: (e: unknown) => finish(failure ?? e),
    });
    (async () => {
      try {
        for await (const chunk of chunks) {
          if (failure !== undefined || done) break;
          for (const fn of [...listeners.data]) fn(chunk);
        }
        if (failure === undefined && !done) for (const fn of [...listeners.end]) fn();
        if (!done) finish(failure);
      } catch (e) {
        failure ??= e;
        finish(failure);
      }
    })();
  });
}

function emptyError(source: string): ValidationError {
  return new ValidationError(`${source} is empty`, {
    expected: 'a header row naming the columns, then data rows',
    received: 'no text (0 records)',
    fix: 'Check that the right file was given and that it was written completely',
  });
}

async function parseChunks(
  chunks: AsyncIterable<string>,
  options: CsvOptions,
  source: string,
  sizing: SizeHint,
): Promise<MultiTaskDataset> {
  const dialect = checkDialect(options);
  const rows = rowColumnPlan(options);
  let reader: TableReader | undefined;
  await streamCsvRows(
    chunks,
    dialect,
    (header) => {
      reader = new TableReader(
        header,
        rows.inner,
        source,
        dialect.delimiter === '' ? sizing : { ...sizing, delimiter: dialect.delimiter },
      );
    },
    (fields, row, cursor) => (reader as TableReader).pushStrings(fields, row, cursor),
  );
  if (reader === undefined) throw emptyError(source);
  return rows.finish(reader.finish());
}

/**
 * A dataset from CSV content with a header row: a string, bytes, a Blob/File, a web
 * ReadableStream or an async iterable of chunks (works in browsers). Streams: the text is never
 * held whole. Row numbers in errors are those a spreadsheet shows: the header is row 1, the first
 * data row is row 2 (equal to the line number unless an earlier field holds a line break).
 */
export async function parseCsv(input: TextInput, options: CsvOptions): Promise<MultiTaskDataset> {
  const source = options?.sourceName ?? 'CSV input';
  // The size, when known, lets the rows go to one buffer sized from the first rows.
  const chars =
    typeof input === 'string'
      ? input.length
      : input instanceof Uint8Array || input instanceof ArrayBuffer
        ? input.byteLength
        : typeof Blob !== 'undefined' && input instanceof Blob
          ? input.size
          : undefined;
  return parseChunks(
    textChunks(input, source),
    options,
    source,
    chars === undefined ? {} : { chars },
  );
}

/** A dataset from a CSV file (Node): streamed from disk, never held whole. See {@link parseCsv}. */
export async function readCsv(path: string | URL, options: CsvOptions): Promise<MultiTaskDataset> {
  const source = options?.sourceName ?? `File ${JSON.stringify(String(path))}`;
  const size = await files.size(path);
  const file = files.open(path);
  try {
    return await parseChunks(
      textChunks(fileBytes(file.chunks, path), source, await files.asciiDecoder()),
      options,
      source,
      size === undefined ? {} : { chars: size },
    );
  } finally {
    file.close();
  }
}

/** File bytes, with a readable error when the file cannot be opened. */
export async function* fileBytes(
  stream: AsyncIterable<Uint8Array>,
  path: string | URL,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string') {
      throw new ValidationError('Cannot read the file', {
        expected: 'a readable file',
        received: `${err.code} for ${JSON.stringify(String(path))}`,
        fix:
          err.code === 'ENOENT'
            ? 'Check the path (relative paths start at the current directory)'
            : 'Check the path and its permissions',
        cause: e,
      });
    }
    throw e;
  }
}

/**
 * Streams the records of a CSV file (Node) through {@link streamCsvRows}, with the UTF-8 and
 * binary-content checks of {@link readCsv}: for a caller that keeps its own form of the rows (the
 * text and the cells are never held whole).
 */
export async function streamCsvFile(
  path: string | URL,
  options: {
    readonly delimiter: string;
    readonly quote?: string;
    readonly sourceName?: string;
    /** Awaited before each chunk of text (about 1 MB) is parsed: back-pressure for the handlers' output. */
    readonly beforeChunk?: () => Promise<void>;
  },
  onHeader: (fields: readonly string[]) => void,
  onRow: CsvRowHandler,
): Promise<{ records: number }> {
  const source = options.sourceName ?? `File ${JSON.stringify(String(path))}`;
  const file = files.open(path);
  const before = options.beforeChunk;
  async function* paced(chunks: AsyncIterable<string>): AsyncGenerator<string> {
    for await (const chunk of chunks) {
      if (before) await before();
      yield chunk;
    }
  }
  try {
    return await streamCsvRows(
      paced(textChunks(fileBytes(file.chunks, path), source, await files.asciiDecoder())),
      { delimiter: options.delimiter, quote: options.quote ?? '"' },
      onHeader,
      onRow,
    );
  } finally {
    file.close();
  }
}
