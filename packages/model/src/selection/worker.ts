// The entry of a model-selection worker thread (Node, node:worker_threads; started by workers.ts
// nodeRuntime): activates the main thread's backend by name, then runs the jobs it is given, one at
// a time, posting their progress events and results (or errors) back.
import { parentPort, workerData } from 'node:worker_threads';
import { BackendUnavailableError, loadBackend, useBackend } from '@hetmtl/tensor';
import { runJob } from './jobs.js';
import { errorToData, type FromWorker, type ToWorker, type WorkerInit } from './workers.js';

const port = parentPort;
if (port === null) throw new Error('selection/worker.js runs as a worker thread');
const post = (m: FromWorker) => port.postMessage(m);

async function activate(init: WorkerInit): Promise<void> {
  let last: unknown;
  // The first base the backend's package resolves from (the main script's, the working directory's, this package's).
  for (const resolveFrom of init.resolveFrom) {
    try {
      await useBackend(await loadBackend(init.backend, { resolveFrom }));
      return;
    } catch (e) {
      last = e;
      if (!BackendUnavailableError.isInstance(e)) throw e;
    }
  }
  throw last;
}

activate(workerData as WorkerInit).then(
  () => {
    port.on('message', (m: ToWorker) => {
      runJob(m.job, (event) => post({ type: 'event', id: m.id, event })).then(
        (result) => post({ type: 'done', id: m.id, result }),
        (e) => post({ type: 'error', id: m.id, error: errorToData(e) }),
      );
    });
    post({ type: 'ready' });
  },
  (e) => post({ type: 'failed', error: errorToData(e) }),
);
