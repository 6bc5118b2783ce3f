// Browsers (and every bundler): the copies of the binaries that the build puts next to this module
// (scripts/copy-binaries.mjs), as `new URL('./….wasm', import.meta.url)`. Vite and Rollup see
// these expressions and emit the files with the bundle; esbuild leaves them as they are, so the URLs
// are relative to the bundle and the .wasm files go next to it. Loaded through the package's
// `#locate` import (every condition but `node`): no node:* module.
import { pathOf, type WasmBinary, type WasmLocator } from './binaries.js';

// An IIFE bundle has no import.meta.url; the script being evaluated is the bundle (read it now: it
// is gone once the script has run).
const scriptUrl =
  typeof document !== 'undefined'
    ? (document.currentScript as { src?: string } | null)?.src || undefined
    : undefined;

function nextToModule(): Readonly<Record<WasmBinary, string>> {
  try {
    return {
      'tfjs-backend-wasm.wasm': new URL('./tfjs-backend-wasm.wasm', import.meta.url).href,
      'tfjs-backend-wasm-simd.wasm': new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url).href,
      'tfjs-backend-wasm-threaded-simd.wasm': new URL(
        './tfjs-backend-wasm-threaded-simd.wasm',
        import.meta.url,
      ).href,
    };
  } catch {
    const base = scriptUrl ?? (globalThis as { location?: { href: string } }).location?.href;
    const at = (f: WasmBinary) => new URL(f, base).href;
    return {
      'tfjs-backend-wasm.wasm': at('tfjs-backend-wasm.wasm'),
      'tfjs-backend-wasm-simd.wasm': at('tfjs-backend-wasm-simd.wasm'),
      'tfjs-backend-wasm-threaded-simd.wasm': at('tfjs-backend-wasm-threaded-simd.wasm'),
    };
  }
}

// Vite's dev server moves pre-bundled dependencies to node_modules/.vite/deps, away from the binaries.
const VITE_DEPS = '/node_modules/.vite/deps/';
const VITE_HINT =
  " (Vite's dev server pre-bundled @hetmtl/backend-wasm: add it to optimizeDeps.exclude in vite.config)";

export const locator: WasmLocator = {
  async defaultPaths() {
    return nextToModule();
  },
  async problem(paths, binary) {
    const url = pathOf(paths, binary);
    if (typeof fetch !== 'function' || url.startsWith('data:') || url.startsWith('blob:'))
      return undefined;
    try {
      const res = await fetch(url, { method: 'HEAD' });
      // A server without HEAD support is not a missing file.
      if (res.status === 405 || res.status === 501) return undefined;
      const hint = url.includes(VITE_DEPS) ? VITE_HINT : '';
      if (!res.ok) return `fetching ${binary} from ${url} gave HTTP ${res.status}${hint}`;
      // A dev server's fallback page (Vite's, for a file it does not have) is not the binary.
      if ((res.headers.get('content-type') ?? '').includes('text/html'))
        return `fetching ${binary} from ${url} gave an HTML page, not the binary${hint}`;
      return undefined;
    } catch (e) {
      return `fetching ${binary} from ${url} failed (${(e as Error).message})`;
    }
  },
};
