import { AbortError } from './errors.js';

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

/**
 * Long synchronous stretches of work (a fusion ADMM, loops over thousands of tasks) give the event
 * loop a turn now and then, so that an abort (Ctrl-C, an AbortSignal) is seen within a fraction of
 * a second.
 */
export class Pacer {
  #last = performance.now();
  constructor(
    readonly signal: AbortSignal | undefined,
    /** Milliseconds of work between turns of the event loop (0: a turn at every call). */
    readonly every = 50,
  ) {}

  /** Yields when `every` ms have passed since the last turn, then throws if aborted. */
  async tick(): Promise<void> {
    if (performance.now() - this.#last >= this.every) {
      await yieldToEventLoop();
      this.#last = performance.now();
    }
    throwIfAborted(this.signal);
  }

  /** Yields now, then throws if aborted. */
  async turn(): Promise<void> {
    await yieldToEventLoop();
    this.#last = performance.now();
    throwIfAborted(this.signal);
  }
}
