import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The functions of the compiled addon (native/addon.cc). Every array is used in place. */
export interface NativeBinding {
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  biasActivation(
    out: Float32Array,
    bias: Float32Array | null,
    rows: number,
    cols: number,
    activation: number,
    alpha: number,
  ): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, plan: Int32Array): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  eluGrad(dy: Float32Array, y: Float32Array, out: Float32Array): void;
  addN(inputs: Float32Array[], out: Float32Array): void;
  reduce(
    op: number,
    x: Float32Array,
    out: Float32Array,
    outer: number,
    reduced: number,
    inner: number,
  ): void;
  /** c[m,n] = op(a)·op(b), row-major Float64 (OpenBLAS's cblas_dgemm; throws when it is not loaded). */
  dgemm(
    a: Float64Array,
    b: Float64Array,
    c: Float64Array,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  /** c[n,n] (both triangles) = aᵀa for a [k,n] (transpose), else aaᵀ for a [n,k] (cblas_dsyrk). */
  dsyrk(a: Float64Array, c: Float64Array, n: number, k: number, transpose: boolean): void;
  /** In place: the lower triangle of row-major a becomes L (a = LLᵀ), the upper is zeroed; LAPACK's info. */
  dpotrf(a: Float64Array, n: number): number;
  /** In place: a becomes the eigenvectors (row-major, column j ↔ w[j]), w increasing; LAPACK's info. */
  dsyevd(a: Float64Array, w: Float64Array, n: number): number;
  /** null when loaded, else the loader's error. */
  loadOpenBLAS(path: string): string | null;
  setGemm(gemm: 'builtin' | 'openblas'): boolean;
  setThreads(threads: number): void;
  info(): RawNativeInfo;
  readonly abiVersion: number;
}

export interface RawNativeInfo {
  readonly gemm: 'builtin' | 'openblas';
  readonly threads: number;
  readonly builtinKernel: 'avx2+fma' | 'generic';
  readonly elementwiseClones: boolean;
  readonly openblasPath: string | null;
  readonly openblasConfig: string | null;
  /** Which Float64 routines the loaded OpenBLAS has (all false without OpenBLAS). */
  readonly float64: {
    readonly dgemm: boolean;
    readonly dsyrk: boolean;
    readonly dpotrf: boolean;
    readonly dsyevd: boolean;
  };
  readonly cpu: {
    readonly sse42: boolean;
    readonly avx2: boolean;
    readonly fma: boolean;
    readonly avx512f: boolean;
  };
  readonly compiler: string;
}

/** What the install-time build wrote to build/status.json. */
export interface BuildStatus {
  readonly ok: boolean;
  readonly kind: 'ok' | 'no-toolchain' | 'no-headers' | 'compile-error' | 'skipped' | 'missing';
  readonly reason?: string;
  readonly fix?: string;
  /** The fix without the switch to wasm. */
  readonly action?: string;
  readonly log?: string;
}

export const ADDON_PATH = fileURLToPath(
  new URL('../build/Release/hetmtl_native.node', import.meta.url),
);
const STATUS_PATH = fileURLToPath(new URL('../build/status.json', import.meta.url));
const NEVER_BUILT =
  'Run `npm rebuild @hetmtl/backend-native` (pnpm: add @hetmtl/backend-native to onlyBuiltDependencies, then `pnpm rebuild`)';
const WASM_ADVICE = 'or use wasmBackend() from @hetmtl/backend-wasm, which needs no compiler';

export type LoadResult =
  | { readonly ok: true; readonly binding: NativeBinding }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly fix: string;
      /** What makes the addon load (the fix without the switch to wasm). */
      readonly action: string;
      readonly status: BuildStatus;
    };

export function readBuildStatus(): BuildStatus {
  try {
    return JSON.parse(readFileSync(STATUS_PATH, 'utf8')) as BuildStatus;
  } catch {
    return {
      ok: false,
      kind: 'missing',
      reason:
        'the addon was never built (were install scripts disabled, e.g. npm --ignore-scripts or pnpm without onlyBuiltDependencies?)',
      fix: `${NEVER_BUILT}, ${WASM_ADVICE}`,
      action: NEVER_BUILT,
    };
  }
}

let loaded: LoadResult | undefined;

/** Loads the compiled addon once; never throws. */
export function loadBinding(): LoadResult {
  if (loaded) return loaded;
  const status = readBuildStatus();
  if (!existsSync(ADDON_PATH)) {
    loaded = {
      ok: false,
      reason: `the native addon is not built: ${status.reason ?? 'build/Release/hetmtl_native.node is missing'}`,
      fix: status.fix ?? `Run \`npm rebuild @hetmtl/backend-native\`, ${WASM_ADVICE}`,
      action:
        status.fix === undefined
          ? 'Run `npm rebuild @hetmtl/backend-native`'
          : (status.action ?? ''),
      status,
    };
    return loaded;
  }
  try {
    const binding = createRequire(import.meta.url)(ADDON_PATH) as NativeBinding;
    if (binding.abiVersion !== 2)
      throw new Error(`addon ABI ${binding.abiVersion}, expected 2 (a stale build?)`);
    loaded = { ok: true, binding };
  } catch (e) {
    loaded = {
      ok: false,
      reason: `the native addon failed to load: ${(e as Error).message}`,
      fix: `Rebuild it with \`npm rebuild @hetmtl/backend-native\`, ${WASM_ADVICE}`,
      action: 'Rebuild it with `npm rebuild @hetmtl/backend-native`',
      status,
    };
  }
  return loaded;
}

/**
 * Where OpenBLAS is looked for: the path in HETMTL_OPENBLAS when it is set (only there; `none` turns
 * OpenBLAS off), else the system's library by its usual names.
 */
export function openblasCandidates(): string[] {
  const env = process.env.HETMTL_OPENBLAS;
  if (env !== undefined && env !== '') return env === 'none' ? [] : [env];
  if (process.platform === 'darwin') {
    return [
      'libopenblas.dylib',
      '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
      '/usr/local/opt/openblas/lib/libopenblas.dylib',
    ];
  }
  return ['libopenblas.so.0', 'libopenblas.so'];
}

let openblas: { path: string | null; errors: string[] } | undefined;

/** Tries to dlopen OpenBLAS once; returns its path, or null with why. */
export function loadOpenBLAS(binding: NativeBinding): { path: string | null; errors: string[] } {
  if (openblas) return openblas;
  const errors: string[] = [];
  for (const candidate of openblasCandidates()) {
    const error = binding.loadOpenBLAS(candidate);
    if (error === null) {
      openblas = { path: binding.info().openblasPath ?? candidate, errors };
      return openblas;
    }
    errors.push(error);
  }
  if (errors.length === 0) errors.push('turned off by HETMTL_OPENBLAS=none');
  openblas = { path: null, errors };
  return openblas;
}
