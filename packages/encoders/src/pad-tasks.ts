import { describeReceived, tf, ValidationError } from '@hetmtl/tensor';
import { isPositiveInteger } from './config.js';

/** Task data stacked for a batched encoder, as returned by {@link padTasks}. */
export interface PaddedTasks {
  /** [R, nMax, p]: task r's rows first, then zero rows. */
  readonly x: tf.Tensor3D;
  /** [R, nMax, 1]: 1 for a real row, 0 for padding (multiply per-row losses by it). */
  readonly mask: tf.Tensor3D;
  readonly nMax: number;
  /** n_r, the number of real rows of each task. */
  readonly counts: readonly number[];
}

/**
 * Stacks the tasks' feature matrices (each row-major n_r × p) into one [R, nMax, p] tensor, padding
 * every task with zero rows to the longest, and the matching row mask. The caller owns (disposes)
 * `x` and `mask`.
 */
export function padTasks(X: readonly (Float64Array | Float32Array)[], p: number): PaddedTasks {
  if (!isPositiveInteger(p)) {
    throw new ValidationError('padTasks needs the number of features', {
      expected: 'p, an integer ≥ 1',
      received: describeReceived(p),
    });
  }
  if (!Array.isArray(X) || X.length === 0) {
    throw new ValidationError('padTasks needs at least one task', {
      expected: 'an array of Float64Array (row-major n_r × p), one per task',
      received: describeReceived(X),
    });
  }
  const counts = X.map((xr, r) => {
    if (!(xr instanceof Float64Array || xr instanceof Float32Array) || xr.length % p !== 0) {
      throw new ValidationError('padTasks: a task matrix does not have p columns', {
        task: r,
        expected: `a Float64Array whose length is a multiple of p = ${p} (row-major n_r × p)`,
        received: describeReceived(xr),
      });
    }
    return xr.length / p;
  });
  const R = X.length;
  const nMax = Math.max(...counts);
  const xs = new Float32Array(R * nMax * p);
  const ms = new Float32Array(R * nMax);
  X.forEach((xr, r) => {
    xs.set(xr, r * nMax * p);
    ms.fill(1, r * nMax, r * nMax + counts[r]);
  });
  return {
    x: tf.tensor3d(xs, [R, nMax, p], 'float32'),
    mask: tf.tensor3d(ms, [R, nMax, 1], 'float32'),
    nMax,
    counts,
  };
}

/**
 * The inverse of {@link padTasks} for an output [R, nMax, K]: task r's first n_r rows, as row-major
 * Float64Arrays n_r × K. Reads the tensor synchronously; does not dispose it.
 */
export function unpadTasks(t: tf.Tensor, counts: readonly number[]): Float64Array[] {
  if (
    t.rank !== 3 ||
    t.shape[0] !== counts.length ||
    counts.some((n) => n > (t.shape[1] as number))
  ) {
    throw new ValidationError('unpadTasks: the tensor does not match the task counts', {
      expected: `[R = ${counts.length}, nMax ≥ ${Math.max(...counts)}, K]`,
      received: `[${t.shape}]`,
    });
  }
  const [, nMax, k] = t.shape as [number, number, number];
  const values = t.dataSync();
  return counts.map((n, r) =>
    Float64Array.from(values.subarray(r * nMax * k, r * nMax * k + n * k)),
  );
}
