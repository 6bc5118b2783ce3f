// Node: the binaries of the installed @tensorflow/tfjs-backend-wasm package, read from disk (no
// network). Loaded through the package's `#locate` import under the `node` condition only, so a
// browser bundle never sees node:fs, node:module or node:path.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pathOf, type WasmBinary, type WasmLocator } from './binaries.js';

export const locator: WasmLocator = {
  async defaultPaths() {
    const require = createRequire(import.meta.url);
    return dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep;
  },
  async problem(paths, binary: WasmBinary) {
    const where = pathOf(paths, binary);
    if (/^[a-z][a-z0-9+.-]+:\/\//i.test(where) && !where.startsWith('file:')) return undefined;
    const file = where.startsWith('file:') ? fileURLToPath(where) : where;
    return existsSync(file) ? undefined : `the binary ${binary} is missing (no file ${file})`;
  },
};
