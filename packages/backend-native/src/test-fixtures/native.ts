import { type Tensor, tf } from '@hetmtl/tensor';
import { nativeInfo } from '../index.js';

const info = nativeInfo();

/**
 * Why the native tests are skipped here, if they are: only when the machine cannot build the addon
 * (no compiler, no Node headers, build skipped on purpose). A build that failed on a machine with the
 * tools, or an addon that does not load, fails the tests instead.
 */
export const skipNative: string | undefined =
  !info.available && ['no-toolchain', 'no-headers', 'skipped'].includes(info.build.kind)
    ? info.reason
    : undefined;

if (skipNative) console.warn(`[hetmtl] skipping the native backend tests: ${skipNative}`);

/** Why the OpenBLAS tests are skipped here, if they are. */
export const skipOpenBLAS: string | undefined =
  skipNative ??
  (info.available && !info.openblasPath
    ? `OpenBLAS was not found (${info.openblasErrors?.[0] ?? 'not installed'})`
    : undefined);

if (!skipNative && skipOpenBLAS)
  console.warn(`[hetmtl] skipping the OpenBLAS tests: ${skipOpenBLAS}`);

/** The GEMMs to test: built-in always, OpenBLAS when installed. */
export const GEMMS = (skipOpenBLAS ? ['builtin'] : ['builtin', 'openblas']) as readonly (
  | 'builtin'
  | 'openblas'
)[];

/** Runs `fn` on a tfjs backend and returns its outputs' shapes, dtypes and values (then disposes them). */
export async function runOn(backend: string, fn: () => Tensor | Tensor[]) {
  const prev = tf.getBackend();
  await tf.setBackend(backend);
  try {
    const outs = tf.tidy(() => {
      const r = fn();
      return Array.isArray(r) ? r : [r];
    });
    const res = await Promise.all(
      outs.map(async (t) => ({
        shape: t.shape,
        dtype: t.dtype,
        values: Array.from(await t.data()),
      })),
    );
    tf.dispose(outs);
    return res;
  } finally {
    await tf.setBackend(prev);
  }
}

/** max |a − b| / max(1, max finite |b|); equal infinities and NaN against NaN count as equal. */
export function relErr(a: readonly number[], b: readonly number[]): number {
  let scale = 1;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isFinite(y)) scale = Math.max(scale, Math.abs(y));
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    const d = Math.abs(x - y);
    err = Number.isFinite(d) ? Math.max(err, d) : Number.POSITIVE_INFINITY;
  }
  return err / scale;
}

/** Deterministic float32 values in [-1, 1) (a small LCG), so that cpu and native see the same input. */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export function rand(shape: number[], seed: number): Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
    'float32',
  );
}
