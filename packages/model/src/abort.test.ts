// Ctrl-C during a many-task fit (issue #11): the long synchronous stretches (the fusion ADMM on the
// λ path, loops over tasks) check the AbortSignal and give the event loop a turn, so an abort that
// fires inside them is answered there; nothing leaks, the model stays as it was.
import { wasmBackend } from '@hetmtl/backend-wasm';
import { simulateFactor } from '@hetmtl/data';
import { AbortError } from '@hetmtl/optimizer';
import { type FusionResult, PreparedFusion, type SolveOptions } from '@hetmtl/regularizers';
import { countTensors, useBackend } from '@hetmtl/tensor';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DualEncoderRegressor } from './regressor.js';

beforeAll(async () => {
  await useBackend(wasmBackend());
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('abort inside long synchronous stretches', () => {
  for (const lambda of ['path', 0.1] as const) {
    it(`an abort fired inside the fusion ADMM of a 200-task fit is answered there (λ ${lambda})`, async () => {
      const sim = simulateFactor({ seed: 1, numTasks: 200, n: 6, p: 5, testRows: 1 });
      const controller = new AbortController();
      const original = PreparedFusion.prototype.solve;
      let calls = 0;
      let atAbort = -1;
      // The signal fires from inside the ADMM on the λ path: after its third λ (path), or after the
      // first chunk of iterations that leaves work to do (a fixed λ: its first chunk is 25 iterations).
      vi.spyOn(PreparedFusion.prototype, 'solve').mockImplementation(function (
        this: PreparedFusion,
        options?: SolveOptions,
      ): FusionResult {
        const res = original.call(this, options);
        if ((options?.lambda ?? 0) > 0) {
          calls++;
          if (atAbort < 0 && (lambda === 'path' ? calls >= 3 : !res.converged)) {
            atAbort = calls;
            controller.abort();
          }
        }
        return res;
      });
      const before = countTensors();
      const m = new DualEncoderRegressor({
        seed: 1,
        maxRounds: 1,
        stepsPerBlock: 2,
        numLambdas: 20,
        lambda,
        // Many ADMM chunks per λ, so the path is a long stretch even on 200 tasks.
        selection: { linearFloor: false, trunk: false, folds: 1 },
      });
      await expect(m.fit(sim.train, { signal: controller.signal })).rejects.toThrow(AbortError);
      // Answered at the next check: no further ADMM solve after the one that fired the signal.
      expect(atAbort).toBeGreaterThan(0);
      expect(calls).toBe(atAbort);
      expect(m.fitted).toBe(false);
      expect(countTensors()).toBe(before);
    });
  }

  it('an abort fired while the ADMM matrix of 200 tasks is factored is answered before it is done', async () => {
    const sim = simulateFactor({ seed: 3, numTasks: 200, n: 6, p: 5, testRows: 1 });
    const controller = new AbortController();
    const original = PreparedFusion.prototype.factorSteps;
    let steps = 0;
    let finished = 0;
    vi.spyOn(PreparedFusion.prototype, 'factorSteps').mockImplementation(function* (
      this: PreparedFusion,
    ) {
      for (const _ of original.call(this)) {
        steps++;
        if (steps === 2) controller.abort();
        yield;
      }
      finished++;
    });
    const solves = vi.spyOn(PreparedFusion.prototype, 'solve');
    const before = countTensors();
    const m = new DualEncoderRegressor({
      seed: 1,
      maxRounds: 1,
      stepsPerBlock: 2,
      lambda: 0.1,
      selection: { linearFloor: false, trunk: false, folds: 1 },
    });
    await expect(m.fit(sim.train, { signal: controller.signal })).rejects.toThrow(AbortError);
    expect(steps).toBe(2);
    expect(finished).toBe(0);
    expect(solves.mock.calls.filter(([o]) => (o?.lambda ?? 0) > 0)).toHaveLength(0);
    expect(countTensors()).toBe(before);
  });
});
