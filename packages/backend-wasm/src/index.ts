import {
  type BackendAvailability,
  BackendUnavailableError,
  type BackendPlugin,
  defineBackend,
  tf,
  unavailable,
} from '@hetmtl/tensor';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { setTransposeARouting } from './transpose-routing.js';

export { isTransposeARouted, setTransposeARouting } from './transpose-routing.js';

export const WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

export interface WasmBackendOptions {
  /**
   * Where the `.wasm` binaries are served from, in browsers: a URL prefix ending in `/`, or a map from
   * each name in {@link WASM_BINARIES} to its URL. In Node the binaries are found in the installed
   * `@tensorflow/tfjs-backend-wasm` package, with no network, and this option is only needed to override.
   */
  readonly wasmPaths?: string | Readonly<Record<(typeof WASM_BINARIES)[number], string>>;
  /** `false` forces the plain (non-SIMD) binary. Default: use SIMD when the platform has it. */
  readonly simd?: boolean;
  /** Threads for XNNPACK where multithreading is supported (browsers with cross-origin isolation). */
  readonly threads?: number;
  /** Route BatchMatMul with transposeA through an explicit transpose (default true; ~3× faster training). */
  readonly routeTransposeA?: boolean;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** The directory of tfjs-backend-wasm's binaries in Node (ending in a path separator). */
async function nodeWasmDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

let applied: string | undefined;
let simdDefault: boolean | undefined;

function wasmInitialized(): boolean {
  return (
    (tf.engine() as unknown as { registry: Record<string, unknown> }).registry.wasm !== undefined
  );
}

/** tfjs's own SIMD detection, evaluated once (before any override of the flag). */
async function simdProbe(): Promise<boolean> {
  simdDefault ??= Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return simdDefault;
}

/**
 * TensorFlow.js's WebAssembly backend (XNNPACK kernels, SIMD when available). In Node it is
 * single-threaded. Fast for the small dense workloads of multi-task learning; works offline.
 *
 * Importing this package registers the wasm backend with TensorFlow.js at a higher priority than
 * cpu: always choose backends explicitly with `useBackend(...)`.
 */
export function wasmBackend(options: WasmBackendOptions = {}): BackendPlugin {
  const config = {
    simd: options.simd ?? 'auto',
    routeTransposeA: options.routeTransposeA ?? true,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.wasmPaths !== undefined ? { wasmPaths: options.wasmPaths } : {}),
  };
  return defineBackend({
    kind: 'backend',
    specVersion: 1,
    name: 'wasm',
    tfBackendName: 'wasm',
    config,
    async isAvailable(): Promise<BackendAvailability> {
      if (typeof WebAssembly !== 'object') {
        return unavailable('this JavaScript engine has no WebAssembly', '', ['cpu']);
      }
      if (isNode && options.wasmPaths === undefined) {
        const fs = await import('node:fs');
        const dir = await nodeWasmDir();
        const missing = WASM_BINARIES.filter((f) => !fs.existsSync(dir + f));
        if (missing.length > 0) {
          return unavailable(
            `the binaries ${missing.join(', ')} are missing from ${dir}`,
            'Reinstall @tensorflow/tfjs-backend-wasm, or pass wasmPaths to wasmBackend()',
            ['cpu'],
          );
        }
      }
      return { ok: true };
    },
    async setup(): Promise<void> {
      setTransposeARouting(config.routeTransposeA);
      const key = JSON.stringify([options.simd, options.threads, options.wasmPaths]);
      if (applied === key) return;
      // tfjs-wasm reads its binary paths and flags once, when the backend first initialises.
      if (applied !== undefined && wasmInitialized()) {
        throw new BackendUnavailableError(
          'wasm',
          'it is already initialised with other simd/threads/wasmPaths options',
          {
            fix: 'Start a new process to change these options, or create wasmBackend() with the options in use',
          },
        );
      }
      tf.env().set('WASM_HAS_SIMD_SUPPORT', options.simd === false ? false : await simdProbe());
      if (options.threads !== undefined) setThreadsCount(options.threads);
      if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths as string);
      else if (isNode) setWasmPaths(await nodeWasmDir());
      applied = key;
    },
    async capabilities() {
      return {
        simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
        threads: getThreadsCount(),
      };
    },
  });
}
