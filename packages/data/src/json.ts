import { describeReceived, ValidationError } from '@hetmtl/tensor';
import { files } from '#files';
import type { MultiTaskDataset } from './dataset.js';
import { readValueTable, type TableOptions } from './table-reader.js';
import { readAllText, type TextInput } from './text-source.js';
import { type TableInput, valueTable } from './value-table.js';

/** Options of {@link fromJson}: the table options, plus a name for the input in messages. */
export interface JsonOptions extends TableOptions {
  readonly sourceName?: string;
}

function fromParsed(value: unknown, options: JsonOptions, source: string): MultiTaskDataset {
  const isColumns =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => Array.isArray(v));
  if (!Array.isArray(value) && !isColumns) {
    throw new ValidationError('Unexpected JSON shape', {
      expected:
        'an array of records [{ "task": …, "x1": …, "y": … }, …] or an object of column arrays',
      received: describeReceived(value),
      fix: 'Pass the array of records itself (for {"data": [...]}, pass its data field)',
    });
  }
  if (Array.isArray(value) && value.length === 0) {
    throw new ValidationError('No records', {
      expected: 'at least one record (a row with the task, target and feature columns)',
      received: 'an empty array',
      fix: 'Check that the right data was given (an export with no rows gives [])',
    });
  }
  return readValueTable(valueTable(value as TableInput), options, source);
}

/**
 * A dataset from JSON: an array of records (pandas' `to_json(orient="records")`) or an object of
 * columns (`orient="list"`), given as JSON text, bytes, a Blob/stream, or already parsed. Rows in
 * errors are 1-based positions in the array.
 */
export async function fromJson(
  input: TextInput | readonly unknown[] | Readonly<Record<string, unknown>>,
  options: JsonOptions,
): Promise<MultiTaskDataset> {
  const source = options?.sourceName ?? 'JSON';
  const isText =
    typeof input === 'string' ||
    input instanceof Uint8Array ||
    input instanceof ArrayBuffer ||
    (typeof Blob !== 'undefined' && input instanceof Blob) ||
    (typeof input === 'object' &&
      input !== null &&
      !Array.isArray(input) &&
      (typeof (input as ReadableStream).getReader === 'function' ||
        typeof (input as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'));
  if (!isText) return fromParsed(input, options, source);
  const text = await readAllText(input as TextInput, source);
  if (text.trim() === '') {
    throw new ValidationError(`${source} is empty`, {
      expected: 'a JSON array of records',
      received: 'no text',
      fix: 'Check that the right file was given and that it was written completely',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ValidationError('Invalid JSON', {
      expected: 'a JSON array of records',
      received: (e as Error).message,
      fix: 'Fix the JSON syntax (JSON has no NaN, Infinity or trailing commas; use null for a missing value)',
      cause: e,
    });
  }
  return fromParsed(value, options, source);
}

/** A dataset from a JSON file (Node). See {@link fromJson}. */
export async function readJson(
  path: string | URL,
  options: JsonOptions,
): Promise<MultiTaskDataset> {
  let bytes: Uint8Array;
  try {
    bytes = await files.readFile(path);
  } catch (e) {
    if (ValidationError.isInstance(e)) throw e;
    throw new ValidationError('Cannot read the file', {
      expected: 'a readable file',
      received: `${(e as NodeJS.ErrnoException).code ?? (e as Error).message} for ${JSON.stringify(String(path))}`,
      fix: 'Check the path and its permissions',
      cause: e,
    });
  }
  return fromJson(bytes, {
    ...options,
    sourceName: options?.sourceName ?? `File ${JSON.stringify(String(path))}`,
  });
}
