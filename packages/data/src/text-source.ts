import { describeReceived, ValidationError } from '@hetmtl/tensor';

/**
 * Text to parse: a string, bytes (UTF-8), a Blob or File (browsers and Node), a web
 * ReadableStream, or any async iterable of byte or string chunks (a Node Readable is one).
 */
export type TextInput =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>;

const CHUNK = 1 << 20;

const SIGNATURES: readonly [readonly number[], string][] = [
  [[0x1f, 0x8b], 'a gzip-compressed file'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (an .xlsx workbook is one)'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an OLE2 file (an .xls workbook is one)'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF file'],
  [[0x50, 0x41, 0x52, 0x31], 'a Parquet file'],
  [[0x41, 0x52, 0x52, 0x4f, 0x57, 0x31], 'an Arrow IPC file (use readArrow)'],
  [[0xff, 0xfe], 'UTF-16 text (little-endian)'],
  [[0xfe, 0xff], 'UTF-16 text (big-endian)'],
];

/** Names the kind of file when its first bytes are a known signature. */
export function sniffBinary(head: Uint8Array): string | undefined {
  for (const [sig, what] of SIGNATURES) {
    if (head.length >= sig.length && sig.every((b, i) => head[i] === b)) return what;
  }
  return undefined;
}

export function notTextError(source: string, received: string): ValidationError {
  return new ValidationError(`${source} is not text`, {
    expected: 'UTF-8 text',
    received,
    fix: 'Pass a text file: export a spreadsheet to CSV, decompress a compressed file, and save UTF-16 text as UTF-8',
  });
}

/** A faster path for ASCII bytes (Node's `buffer.isAscii` and latin1 decoding), where available. */
export interface AsciiDecoder {
  isAscii(bytes: Uint8Array): boolean;
  latin1(bytes: Uint8Array): string;
}

/** Line feeds in `b`. */
function countLineFeeds(b: Uint8Array, end = b.length): number {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0 && i < end; i = b.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Position of the first byte of `b` that cannot start or continue a UTF-8 character (RFC 3629:
 * no overlong forms, surrogates or code points above U+10FFFF), or -1. A character cut off by the
 * end of `b` is not an error (the next chunk continues it).
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const need =
      c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return -1;
      if ((b[i + k] & 0xc0) !== 0x80) return i;
    }
    const d = b[i + 1];
    if (
      (c === 0xe0 && d < 0xa0) ||
      (c === 0xed && d > 0x9f) ||
      (c === 0xf0 && d < 0x90) ||
      (c === 0xf4 && d > 0x8f)
    )
      return i;
    i += need + 1;
  }
  return -1;
}

const LATIN1_FIX =
  'The file is probably Latin-1 or Windows-1252 (older Excel and Windows tools write it): convert it with iconv -f latin1 -t utf-8 in.csv > out.csv (-f windows-1252 for Windows files), or save it as "CSV UTF-8"';

/** Bytes at the end of `b` that start a UTF-8 sequence not yet complete (0–3 bytes). */
function incompleteTail(b: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const lead = b[b.length - back];
    if ((lead & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    return len > back ? b.subarray(b.length - back) : b.subarray(b.length);
  }
  return b.subarray(b.length);
}

/**
 * Turns byte chunks into text chunks, refusing bytes that are not UTF-8 text. Decodes with the
 * fast lenient decoder; only a chunk whose text holds U+FFFD (the mark of invalid bytes, or rarely
 * a real U+FFFD) is checked again with a strict decoder.
 */
class Utf8Checker {
  // ignoreBOM: a BOM is removed here at byte 0 only, never mid-stream after an ASCII fast path.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private offset = 0;
  /** Line feeds before the current chunk (to name the line of a bad byte). */
  private lines = 0;
  private tail: Uint8Array = new Uint8Array(0);
  constructor(
    private readonly source: string,
    private readonly fast?: AsciiDecoder,
  ) {}

  decode(bytes: Uint8Array): string {
    if (this.offset === 0 && bytes.length > 0) {
      const what = sniffBinary(bytes);
      if (what !== undefined) throw notTextError(this.source, what);
    }
    const nul = bytes.indexOf(0);
    if (nul >= 0)
      throw notTextError(
        this.source,
        `a NUL byte at byte ${this.offset + nul + 1}, which text never contains`,
      );
    // All-ASCII bytes with no character pending from the previous chunk: a byte is a character.
    if (this.fast !== undefined && this.tail.length === 0 && this.fast.isAscii(bytes)) {
      this.offset += bytes.length;
      this.lines += countLineFeeds(bytes);
      return this.fast.latin1(bytes);
    }
    const text = this.decoder.decode(bytes, { stream: true });
    if (text.includes('\uFFFD')) {
      const joined = new Uint8Array(this.tail.length + bytes.length);
      joined.set(this.tail);
      joined.set(bytes, this.tail.length);
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(joined, { stream: true });
      } catch {
        throw this.invalidError(joined);
      }
    }
    this.lines += countLineFeeds(bytes);
    this.tail = incompleteTail(bytes);
    const first = this.offset === 0;
    this.offset += bytes.length;
    return first && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /**
   * The error for the first invalid byte of `joined` (the pending tail, then the current chunk):
   * its line and byte, and, for text with a few such bytes, the likely encoding (Latin-1 or
   * Windows-1252) and how to convert it; bytes that look like binary data (control bytes, or
   * many bytes above 0x7F) are named as such.
   */
  private invalidError(joined: Uint8Array): Error {
    const at = firstInvalidUtf8(joined);
    if (at < 0)
      return notTextError(
        this.source,
        `bytes that are not valid UTF-8 in bytes ${this.offset + 1}–${this.offset + joined.length - this.tail.length}`,
      );
    // The tail's bytes were counted in the offset and lines of the previous chunk.
    const line = this.lines - countLineFeeds(this.tail) + countLineFeeds(joined, at) + 1;
    const lineStart = joined.lastIndexOf(10, at - 1);
    const fileByte = this.offset - this.tail.length + at + 1;
    const inLine = lineStart >= 0 ? at - lineStart : null;
    const hex = joined[at].toString(16).toUpperCase().padStart(2, '0');
    const where = `the byte 0x${hex} at line ${line}${inLine !== null ? `, byte ${inLine} of the line` : ''} (byte ${fileByte} of the input), which is not UTF-8`;
    let high = 0;
    let control = 0;
    const sample = joined.subarray(0, Math.min(joined.length, 4096));
    for (const c of sample) {
      if (c >= 0x80) high++;
      else if (c < 0x20 && c !== 9 && c !== 10 && c !== 13) control++;
    }
    if (control > 0 || high > 0.3 * sample.length)
      return notTextError(this.source, `${where}, among bytes that look like binary data`);
    return new ValidationError(`${this.source} is not text`, {
      expected: 'UTF-8 text',
      received: where,
      fix: LATIN1_FIX,
    });
  }

  end(): string {
    const text = this.decoder.decode();
    if (this.tail.length > 0)
      throw notTextError(this.source, 'a truncated UTF-8 character at the end');
    return text;
  }
}

function checkString(s: string, source: string, offset: number): void {
  const nul = s.indexOf('\u0000');
  if (nul >= 0)
    throw notTextError(
      source,
      `a NUL character at character ${offset + nul + 1}, which text never contains`,
    );
}

async function* fromReader(
  reader: ReadableStreamDefaultReader<Uint8Array | string>,
): AsyncGenerator<Uint8Array | string> {
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function byteChunks(
  input: TextInput,
): AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> {
  if (input instanceof ArrayBuffer) input = new Uint8Array(input);
  if (input instanceof Uint8Array) {
    const bytes = input;
    return (function* () {
      for (let i = 0; i < bytes.length; i += CHUNK)
        yield bytes.subarray(i, Math.min(bytes.length, i + CHUNK));
    })();
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob)
    return fromReader(input.stream().getReader());
  if (typeof input === 'object' && input !== null) {
    if (typeof (input as ReadableStream).getReader === 'function')
      return fromReader((input as ReadableStream<Uint8Array | string>).getReader());
    if (typeof (input as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
      return input as AsyncIterable<Uint8Array | string>;
  }
  throw new ValidationError('Invalid text input', {
    expected: 'a string, Uint8Array, ArrayBuffer, Blob, ReadableStream or async iterable of chunks',
    received: describeReceived(input),
    fix: 'Pass the CSV text itself, its bytes, or a stream; use readCsv(path) for a file path',
  });
}

/** The input as text chunks, BOM removed, after checking that it is text. */
export async function* textChunks(
  input: TextInput,
  source: string,
  fast?: AsciiDecoder,
): AsyncGenerator<string> {
  if (typeof input === 'string') {
    const s = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    for (let i = 0; i < s.length; i += CHUNK) {
      const part = s.slice(i, i + CHUNK);
      checkString(part, source, i);
      yield part;
    }
    return;
  }
  const checker = new Utf8Checker(source, fast);
  let chars = 0;
  let first = true;
  for await (const chunk of byteChunks(input)) {
    if (typeof chunk === 'string') {
      const s = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
      checkString(s, source, chars);
      chars += s.length;
      first = false;
      if (s.length > 0) yield s;
      continue;
    }
    if (!(chunk instanceof Uint8Array)) {
      throw new ValidationError('Invalid chunk in a stream', {
        expected: 'Uint8Array or string chunks',
        received: describeReceived(chunk),
        fix: 'Stream bytes or text',
      });
    }
    const s = checker.decode(chunk);
    first = false;
    chars += s.length;
    if (s.length > 0) yield s;
  }
  const tail = checker.end();
  if (tail.length > 0) yield tail;
}

/** All of the input as one string (for formats that are parsed whole, like JSON). */
export async function readAllText(input: TextInput, source: string): Promise<string> {
  const parts: string[] = [];
  for await (const s of textChunks(input, source)) parts.push(s);
  return parts.join('');
}

/** Bytes decoded synchronously as UTF-8 text (BOM removed), refusing what is not text. */
export function decodeTextSync(bytes: Uint8Array, source: string): string {
  const checker = new Utf8Checker(source);
  return checker.decode(bytes) + checker.end();
}
