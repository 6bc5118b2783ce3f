/**
 * Reuse of the native kernels' output arrays.
 *
 * A fresh Float32Array of a few hundred KB costs more than the kernel that fills it (the allocator
 * maps new pages and the kernel page-faults on them): in a training loop, allocation was a third of
 * the step. Outputs of native kernels from POOL_MIN_ELEMENTS elements up are therefore *managed*:
 * when the backend frees a managed array (its tensor's last reference is disposed), the array goes
 * to a free list and the next native output of the same length reuses it.
 *
 * An array is recycled only while it provably has one owner: the backend entry it was written to.
 * It stops being managed (and is left to the garbage collector) as soon as it escapes: when it is
 * read by the user (`dataSync()`, `data()` hand out the backend's own array), or when it or a view of
 * its buffer is written to the backend a second time (a tfjs cpu kernel aliasing its input, as Slice
 * does with a subarray, even for an intermediate).
 */

/** Outputs with fewer elements are plain allocations (small arrays are cheap). */
export const POOL_MIN_ELEMENTS = 4096;
/** At most this many free arrays of one length are kept. */
const MAX_PER_LENGTH = 16;

interface Managed {
  readonly array: Float32Array;
  owned: boolean;
}

const managed = new WeakMap<ArrayBufferLike, Managed>();
const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;
let limitBytes = 256 * 1024 * 1024;
let hits = 0;
let misses = 0;

/** A Float32Array of n elements with undefined contents: the caller overwrites every element. */
export function allocate(n: number): Float32Array {
  if (n < POOL_MIN_ELEMENTS) return new Float32Array(n);
  let array = free.get(n)?.pop();
  if (array) {
    pooledBytes -= n * 4;
    hits++;
  } else {
    misses++;
    array = new Float32Array(n);
  }
  managed.set(array.buffer, { array, owned: false });
  return array;
}

/** The backend stored `values` under a data id: its first owner, or an alias that ends reuse. */
export function noteWrite(values: unknown): void {
  if (!ArrayBuffer.isView(values)) return;
  const m = managed.get(values.buffer);
  if (!m) return;
  if (m.owned || m.array !== values) managed.delete(values.buffer);
  else m.owned = true;
}

/** The backend freed `values`: keep it for reuse if it is managed and never escaped. */
export function recycle(values: unknown): void {
  if (!(values instanceof Float32Array)) return;
  const m = managed.get(values.buffer);
  if (!m || m.array !== values || !m.owned) return;
  managed.delete(values.buffer);
  const n = values.length;
  if (pooledBytes + n * 4 > limitBytes) return;
  let list = free.get(n);
  if (!list) free.set(n, (list = []));
  if (list.length >= MAX_PER_LENGTH) return;
  list.push(values);
  pooledBytes += n * 4;
}

/** `values` (or a view of the same buffer) is visible outside the backend: never reuse it. */
export function markEscaped(values: unknown): void {
  if (ArrayBuffer.isView(values)) managed.delete(values.buffer);
}

export interface NativeMemory {
  /** Bytes of free arrays kept for reuse. */
  readonly pooledBytes: number;
  readonly limitBytes: number;
  /** Native outputs served from the pool, and freshly allocated. */
  readonly hits: number;
  readonly misses: number;
}

/** Statistics of the output-array pool. */
export function nativeMemory(): NativeMemory {
  return { pooledBytes, limitBytes, hits, misses };
}

/**
 * Empties the pool (its arrays are left to the garbage collector) and, when given, sets the most bytes
 * it may keep (0 turns reuse off).
 */
export function releaseNativeMemory(newLimitBytes?: number): void {
  free.clear();
  pooledBytes = 0;
  if (newLimitBytes !== undefined) limitBytes = Math.max(0, newLimitBytes);
}
