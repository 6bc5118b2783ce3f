import { describe, expect, it } from 'vitest';
import { AbortError } from './errors.js';
import { Pacer, throwIfAborted, yieldToEventLoop } from './pace.js';

describe('pacing and abort', () => {
  it('throwIfAborted throws an AbortError only once the signal is aborted', () => {
    const c = new AbortController();
    expect(() => throwIfAborted(c.signal)).not.toThrow();
    expect(() => throwIfAborted(undefined)).not.toThrow();
    c.abort();
    expect(() => throwIfAborted(c.signal)).toThrow(AbortError);
  });

  it('yieldToEventLoop lets pending macrotasks (I/O callbacks, immediates) run first', async () => {
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    expect(ran).toBe(false);
    await yieldToEventLoop();
    expect(ran).toBe(true);
  });

  it('a Pacer sees an abort fired from a timer while work runs between its ticks', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 5);
    const pacer = new Pacer(c.signal, 1);
    const t0 = performance.now();
    await expect(
      (async () => {
        for (;;) {
          const until = performance.now() + 2;
          while (performance.now() < until) {} // synchronous work
          await pacer.tick();
        }
      })(),
    ).rejects.toThrow(AbortError);
    expect(performance.now() - t0).toBeLessThan(2000);
    await expect(new Pacer(c.signal).turn()).rejects.toThrow(AbortError);
  });
});
