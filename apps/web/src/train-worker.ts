/// <reference lib="webworker" />
// The training worker: reads the data, activates the WASM backend and fits the model and the
// baselines off the page's main thread, posting the model's progress events as they come. The
// page cancels a fit by terminating the worker (immediate, whatever the fit is doing).
import { HetmtlError } from '@hetmtl/tensor';
import { activateWasm } from './backend.js';
import { pageOptionWords } from './columns.js';
import { fromCsv, type Prepared, simulated, trainAll } from './train.js';
import {
  type DataSource,
  type FitReport,
  START_SHARE,
  type TrainRequest,
  type WorkerMessage,
} from './worker-protocol.js';

const post = (m: WorkerMessage) => self.postMessage(m);

async function prepare(source: DataSource): Promise<Prepared> {
  return source.kind === 'simulation'
    ? simulated(source.settings)
    : fromCsv(source.file, source.name, source.options);
}

async function run(request: TrainRequest): Promise<FitReport> {
  post({ type: 'step', text: 'Starting the WebAssembly backend', fraction: START_SHARE / 3 });
  const backend = await activateWasm();
  post({
    type: 'step',
    text: `Reading the data on ${backend.name}${backend.simd ? ' (SIMD)' : ''}`,
    fraction: (2 * START_SHARE) / 3,
  });
  const data = await prepare(request.source);
  post({
    type: 'step',
    text: `Fitting ${data.train.numTasks} tasks (${data.train.totalRows} training rows): the first encoder round`,
    fraction: START_SHARE,
  });
  const result = await trainAll(data, request.settings, {
    signal: new AbortController().signal,
    onProgress: (event) => post({ type: 'progress', event }),
  });
  const { model } = result;
  try {
    return {
      model: model.toJSON(),
      evaluation: result.evaluation,
      baselines: result.baselines,
      taskNames: data.train.taskNames,
      groups: model.groups(),
      groupLabels: model.groupLabels(),
      similarity: model.similarity(),
      summary: model.summary(),
      lambdaPath: model.lambdaPath(),
      seconds: result.seconds,
      backend: { name: backend.name, simd: backend.simd },
    };
  } finally {
    model.dispose();
  }
}

self.addEventListener('message', (ev: MessageEvent<TrainRequest>) => {
  run(ev.data).then(
    (report) => post({ type: 'done', report }),
    (e: unknown) =>
      post({
        type: 'error',
        message: HetmtlError.isInstance(e)
          ? e.render(pageOptionWords)
          : e instanceof Error
            ? e.message
            : String(e),
      }),
  );
});
