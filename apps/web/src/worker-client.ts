import type { FitProgress } from '@hetmtl/model';
import type { FitReport, TrainRequest, WorkerMessage } from './worker-protocol.js';

/** Thrown by {@link trainInWorker} when the page cancels the fit. */
export class TrainingStopped extends Error {
  override readonly name = 'TrainingStopped';
}

/**
 * Fits in a new Web Worker (the page's main thread stays free: only the progress events and the
 * result cross over). `cancel()` terminates the worker at once and rejects with TrainingStopped.
 */
export function trainInWorker(
  request: TrainRequest,
  on: { step: (text: string, fraction: number) => void; progress: (e: FitProgress) => void },
): { readonly result: Promise<FitReport>; cancel: () => void } {
  const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
  let cancel = () => {};
  const result = new Promise<FitReport>((resolve, reject) => {
    const finish = () => worker.terminate();
    cancel = () => {
      finish();
      reject(new TrainingStopped('Stopped by the user'));
    };
    worker.addEventListener('message', (ev: MessageEvent<WorkerMessage>) => {
      const m = ev.data;
      if (m.type === 'step') on.step(m.text, m.fraction);
      else if (m.type === 'progress') on.progress(m.event);
      else {
        finish();
        if (m.type === 'done') resolve(m.report);
        else reject(new Error(m.message));
      }
    });
    worker.addEventListener('error', (ev) => {
      finish();
      reject(new Error(`The training worker failed: ${ev.message || 'it could not start'}`));
    });
    worker.postMessage(request);
  });
  return { result, cancel: () => cancel() };
}
