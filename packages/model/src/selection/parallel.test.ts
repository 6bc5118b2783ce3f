// Parallel model selection (issue #16): candidates × folds on worker threads give the serial run's
// result exactly (the oracle is the serial loop, jobs = 1); an abort stops every worker and leaks no
// tensor here. The workers run the package's built entry (dist/selection/worker.js): build the
// package (`pnpm build`) before these tests, or the workers run older code than the serial path.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { simulateFactor } from '@hetmtl/data';
import { encoderRegistry, linear, linearDefinition, mlp } from '@hetmtl/encoders';
import { AbortError, countTensors, useBackend, ValidationError } from '@hetmtl/tensor';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DualEncoderOptions } from '../options.js';
import { DualEncoderRegressor } from '../regressor.js';
import type { FitProgress } from '../types.js';
import {
  type FromWorker,
  nodeRuntime,
  setWorkerRuntime,
  type WorkerPort,
  type WorkerRuntime,
} from './workers.js';

const sim = simulateFactor({ seed: 5, numTasks: 6, n: 50, p: 6, testRows: 20 });
// Small and fast; two candidates (μ = 0.1 and μ = 0) and the dual alone, so the dual's fit is the model.
const BASE: DualEncoderOptions = {
  seed: 3,
  maxRounds: 3,
  stepsPerBlock: 5,
  numLambdas: 6,
  selection: { grid: { mu: [0] }, linearFloor: false, trunk: false },
};

beforeAll(async () => {
  await useBackend(wasmBackend());
  // The newest built file is at least as new as the newest source file.
  const newest = (dir: string, keep: (f: string) => boolean) =>
    Math.max(
      ...readdirSync(fileURLToPath(new URL(dir, import.meta.url)), { recursive: true })
        .map(String)
        .filter(keep)
        .map((f) => statSync(fileURLToPath(new URL(`${dir}/${f}`, import.meta.url))).mtimeMs),
    );
  const built = newest('../../dist', (f) => f.endsWith('.js'));
  const source = newest('..', (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  if (built < source) throw new Error('dist/ is older than src/: run pnpm build first');
});

afterEach(() => setWorkerRuntime(undefined));

/** Node's runtime, counting the workers started and the ones terminated. */
async function countingRuntime() {
  const node = (await nodeRuntime()) as WorkerRuntime;
  const counts = { spawned: 0, terminated: 0 };
  const runtime: WorkerRuntime = {
    async spawn(init) {
      const port = await node.spawn(init);
      counts.spawned++;
      return {
        ...port,
        terminate: async () => {
          await port.terminate();
          counts.terminated++;
        },
      } satisfies WorkerPort;
    },
  };
  return { runtime, counts };
}

async function fitBoth(options: DualEncoderOptions, parallel = 2) {
  const events: Record<number, FitProgress[]> = { 1: [], [parallel]: [] };
  const out: Record<number, DualEncoderRegressor> = {};
  for (const jobs of [1, parallel]) {
    out[jobs] = await new DualEncoderRegressor({ ...options, jobs }).fit(sim.train, {
      onProgress: (e) => events[jobs].push(e),
    });
  }
  return { serial: out[1], parallel: out[parallel], events: { 1: events[1], 2: events[parallel] } };
}

function expectIdentical(a: DualEncoderRegressor, b: DualEncoderRegressor) {
  expect(b.candidates()).toEqual(a.candidates());
  expect(b.summary()).toEqual(a.summary());
  expect(b.groupLabels()).toEqual(a.groupLabels());
  expect(b.lambdaPath()).toEqual(a.lambdaPath());
  // The trace, but for its clock times.
  const untimed = (m: DualEncoderRegressor) => m.trace().map(({ elapsedMs: _t, ...e }) => e);
  expect(untimed(b)).toEqual(untimed(a));
  for (const t of sim.test.tasks()) {
    const X = t.X as Float64Array;
    expect(b.predict(X, { task: t.name })).toEqual(a.predict(X, { task: t.name }));
  }
  // The saved documents are the same text (jobs is not saved).
  expect(JSON.stringify(b)).toBe(JSON.stringify(a));
}

describe('parallel model selection (jobs = 2) gives the serial result exactly', () => {
  it('one split, the selection fit kept (no refit): the dual candidate rebuilt from the worker', async () => {
    const { runtime, counts } = await countingRuntime();
    setWorkerRuntime(runtime);
    const before = countTensors();
    const { serial, parallel, events } = await fitBoth({ ...BASE, refit: false });
    // Two runs: one on this thread, one on a worker thread.
    expect(counts).toEqual({ spawned: 1, terminated: 1 });
    expect(serial.summary().kind).toBe('dual');
    expect(serial.selection.folds).toBe(1);
    expect(serial.trace().length).toBeGreaterThan(0);
    expectIdentical(serial, parallel);
    // Progress: the same phases, a fraction that never goes back, ending at 1.
    const fractions = events[2].map((e) => e.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
    expect(events[2].at(-1)).toEqual(events[1].at(-1));
    expect(new Set(events[2].map((e) => e.phase))).toEqual(new Set(events[1].map((e) => e.phase)));
    expect(events[2].filter((e) => e.round !== undefined).length).toBe(
      events[1].filter((e) => e.round !== undefined).length,
    );
    serial.dispose();
    parallel.dispose();
    expect(countTensors()).toBe(before);
  });

  it('K folds by task with mlp encoders (initial weights from the streams), jobs = 3, then the refit', async () => {
    const { runtime, counts } = await countingRuntime();
    setWorkerRuntime(runtime);
    const { serial, parallel } = await fitBoth(
      {
        ...BASE,
        maxRounds: 2,
        shared: mlp({ hidden: [8] }),
        specific: mlp({ hidden: [4] }),
        selection: { ...BASE.selection, folds: 3 },
      },
      3,
    );
    expect(counts).toEqual({ spawned: 2, terminated: 2 });
    expect(serial.selection.folds).toBe(3);
    // The two dual candidates (μ and μ = 0) are averaged: the refit makes both components.
    expect(serial.summary().kind).toBe('blend');
    expect(serial.trace().length).toBeGreaterThan(0);
    expectIdentical(serial, parallel);
    serial.dispose();
    parallel.dispose();
  });

  it('one split with the linear floor (chosen here) and the refit', async () => {
    const { serial, parallel } = await fitBoth({
      ...BASE,
      selection: { ...BASE.selection, linearFloor: true },
    });
    expect(serial.candidates().map((c) => c.kind)).toEqual(['dual', 'dual', 'linear']);
    expectIdentical(serial, parallel);
    serial.dispose();
    parallel.dispose();
  });

  it('a worker thread that cannot load the backend says so and takes no job: the others run them all', async () => {
    // A worker thread with a backend it cannot load answers 'failed' (worker.ts)…
    const node = (await nodeRuntime()) as WorkerRuntime;
    const port = await node.spawn({ backend: 'no-such-backend', resolveFrom: [import.meta.url] });
    const first = await new Promise<FromWorker>((resolve) => port.onMessage(resolve));
    await port.terminate();
    expect(first).toMatchObject({
      type: 'failed',
      error: {
        name: 'ValidationError',
        message: expect.stringMatching(/Unknown backend "no-such-backend"/),
      },
    });
    // …and the pool leaves such a worker out: here one that answers 'failed' at once, before this
    // thread has finished its first job.
    let posted = 0;
    setWorkerRuntime({
      spawn: async () => ({
        post: () => posted++,
        onMessage: (listener) => queueMicrotask(() => listener(first)),
        onFailure: () => {},
        terminate: async () => {},
      }),
    });
    const { serial, parallel } = await fitBoth({ ...BASE, refit: false });
    expect(posted).toBe(0);
    expectIdentical(serial, parallel);
    expect(parallel.selection.notes).toEqual([
      expect.stringMatching(
        /could not activate the wasm backend.*Unknown backend "no-such-backend"/,
      ),
    ]);
    expect(serial.selection.notes).toBeUndefined();
    serial.dispose();
    parallel.dispose();
  });
});

describe('kinds a program registers (worker threads know the built-in ones only)', () => {
  it('select on this thread, with a note, and give the serial result', async () => {
    // The linear encoder under a kind of the program's own.
    encoderRegistry.register({ ...linearDefinition, kind: 'test:linear' });
    try {
      const { runtime, counts } = await countingRuntime();
      setWorkerRuntime(runtime);
      const own = { ...linear(), kind: 'test:linear' };
      const { serial, parallel } = await fitBoth({
        ...BASE,
        shared: own,
        specific: own,
        refit: false,
      });
      expect(counts.spawned).toBe(0);
      expectIdentical(serial, parallel);
      expect(parallel.selection.notes).toEqual([
        expect.stringMatching(/ran on this thread: its encoder or penalty kinds were registered/),
      ]);
      expect(serial.selection.notes).toBeUndefined();
      serial.dispose();
      parallel.dispose();
    } finally {
      encoderRegistry.unregister('test:linear');
    }
  });
});

describe('an abort during parallel selection', () => {
  it('rejects with the AbortError of the serial path, terminates every worker, leaks no tensor', async () => {
    const { runtime, counts } = await countingRuntime();
    setWorkerRuntime(runtime);
    const controller = new AbortController();
    const reason = new Error('stop');
    let rounds = 0;
    const seen = new Set<number>();
    const before = countTensors();
    const m = new DualEncoderRegressor({ ...BASE, maxRounds: 30, tolerance: 0, jobs: 3 });
    const fit = m.fit(sim.train, {
      signal: controller.signal,
      onProgress: (e) => {
        // Mid-selection: once both runs are in their encoder phase (candidate 1 on this thread,
        // candidate 2 on the worker thread).
        if (e.round === undefined) return;
        rounds++;
        seen.add(e.candidate);
        if (seen.size === 2 && !controller.signal.aborted) controller.abort(reason);
      },
    });
    const err = await fit.then(
      () => null,
      (e: unknown) => e,
    );
    expect(AbortError.isInstance(err)).toBe(true);
    expect((err as AbortError).cause).toBe(reason);
    expect(seen).toEqual(new Set([1, 2]));
    expect(rounds).toBeLessThan(2 * 30);
    expect(counts).toEqual({ spawned: 1, terminated: 1 });
    expect(m.fitted).toBe(false);
    expect(countTensors()).toBe(before);
  });

  it('a progress callback that throws rejects the fit with its error, as in the serial loop', async () => {
    const { runtime, counts } = await countingRuntime();
    setWorkerRuntime(runtime);
    const boom = new Error('boom');
    const before = countTensors();
    for (const jobs of [1, 2]) {
      const m = new DualEncoderRegressor({ ...BASE, jobs });
      await expect(
        m.fit(sim.train, {
          onProgress: (e) => {
            if (e.round !== undefined) throw boom;
          },
        }),
      ).rejects.toBe(boom);
    }
    expect(counts.terminated).toBe(counts.spawned);
    expect(countTensors()).toBe(before);
  });

  it('an aborted signal before the fit starts no worker', async () => {
    const { runtime, counts } = await countingRuntime();
    setWorkerRuntime(runtime);
    const controller = new AbortController();
    controller.abort();
    const m = new DualEncoderRegressor({ ...BASE, jobs: 2 });
    await expect(m.fit(sim.train, { signal: controller.signal })).rejects.toThrow(AbortError);
    expect(counts.spawned).toBe(0);
  });
});

describe('the jobs option', () => {
  it('takes a whole number ≥ 1 or "auto"; anything else is a ValidationError naming it', () => {
    for (const jobs of [1, 2, 16, 'auto'] as const)
      expect(() => new DualEncoderRegressor({ jobs })).not.toThrow();
    for (const jobs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', 'all']) {
      const make = () => new DualEncoderRegressor({ jobs: jobs as never });
      expect(make).toThrow(ValidationError);
      expect(make).toThrow(/Invalid option jobs: expected a whole number of worker threads ≥ 1/);
    }
  });

  it('a typo of jobs is refused with a suggestion', () => {
    expect(() => new DualEncoderRegressor({ job: 2 } as never)).toThrow(/Did you mean jobs\?/);
  });
});
