import { HetmtlError } from './errors.js';
import { type TensorContainer, tf } from './tf.js';

/** Runs `fn` and disposes every tensor it created except those it returns (synchronous only). */
export const tidy = tf.tidy;

/** Disposes every tensor in a container (tensor, array, record; nested). */
export function dispose(container: TensorContainer): void {
  tf.dispose(container);
}

/** The number of tensors alive in the current TensorFlow.js engine. */
export function countTensors(): number {
  return tf.memory().numTensors;
}

/** Runs `fn` (sync or async) and reports how many tensors it left alive. */
export async function trackTensors<T>(
  fn: () => T | Promise<T>,
): Promise<{ value: T; leaked: number }> {
  const before = countTensors();
  const value = await fn();
  return { value, leaked: countTensors() - before };
}

/** Runs `fn` and throws when it leaves tensors alive; returns what `fn` returned. */
export async function assertNoLeaks<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const { value, leaked } = await trackTensors(fn);
  if (leaked !== 0) {
    throw new HetmtlError(`${label} leaked ${leaked} tensor(s)`, {
      fix: 'Wrap tensor work in tidy() and dispose what you keep',
    });
  }
  return value;
}

/**
 * An explicit scope for async code, where `tidy` cannot be used: collect tensors with `track`,
 * then `dispose()` them all at once (e.g. in a `finally`).
 */
export class TensorScope {
  private readonly items: TensorContainer[] = [];
  track<T extends TensorContainer>(t: T): T {
    this.items.push(t);
    return t;
  }
  dispose(): void {
    tf.dispose(this.items.splice(0));
  }
}
