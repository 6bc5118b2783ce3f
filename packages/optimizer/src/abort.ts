import { HetmtlError } from '@hetmtl/tensor';

/** Thrown when a fit is stopped through its AbortSignal. */
export class AbortError extends HetmtlError {
  constructor(reason?: unknown) {
    super('The fit was aborted', {
      cause: reason,
      fix: 'Nothing was changed; call fit() again to retrain',
    });
    this.name = 'AbortError';
  }
}

/** Throws an {@link AbortError} when the signal has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}

/** Lets the event loop run (timers, I/O, abort events) between steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}
