// Node's file access for the readers of file paths (see files.ts): the `node` condition of `#files`.
import { Buffer, isAscii } from 'node:buffer';
import { createReadStream, promises } from 'node:fs';
import type { FileAccess } from './files.js';

export const files: FileAccess = {
  readFile: (path) => promises.readFile(path),
  size: (path) =>
    promises.stat(path).then(
      (st) => st.size,
      () => undefined,
    ),
  open(path) {
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    return { chunks: stream, close: () => stream.destroy() };
  },
  async asciiDecoder() {
    if (typeof isAscii !== 'function') return undefined;
    return {
      isAscii,
      latin1: (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1'),
    };
  },
};
