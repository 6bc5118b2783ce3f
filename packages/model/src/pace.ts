import { throwIfAborted, yieldToEventLoop } from '@hetmtl/optimizer';
import type { FusionResult, PreparedFusion } from '@hetmtl/regularizers';

/**
 * Long synchronous stretches of a fit (the fusion ADMM, loops over thousands of tasks) give the
 * event loop a turn now and then, so that an abort (Ctrl-C) is seen within a fraction of a second.
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

/** ADMM iterations of the first chunk; later chunks are sized to take about {@link CHUNK_MS}. */
const CHUNK = 25;
const CHUNK_MS = 100;

/**
 * `PreparedFusion.path` with a turn of the event loop between chunks of ADMM iterations (about
 * {@link CHUNK_MS} ms each: 25 iterations first, then sized by the time they took): each λ is solved
 * in chunks, each chunk warm-started from the previous one's state (η, v), which is the same
 * iteration sequence as one uninterrupted solve (the ADMM carries only η and v), so the results are
 * identical whatever the chunk sizes; the iteration cap (1,000) counts over the chunks.
 */
export async function solvePath(
  prepared: PreparedFusion,
  lambdas: readonly number[],
  pacer: Pacer,
  maxIter = 1000,
): Promise<FusionResult[]> {
  // The ADMM matrix is factored once per problem; for thousands of tasks that takes seconds.
  for (const _ of prepared.factorSteps()) await pacer.tick();
  const out: FusionResult[] = [];
  let warm: FusionResult['state'] | undefined;
  let size = CHUNK;
  for (const lambda of [...lambdas].sort((a, b) => a - b)) {
    let done = 0;
    let res: FusionResult;
    do {
      await pacer.turn();
      const chunk = Math.min(size, maxIter - done);
      const t0 = performance.now();
      res = prepared.solve({ lambda, maxIter: chunk, ...(warm ? { warm } : {}) });
      const ms = performance.now() - t0;
      if (res.iterations >= chunk && ms > 0)
        size = Math.max(5, Math.min(maxIter, Math.round((chunk * CHUNK_MS) / ms)));
      done += chunk;
      warm = res.state;
    } while (!res.converged && done < maxIter);
    out.push(res);
  }
  return out;
}
