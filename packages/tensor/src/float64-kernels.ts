import { ValidationError } from './errors.js';
import { tf } from './tf.js';

/**
 * Optional native Float64 kernels (BLAS / LAPACK) behind the heavy calls of the Float64 linear
 * algebra: {@link gram} and {@link rowGram} (syrk), {@link matmul} (gemm), {@link cholesky} and
 * {@link choleskyWithJitter} (potrf), {@link symmetricEigen} (syevd). A backend installs them with
 * {@link setFloat64Kernels} when it is activated (the native backend does, when OpenBLAS is found);
 * the JavaScript kernels are the default, the fallback for every kernel a provider lacks or every
 * problem below its crossover, and the reference the native ones are tested against. Inputs are
 * validated in JavaScript before a native kernel runs, so errors are the same on both paths.
 *
 * Every array is row-major and dense, sizes are checked by the caller, outputs are written in place.
 */
export interface Float64Kernels {
  /** C (m×n) = op(A)·op(B): A is m×k (k×m when transA), B is k×n (n×k when transB). */
  readonly gemm?: (
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    A: Float64Array,
    B: Float64Array,
    C: Float64Array,
  ) => void;
  /** C (n×n, both triangles) = AᵀA for A stored k×n (trans), else AAᵀ for A stored n×k. */
  readonly syrk?: (trans: boolean, n: number, k: number, A: Float64Array, C: Float64Array) => void;
  /**
   * In place on an n×n A (its lower triangle read): the lower triangle becomes L with A = L·Lᵀ and
   * the strict upper triangle is zeroed. Returns 0, or j + 1 when pivot j is not positive (A[j, j]
   * then holds that pivot's value), as LAPACK's dpotrf.
   */
  readonly potrf?: (n: number, A: Float64Array) => number;
  /**
   * In place on an n×n symmetric A (its lower triangle read): A becomes the orthonormal
   * eigenvectors as columns (column j ↔ values[j]), `values` the eigenvalues, increasing. Returns
   * 0, or LAPACK's non-zero info when it did not converge.
   */
  readonly syevd?: (n: number, A: Float64Array, values: Float64Array) => number;
}

/** The kernels' names, for {@link Float64KernelProvider.crossover} and {@link float64Kernels}. */
export type Float64KernelName = keyof Float64Kernels;

export const FLOAT64_KERNEL_NAMES: readonly Float64KernelName[] = Object.freeze([
  'gemm',
  'syrk',
  'potrf',
  'syevd',
]);

/**
 * Below these sizes the JavaScript kernels run even when native ones are installed (the call's
 * overhead outweighs the speed-up). The size of a product is the cube root of its multiply-adds
 * (m·n·k for gemm, n²·k for syrk), the order n for potrf and syevd. Measured with the native
 * backend's OpenBLAS (packages/backend-native/bench/float64.bench.mjs, one thread): native gemm,
 * syrk and syevd are faster from about 16, potrf from about 32 (1.3× at 32–48, 2× at 64); the
 * crossovers are set a step above, where the gain is clear, so small problems stay in JavaScript.
 */
export const FLOAT64_CROSSOVER: Readonly<Record<Float64KernelName, number>> = Object.freeze({
  gemm: 32,
  syrk: 32,
  potrf: 48,
  syevd: 32,
});

/** A set of native kernels and when they apply. */
export interface Float64KernelProvider extends Float64Kernels {
  /** Who provides them, e.g. `openblas`. */
  readonly name: string;
  /**
   * The TensorFlow.js backend they belong to: they run only while it is TensorFlow.js's current
   * backend (switching to another backend turns them off). Always, when not given.
   */
  readonly tfBackend?: string;
  /** Per-kernel sizes from which the native kernel runs (default {@link FLOAT64_CROSSOVER}). */
  readonly crossover?: Partial<Record<Float64KernelName, number>>;
}

let installed: Float64KernelProvider | undefined;

/**
 * Installs native Float64 kernels (or, with `undefined`, goes back to the JavaScript ones) and
 * returns the provider installed before. For backend packages; users choose a backend instead.
 */
export function setFloat64Kernels(
  provider: Float64KernelProvider | undefined,
): Float64KernelProvider | undefined {
  if (provider !== undefined) {
    if (typeof provider.name !== 'string' || provider.name.length === 0) {
      throw new ValidationError('Float64 kernel provider has no name', {
        expected: 'a non-empty string',
        received: JSON.stringify(provider.name),
      });
    }
    for (const k of FLOAT64_KERNEL_NAMES) {
      const f = provider[k];
      if (f !== undefined && typeof f !== 'function') {
        throw new ValidationError(
          `Float64 kernel provider "${provider.name}": ${k} is not a function`,
          {
            expected: 'a function or undefined',
            received: typeof f,
          },
        );
      }
    }
  }
  const previous = installed;
  installed = provider === undefined ? undefined : Object.freeze({ ...provider });
  return previous;
}

/** Runs `fn` with `provider`'s kernels installed (`undefined`: the JavaScript ones), then restores. */
export function withFloat64Kernels<T>(provider: Float64KernelProvider | undefined, fn: () => T): T {
  const previous = setFloat64Kernels(provider);
  try {
    return fn();
  } finally {
    installed = previous;
  }
}

/** Which Float64 kernels run now: per kernel `js` or the provider's name (above its crossover). */
export interface Float64KernelsInfo {
  readonly provider: string | null;
  readonly kernels: Readonly<Record<Float64KernelName, string>>;
  readonly crossover: Readonly<Record<Float64KernelName, number>>;
}

function isActive(p: Float64KernelProvider): boolean {
  return p.tfBackend === undefined || tf.getBackend() === p.tfBackend;
}

/** What {@link setFloat64Kernels} installed and whether it applies now (its backend is current). */
export function float64Kernels(): Float64KernelsInfo {
  const p = installed !== undefined && isActive(installed) ? installed : undefined;
  const kernels = {} as Record<Float64KernelName, string>;
  const crossover = {} as Record<Float64KernelName, number>;
  for (const k of FLOAT64_KERNEL_NAMES) {
    kernels[k] = p?.[k] ? p.name : 'js';
    crossover[k] = p?.crossover?.[k] ?? FLOAT64_CROSSOVER[k];
  }
  return { provider: p?.name ?? null, kernels, crossover };
}

/**
 * The native kernel `name` for a problem of the given size (see {@link FLOAT64_CROSSOVER}), or
 * undefined when the JavaScript one runs. Internal to @hetmtl/tensor's call sites.
 */
export function nativeFloat64<K extends Float64KernelName>(
  name: K,
  size: number,
): NonNullable<Float64Kernels[K]> | undefined {
  const p = installed;
  if (p === undefined) return undefined;
  const f = p[name];
  if (f === undefined) return undefined;
  if (!(size >= (p.crossover?.[name] ?? FLOAT64_CROSSOVER[name]))) return undefined;
  if (!isActive(p)) return undefined;
  return f as NonNullable<Float64Kernels[K]>;
}
