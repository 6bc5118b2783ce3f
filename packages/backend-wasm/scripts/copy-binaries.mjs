// Copies the three .wasm binaries of the installed @tensorflow/tfjs-backend-wasm into dist/, next to
// dist/locate.browser.js, which refers to them as new URL('./….wasm', import.meta.url): bundlers
// that follow such URLs (Vite, Rollup, webpack 5) emit them with the bundle.
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const from = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
const to = fileURLToPath(new URL('../dist/', import.meta.url));
for (const f of [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
]) {
  copyFileSync(join(from, f), join(to, f));
}
