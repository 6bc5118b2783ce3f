import {
  type BackendAvailability,
  BackendUnavailableError,
  type BackendPlugin,
  defineBackend,
  tf,
  unavailable,
} from '@hetmtl/tensor';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { locator } from '#locate';
import { binaryFor, WASM_BINARIES, type WasmBinary } from './binaries.js';
import { setTransposeARouting } from './transpose-routing.js';

export { isTransposeARouted, setTransposeARouting } from './transpose-routing.js';

export { WASM_BINARIES } from './binaries.js';

export interface WasmBackendOptions {
  /**
   * Where the `.wasm` binaries are: a URL prefix ending in `/`, or a map from each name in
   * {@link WASM_BINARIES} to its URL. Needed only to override the default. In Node the default is the
   * installed `@tensorflow/tfjs-backend-wasm` package (no network). In browsers it is next to this
   * module (`new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url)`): Vite and Rollup emit the
   * binaries with the bundle by themselves; with esbuild, the URL is relative to the bundle, so copy
   * the `.wasm` files of `@hetmtl/backend-wasm/dist` next to it (or set this option).
   */
  readonly wasmPaths?: string | Readonly<Record<WasmBinary, string>>;
  /** `false` forces the plain (non-SIMD) binary. Default: use SIMD when the platform has it. */
  readonly simd?: boolean;
  /** Threads for XNNPACK where multithreading is supported (browsers with cross-origin isolation). */
  readonly threads?: number;
  /** Route BatchMatMul with transposeA through an explicit transpose (default true; ~3× faster training). */
  readonly routeTransposeA?: boolean;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

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
      // The binary TensorFlow.js will load, where it will load it from: a missing file (Node) or a
      // failed fetch (browsers: a bundler that did not copy the .wasm files) is said here, naming
      // wasmPaths, rather than as TensorFlow.js's own error.
      const paths = options.wasmPaths ?? (await locator.defaultPaths());
      const simd = options.simd === false ? false : await simdProbe();
      const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
      const binary = binaryFor(simd, threads);
      const problem = await locator.problem(paths, binary);
      if (problem !== undefined) {
        return unavailable(
          problem,
          options.wasmPaths !== undefined
            ? `Check wasmBackend({ wasmPaths }): it must point to where ${WASM_BINARIES.join(', ')} are served (a URL prefix ending in /, or a map from each name to its URL)`
            : isNode
              ? 'Reinstall @tensorflow/tfjs-backend-wasm, or pass wasmPaths to wasmBackend()'
              : `Serve the .wasm files of @hetmtl/backend-wasm/dist next to your bundle (Vite copies them; esbuild does not: copy them), or pass wasmBackend({ wasmPaths }) with where they are served (a URL prefix ending in /, or a map from each of ${WASM_BINARIES.join(', ')} to its URL)`,
          ['cpu'],
        );
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
      setWasmPaths(options.wasmPaths ?? (await locator.defaultPaths()));
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
