import {
  AbortError,
  activeBackend,
  BackendUnavailableError,
  backendRegistry,
  HetmtlError,
  NotPositiveDefiniteError,
  NumericError,
  opt,
  SerializationError,
  tf,
  ValidationError,
} from '@hetmtl/tensor';
import { encoderRegistry } from '@hetmtl/encoders';
import { type Penalty, penaltyRegistry } from '@hetmtl/regularizers';
import type { TrainerConfig } from '../dual/trainer.js';
import { type JobEvent, type JobResult, runJob, type SelectionJob } from './jobs.js';

/**
 * The worker runtime behind parallel model selection: a small interface, so that a Web Worker
 * implementation can be added next to the Node one (node:worker_threads) without touching the pool.
 */
export interface WorkerPort {
  post(message: ToWorker): void;
  /** Messages from the worker, in order. */
  onMessage(listener: (message: FromWorker) => void): void;
  /** An error the worker did not catch, or an exit before it was terminated. */
  onFailure(listener: (error: unknown) => void): void;
  /** Stops the worker (resolves once it is gone). */
  terminate(): Promise<void>;
}

export interface WorkerRuntime {
  spawn(init: WorkerInit): Promise<WorkerPort>;
}

/** What a worker needs before its first job: the backend to activate, by name, and where to resolve its package. */
export interface WorkerInit {
  readonly backend: string;
  readonly resolveFrom: readonly string[];
}

export type ToWorker = { readonly type: 'job'; readonly id: number; readonly job: SelectionJob };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: ErrorData }
  | { readonly type: 'event'; readonly id: number; readonly event: JobEvent }
  | { readonly type: 'done'; readonly id: number; readonly result: JobResult }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly error: ErrorData;
      /** The error itself, from a job run on this thread. */
      readonly thrown?: unknown;
    };

/** An error as plain data, to cross a thread and be thrown again as the same hetmtl class. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly summary?: string;
  readonly parts?: Record<string, unknown>;
  readonly extra?: Record<string, unknown>;
}

export function errorToData(e: unknown): ErrorData {
  if (HetmtlError.isInstance(e)) {
    const { cause: _cause, ...parts } =
      (e as unknown as { parts?: Record<string, unknown> }).parts ?? {};
    const extra = NotPositiveDefiniteError.isInstance(e)
      ? { pivot: e.pivot, value: e.value }
      : BackendUnavailableError.isInstance(e)
        ? { backend: e.backend, remedy: e.remedy }
        : undefined;
    return {
      name: e.name,
      message: e.message,
      summary: e.summary,
      parts: structuredClone(parts),
      ...(extra ? { extra: structuredClone(extra) } : {}),
    };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message };
}

/** The error of {@link errorToData} again: the same hetmtl class, texts and location (its cause dropped). */
export function errorFromData(d: ErrorData): Error {
  const parts = (d.parts ?? {}) as ConstructorParameters<typeof ValidationError>[1];
  const summary = d.summary ?? d.message;
  switch (d.name) {
    case 'ValidationError':
      return new ValidationError(summary, parts);
    case 'NumericError':
      return new NumericError(summary, parts);
    case 'SerializationError':
      return new SerializationError(summary, parts);
    case 'NotPositiveDefiniteError':
      return new NotPositiveDefiniteError(Number(d.extra?.pivot), Number(d.extra?.value), parts);
    case 'BackendUnavailableError': {
      const reason = summary.replace(/^Backend "[^"]*" is not available: /, '');
      return new BackendUnavailableError(String(d.extra?.backend), reason, {
        ...parts,
        remedy: d.extra?.remedy as BackendUnavailableError['remedy'],
      });
    }
    default: {
      if (d.summary !== undefined) return new HetmtlError(summary, parts);
      const err = new Error(d.message);
      err.name = d.name;
      return err;
    }
  }
}

const hasNamedBackend = () => activeBackend() !== undefined || backendRegistry.has(tf.getBackend());

/** The backend the workers load: the one active here, by its registry name. */
export function workerBackend(): string {
  const name =
    activeBackend()?.name ?? (backendRegistry.has(tf.getBackend()) ? tf.getBackend() : undefined);
  if (name === undefined)
    throw new ValidationError('Parallel model selection needs a backend known by name', {
      expected: `one of ${backendRegistry.kinds().join(', ')} active (useBackend or useBackendByName)`,
      received: `TensorFlow.js backend ${JSON.stringify(tf.getBackend())}`,
      fix: ['Activate a registered backend, or pass ', opt('jobs', 1), ' to select on this thread'],
    });
  return name;
}

export interface PoolOptions {
  /** This thread and `workers − 1` worker threads. */
  readonly workers: number;
  readonly runtime: WorkerRuntime;
  readonly init: WorkerInit;
  readonly signal: AbortSignal | undefined;
  /** Every event of job `index`, in order of arrival. */
  readonly onEvent: (index: number, event: JobEvent) => void;
  /** Job `index` finished. */
  readonly onDone?: (index: number) => void;
  /** A worker thread could not activate the backend (it takes no job). */
  readonly onWorkerFailed?: (error: Error) => void;
}

/**
 * Runs the jobs on this thread and `workers − 1` worker threads (each with its own backend), the
 * next job in the serial order to the first free worker; results in the jobs' order. A worker
 * thread that cannot activate the backend is left out (this thread always can). The first failure
 * (a job's error, a progress callback's, a worker that dies, an abort) terminates every worker
 * before the promise rejects: an abort with the {@link AbortError} the serial path throws.
 */
export async function runInWorkers(
  jobs: readonly SelectionJob[],
  o: PoolOptions,
): Promise<JobResult[]> {
  if (o.signal?.aborted) throw new AbortError(o.signal.reason);
  const results: (JobResult | undefined)[] = new Array(jobs.length);
  const ports: WorkerPort[] = [];
  let next = 0;
  let finished = 0;
  let settled = false;
  let fail: (e: unknown) => void = () => {};
  let succeed: () => void = () => {};
  const outcome = new Promise<void>((resolve, reject) => {
    succeed = resolve;
    fail = reject;
  });
  const stop = (e: unknown) => {
    if (settled) return;
    settled = true;
    fail(e);
  };
  const onAbort = () => stop(new AbortError(o.signal?.reason));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const give = (port: WorkerPort) => {
    if (settled || next >= jobs.length) return;
    const id = next++;
    port.post({ type: 'job', id, job: jobs[id] });
  };
  const listen = (port: WorkerPort) => {
    port.onFailure((e) => stop(e));
    port.onMessage((m) => {
      if (settled) return;
      switch (m.type) {
        case 'ready':
          return give(port);
        case 'failed':
          // A worker thread that cannot activate the backend takes no job; the others (this
          // thread at least) run them all.
          return o.onWorkerFailed?.(errorFromData(m.error));
        case 'event':
          try {
            return o.onEvent(m.id, m.event);
          } catch (e) {
            return stop(e);
          }
        case 'error':
          return stop(m.thrown ?? errorFromData(m.error));
        case 'done':
          results[m.id] = m.result;
          o.onDone?.(m.id);
          if (++finished === jobs.length) {
            settled = true;
            return succeed();
          }
          return give(port);
      }
    });
  };
  try {
    const count = Math.max(1, Math.min(o.workers, jobs.length));
    // This thread is one of the workers (the first job is its); the others are worker threads.
    for (let w = 0; w < count && !settled; w++) {
      const port = w === 0 ? hereWorker() : await o.runtime.spawn(o.init);
      ports.push(port);
      if (settled) break;
      listen(port);
    }
    await outcome;
    return results as JobResult[];
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    settled = true;
    await Promise.all(ports.map((p) => p.terminate()));
  }
}

/**
 * This thread as one of the pool's workers: its jobs run here, between the messages of the others.
 * Terminating it aborts the job it runs and waits until that job has freed its tensors.
 */
function hereWorker(): WorkerPort {
  const listeners: ((m: FromWorker) => void)[] = [];
  const controller = new AbortController();
  let running: Promise<void> = Promise.resolve();
  const emit = (m: FromWorker) => {
    for (const l of listeners) l(m);
  };
  return {
    post: (m) => {
      running = runJob(
        m.job,
        (event) => emit({ type: 'event', id: m.id, event }),
        controller.signal,
      ).then(
        (result) => emit({ type: 'done', id: m.id, result }),
        (e: unknown) => {
          if (!controller.signal.aborted)
            emit({ type: 'error', id: m.id, error: errorToData(e), thrown: e });
        },
      );
    },
    onMessage: (listener) => {
      listeners.push(listener);
      queueMicrotask(() => listener({ type: 'ready' }));
    },
    onFailure: () => {},
    terminate: async () => {
      controller.abort();
      await running;
    },
  };
}

/** Worker threads of Node (node:worker_threads); undefined where there are none (browsers, for now). */
export async function nodeRuntime(): Promise<WorkerRuntime | undefined> {
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string')
    return undefined;
  // Variable specifiers: bundlers leave them alone (this path is for Node only).
  const threads = 'node:worker_threads';
  const { Worker } = (await import(
    /* @vite-ignore */ threads
  )) as typeof import('node:worker_threads');
  // From the sources (tests), the built entry: worker threads run JavaScript.
  const here = import.meta.url;
  const entryPath = here.endsWith('.ts') ? '../../dist/selection/worker.js' : './worker.js';
  const entry = new URL(entryPath, here);
  return {
    async spawn(init) {
      const worker = new Worker(entry, { workerData: init });
      let terminated = false;
      const failures: ((e: unknown) => void)[] = [];
      worker.on('error', (e) => {
        for (const f of failures) f(e);
      });
      worker.on('exit', (code) => {
        if (terminated) return;
        for (const f of failures)
          f(new Error(`A model-selection worker stopped (exit code ${code})`));
      });
      return {
        post: (m) => worker.postMessage(m),
        onMessage: (listener) => worker.on('message', listener),
        onFailure: (listener) => failures.push(listener),
        terminate: async () => {
          terminated = true;
          await worker.terminate();
        },
      };
    },
  };
}

/** Cores of this machine (Node: os.availableParallelism; browsers: navigator.hardwareConcurrency). */
export async function availableCores(): Promise<number> {
  if (typeof process !== 'undefined' && typeof process.versions?.node === 'string') {
    const osName = 'node:os';
    const os = (await import(/* @vite-ignore */ osName)) as typeof import('node:os');
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/** Where a worker resolves the backend's package from: the main script, the working directory, this package. */
export async function resolveBases(): Promise<string[]> {
  const urlName = 'node:url';
  const { pathToFileURL } = (await import(/* @vite-ignore */ urlName)) as typeof import('node:url');
  const out: string[] = [];
  if (process.argv[1]) out.push(pathToFileURL(process.argv[1]).href);
  out.push(pathToFileURL(`${process.cwd()}/`).href);
  out.push(import.meta.url);
  return out;
}

let runtimeOverride: WorkerRuntime | undefined;

/**
 * The encoder and penalty kinds a worker thread knows: those registered when this module is
 * loaded, which a worker thread loads too (kinds a program registers later exist here only).
 */
const BUILT_IN = {
  encoders: new Set(encoderRegistry.kinds()),
  penalties: new Set(penaltyRegistry.kinds()),
};

/** Whether worker threads can run these candidates: their encoders and the penalty are kinds they know. */
export function workersKnow(configs: readonly TrainerConfig[], similarity: Penalty): boolean {
  const known = (kind: string) => BUILT_IN.encoders.has(kind);
  return (
    BUILT_IN.penalties.has(similarity.kind) &&
    configs.every((c) => known(c.shared.kind) && (c.specific === null || known(c.specific.kind)))
  );
}

/** Replaces the worker runtime (tests; a Web Worker runtime later); undefined restores Node's. */
export function setWorkerRuntime(runtime: WorkerRuntime | undefined): void {
  runtimeOverride = runtime;
}

/**
 * How selection runs: null for the serial loop (jobs = 1, one run, or no worker threads here), else
 * the number of workers (the jobs option, 'auto' the cores, at most one per run: this thread and
 * workers − 1 worker threads), the runtime and what every worker thread loads.
 */
export async function selectionWorkers(
  jobs: number | 'auto',
  runs: number,
): Promise<Pick<PoolOptions, 'workers' | 'runtime' | 'init'> | null> {
  const wanted = jobs === 'auto' ? await availableCores() : jobs;
  const workers = Math.min(wanted, runs);
  if (workers <= 1) return null;
  const runtime = runtimeOverride ?? (await nodeRuntime());
  if (runtime === undefined) return null;
  // 'auto' with a backend the workers cannot load by name: this thread alone, as with one core.
  if (jobs === 'auto' && !hasNamedBackend()) return null;
  return {
    workers,
    runtime,
    init: { backend: workerBackend(), resolveFrom: await resolveBases() },
  };
}
