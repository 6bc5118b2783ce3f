import {
  type BackendAvailability,
  BackendUnavailableError,
  type BackendPlugin,
  defineBackend,
  tf,
  ValidationError,
} from '@hetmtl/tensor';
// #addon: addon.ts (node:fs, node:module) under the `node` condition, addon.browser.ts elsewhere.
import { ADDON_PATH, loadBinding, loadOpenBLAS, openblasCandidates, readBuildStatus } from '#addon';
import type { BuildStatus, NativeBinding } from './addon.js';
import { installFloat64Kernels } from './float64.js';
import { registerNativeBackend, TF_BACKEND_NAME } from './register.js';

export type { BuildStatus } from './addon.js';
export { openblasFloat64Kernels } from './float64.js';
export { type KernelCounts, nativeKernelStats, resetNativeKernelStats } from './kernels.js';
export { type NativeMemory, nativeMemory, releaseNativeMemory } from './pool.js';
export { NativeBackend, PRIORITY, TF_BACKEND_NAME } from './register.js';

/** Which GEMM runs matrix products. */
export type GemmChoice = 'auto' | 'openblas' | 'builtin';

export interface NativeBackendOptions {
  /**
   * `openblas`: OpenBLAS's cblas_sgemm, loaded at run time (dlopen of libopenblas.so.0, or the path in
   * HETMTL_OPENBLAS, where `none` turns it off), never linked; unavailable when it is not installed. `builtin`: the addon's own cache-blocked,
   * vectorised GEMM. `auto` (default): OpenBLAS when found, else built-in. With OpenBLAS,
   * @hetmtl/tensor's Float64 kernels (gram, rowGram, matmul, Cholesky, symmetricEigen) use its
   * dgemm / dsyrk / dpotrf / dsyevd above their crossover while this backend is current.
   */
  readonly gemm?: GemmChoice;
  /** Threads for matrix products (OpenBLAS, or the built-in GEMM on large products). Default 1. */
  readonly threads?: number;
}

/** The kernels that run in C++ (each falls back to tfjs's cpu kernel for what it does not cover). */
export const NATIVE_KERNELS = Object.freeze([
  'BatchMatMul',
  '_FusedMatMul',
  'Add',
  'Sub',
  'Multiply',
  'RealDiv',
  'SquaredDifference',
  'Maximum',
  'Minimum',
  'Relu',
  'Relu6',
  'LeakyRelu',
  'Elu',
  'EluGrad',
  'Step',
  'Sigmoid',
  'Tanh',
  'Square',
  'Sqrt',
  'Rsqrt',
  'Reciprocal',
  'Neg',
  'Abs',
  'Exp',
  'Log',
  'AddN',
  'Sum',
  'Mean',
  'Max',
] as const);

export interface NativeInfo {
  /** Whether the addon is built and loads. */
  readonly available: boolean;
  /** Why not, when it is not. */
  readonly reason?: string;
  readonly fix?: string;
  /** What the install-time build reported. */
  readonly build: BuildStatus;
  readonly addonPath: string;
  /** The GEMM in use now (after `setup()`), and the built-in one's micro-kernel. */
  readonly gemm?: 'builtin' | 'openblas';
  readonly builtinKernel?: string;
  /** The OpenBLAS library found, if any (and its build configuration). */
  readonly openblasPath?: string | null;
  readonly openblasConfig?: string | null;
  /** Why OpenBLAS was not found, when it was not. */
  readonly openblasErrors?: readonly string[];
  /** Which Float64 BLAS / LAPACK routines the loaded OpenBLAS has (see @hetmtl/tensor's float64Kernels()). */
  readonly float64?: {
    readonly dgemm: boolean;
    readonly dsyrk: boolean;
    readonly dpotrf: boolean;
    readonly dsyevd: boolean;
  };
  readonly threads?: number;
  readonly simd?: boolean;
  readonly cpu?: {
    readonly sse42: boolean;
    readonly avx2: boolean;
    readonly fma: boolean;
    readonly avx512f: boolean;
  };
  readonly compiler?: string;
}

/** What to use when the addon cannot load (the remedy's alternatives). */
const ALTERNATIVES = Object.freeze(['wasm', 'cpu']);

function usesSimd(binding: NativeBinding): boolean {
  const info = binding.info();
  return info.cpu.avx2 || info.cpu.sse42 || globalThis.process?.arch === 'arm64';
}

/** What the native backend has here: whether the addon loads, which GEMM is active, OpenBLAS's path. */
export function nativeInfo(): NativeInfo {
  const loaded = loadBinding();
  if (!loaded.ok) {
    return {
      available: false,
      reason: loaded.reason,
      fix: loaded.fix,
      build: loaded.status,
      addonPath: ADDON_PATH,
    };
  }
  const blas = loadOpenBLAS(loaded.binding);
  const info = loaded.binding.info();
  return {
    available: true,
    build: readBuildStatus(),
    addonPath: ADDON_PATH,
    gemm: info.gemm,
    builtinKernel: info.builtinKernel,
    openblasPath: info.openblasPath,
    openblasConfig: info.openblasConfig,
    openblasErrors: blas.path === null ? blas.errors : [],
    float64: info.float64,
    threads: info.threads,
    simd: usesSimd(loaded.binding),
    cpu: info.cpu,
    compiler: info.compiler,
  };
}

function checkOptions(options: NativeBackendOptions): { gemm: GemmChoice; threads: number } {
  const gemm = options.gemm ?? 'auto';
  if (!['auto', 'openblas', 'builtin'].includes(gemm)) {
    throw new ValidationError('Invalid nativeBackend option gemm', {
      expected: "'auto', 'openblas' or 'builtin'",
      received: JSON.stringify(gemm),
      fix: "Pass gemm: 'auto' (OpenBLAS when installed, else the built-in GEMM)",
    });
  }
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new ValidationError('Invalid nativeBackend option threads', {
      expected: 'an integer from 1 to 256',
      received: String(threads),
      fix: 'Pass threads: 1 (the default) or the number of cores to use for matrix products',
    });
  }
  return { gemm, threads };
}

/**
 * A native CPU backend: tfjs's cpu backend storage with the kernels of hetmtl's training loop
 * (matmul, elementwise arithmetic, activations and their gradients, reductions) in C++ on the same
 * TypedArrays, built from source at install. Registered as `hetmtl-native` with a priority below cpu:
 * choose it explicitly with `useBackend(nativeBackend())`.
 */
export function nativeBackend(options: NativeBackendOptions = {}): BackendPlugin {
  const config = checkOptions(options);
  return defineBackend({
    kind: 'backend',
    specVersion: 1,
    name: 'native',
    tfBackendName: TF_BACKEND_NAME,
    config,
    async isAvailable(): Promise<BackendAvailability> {
      const loaded = loadBinding();
      if (!loaded.ok) {
        const remedy = { reason: loaded.reason, fix: loaded.action, alternatives: ALTERNATIVES };
        return { ok: false, reason: loaded.reason, fix: loaded.fix, remedy };
      }
      if (config.gemm === 'openblas') {
        const blas = loadOpenBLAS(loaded.binding);
        if (blas.path === null) {
          return {
            ok: false,
            reason: `OpenBLAS was not found (${openblasCandidates().length > 0 ? `tried ${openblasCandidates().join(', ')}: ` : ''}${blas.errors.join('; ')})`,
            fix: "Install it (Debian/Ubuntu: apt-get install -y libopenblas0) or set HETMTL_OPENBLAS to its path, or use nativeBackend({ gemm: 'auto' }) for the built-in GEMM",
          };
        }
      }
      return { ok: true };
    },
    async setup(): Promise<void> {
      const loaded = loadBinding();
      if (!loaded.ok) {
        throw new BackendUnavailableError('native', loaded.reason, {
          fix: loaded.fix,
          remedy: { fix: loaded.action, alternatives: ALTERNATIVES },
        });
      }
      const binding = loaded.binding;
      registerNativeBackend(binding);
      binding.setThreads(config.threads);
      const blas = config.gemm === 'builtin' ? null : loadOpenBLAS(binding).path;
      if (config.gemm === 'openblas' && blas === null)
        throw new BackendUnavailableError('native', 'OpenBLAS was not found', {
          fix: "Check isAvailable() first, or use nativeBackend({ gemm: 'auto' }) for the built-in GEMM",
        });
      binding.setGemm(blas === null ? 'builtin' : 'openblas');
      installFloat64Kernels(binding, blas !== null);
      if (tf.findBackendFactory(TF_BACKEND_NAME) === null)
        throw new BackendUnavailableError(
          'native',
          `${TF_BACKEND_NAME} did not register with TensorFlow.js`,
          {
            fix: 'Check that one copy of @tensorflow/tfjs-core is installed (pnpm why @tensorflow/tfjs-core)',
          },
        );
    },
    async capabilities() {
      const loaded = loadBinding();
      if (!loaded.ok) return { simd: false, threads: 1 };
      return { simd: usesSimd(loaded.binding), threads: loaded.binding.info().threads };
    },
  });
}
