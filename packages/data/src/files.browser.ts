// File access where there are no file paths (browsers, every condition of `#files` but `node`; see
// files.ts): reading a path is a ValidationError saying what to pass instead. No node:* module.
import { ValidationError } from '@hetmtl/tensor';
import type { FileAccess } from './files.js';

function noPaths(path: string | URL): ValidationError {
  return new ValidationError('Cannot read a file path here', {
    expected: "a file path in Node, or the file's contents elsewhere",
    received: `the path ${JSON.stringify(String(path))} in an environment without a file system (a browser)`,
    fix: 'Pass the contents: parseCsv(file) for a File or Blob (or parseCsv(await file.text())), fromJson(await file.text()), readArrow(new Uint8Array(await file.arrayBuffer()))',
  });
}

export const files: FileAccess = {
  readFile: async (path) => {
    throw noPaths(path);
  },
  size: async () => undefined,
  open(path) {
    throw noPaths(path);
  },
  asciiDecoder: async () => undefined,
};
