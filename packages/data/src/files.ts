import type { AsciiDecoder } from './text-source.js';

/**
 * What the readers of file paths (readCsv, streamCsvFile, readJson, readArrow) need from the
 * platform. Two implementations behind the package's `#files` import: `files.node.ts` (node:fs,
 * under the `node` condition) and `files.browser.ts` (every other condition: a clear error, since a
 * browser has no file paths). So a browser bundle of this package holds no node:* module.
 */
export interface FileAccess {
  /** The whole file (errors as thrown by the platform, with a `code` such as ENOENT). */
  readFile(path: string | URL): Promise<Uint8Array>;
  /** The file's size in bytes, or undefined when it cannot be read. */
  size(path: string | URL): Promise<number | undefined>;
  /** The file as chunks of about 1 MB; `close()` releases it. */
  open(path: string | URL): { readonly chunks: AsyncIterable<Uint8Array>; close(): void };
  /** A faster path for ASCII bytes, where the platform has one. */
  asciiDecoder(): Promise<AsciiDecoder | undefined>;
}
