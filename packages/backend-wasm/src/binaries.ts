/** The three binaries of `@tensorflow/tfjs-backend-wasm`; TensorFlow.js loads one of them. */
export const WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

export type WasmBinary = (typeof WASM_BINARIES)[number];

/** The binary TensorFlow.js loads (its own choice in tfjs-backend-wasm 4.22). */
export function binaryFor(simd: boolean, threads: boolean): WasmBinary {
  if (simd && threads) return 'tfjs-backend-wasm-threaded-simd.wasm';
  return simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
}

/**
 * Where the binaries are by default on this platform. Two implementations behind the package's
 * `#locate` import: `locate.node.ts` (the installed tfjs-backend-wasm package, found with
 * `node:module`) and `locate.browser.ts` (the copies next to this module, `new URL(…, import.meta.url)`).
 */
export interface WasmLocator {
  /** The default `wasmPaths`: a directory prefix ending in a separator, or a map of the three URLs. */
  defaultPaths(): Promise<string | Readonly<Record<WasmBinary, string>>>;
  /**
   * Why `binary` cannot be loaded from `paths` (undefined when it can): a missing file in Node, a
   * failed fetch in browsers.
   */
  problem(
    paths: string | Readonly<Record<WasmBinary, string>>,
    binary: WasmBinary,
  ): Promise<string | undefined>;
}

/** The URL or path of `binary` under `paths` (a prefix or a map). */
export function pathOf(
  paths: string | Readonly<Record<WasmBinary, string>>,
  binary: WasmBinary,
): string {
  return typeof paths === 'string' ? paths + binary : paths[binary];
}
