import { AbortError } from '@hetmtl/tensor';

/**
 * AbortError is one of the hetmtl error family (code `E_ABORTED`) and lives in `@hetmtl/tensor`;
 * it is re-exported here so that `import { AbortError } from '@hetmtl/optimizer'` keeps working.
 */
export { AbortError };

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
