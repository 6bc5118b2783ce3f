import { HetmtlError, ValidationError, tf } from '@hetmtl/tensor';

/**
 * Checks the input of `forward`: [n, p] for an unbatched encoder, [R, n, p] for a batched one.
 * Returns it as float32 (cast when needed; the cast is disposed by the caller's tidy).
 */
export function checkForwardInput(
  x: tf.Tensor,
  inputDim: number,
  tasks: number | undefined,
  what: string,
): tf.Tensor {
  if (!(x instanceof tf.Tensor)) {
    throw new ValidationError(`The input of the ${what} is not a tensor`, {
      expected: 'a tf.Tensor',
      received: typeof x,
    });
  }
  if (x.isDisposed) {
    throw new ValidationError(`The input of the ${what} was disposed`, {
      fix: 'Keep the input alive until forward() returns',
    });
  }
  const batched = tasks !== undefined;
  const ok = batched
    ? x.rank === 3 && x.shape[0] === tasks && x.shape[2] === inputDim
    : x.rank === 2 && x.shape[1] === inputDim;
  if (!ok) {
    throw new ValidationError(`Wrong input shape for the ${what}`, {
      expected: batched ? `[R = ${tasks}, n, p = ${inputDim}]` : `[n, p = ${inputDim}]`,
      received: `[${x.shape}]`,
      fix: batched
        ? 'Stack the tasks with padTasks() (tasks padded to a common length)'
        : x.rank === 3
          ? 'This encoder is not batched: reshape [R, n, p] to [R·n, p], or build it with ctx.tasks'
          : 'Pass rows × features with the number of features the encoder was built for',
    });
  }
  return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
}

/** Throws when an encoder is used after dispose(). */
export function checkNotDisposed(disposed: boolean, what: string): void {
  if (disposed) {
    throw new HetmtlError(`The ${what} was disposed`, {
      fix: 'Build a new encoder from its spec (registry.build) and set its weights',
    });
  }
}
