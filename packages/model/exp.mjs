import { simulateFactor, Standardizer } from '@hetmtl/data';
import { standardizeTasks } from '@hetmtl/estimator';
import { useBackendByName, Random } from '@hetmtl/tensor';
import { resolveOptions } from './dist/options.js';
import { candidateConfigs } from './dist/selection/candidates.js';
import { selectionJobs, runJob } from './dist/selection/jobs.js';
import { nodeRuntime, resolveBases } from './dist/selection/workers.js';
const backend = process.argv[2] ?? 'wasm';
await useBackendByName(backend, { resolveFrom: import.meta.url });
const sim = simulateFactor({ seed: 1, numTasks: 160, n: 36, p: 7, testRows: 1 });
const data = standardizeTasks(sim.train, new Standardizer().fit(sim.train));
const o = resolveOptions({});
const configs = candidateConfigs(o, 7).map((c) => c.config);
const jobs = selectionJobs(o, configs, [{ train: data, validation: data }], new Random(1), false);
const job = jobs[0];
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  await runJob(job, () => {});
  console.log('main', ((performance.now() - t) / 1000).toFixed(2));
}
const rt = await nodeRuntime();
const port = await rt.spawn({ backend, resolveFrom: await resolveBases() });
let t;
let n = 0;
await new Promise((res) =>
  port.onMessage((m) => {
    if (m.type === 'ready') {
      t = performance.now();
      port.post({ type: 'job', id: 0, job });
    }
    if (m.type === 'done') {
      console.log('worker', ((performance.now() - t) / 1000).toFixed(2));
      if (++n < 2) {
        t = performance.now();
        port.post({ type: 'job', id: 1, job });
      } else res();
    }
    if (m.type === 'error' || m.type === 'failed') {
      console.log(m);
      res();
    }
  }),
);
await port.terminate();
{
  const port2 = await rt.spawn({ backend, resolveFrom: await resolveBases() });
  await new Promise((res) =>
    port2.onMessage((m) => {
      if (m.type === 'ready') res();
    }),
  );
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const w = new Promise((res) =>
      port2.onMessage((m) => {
        if (m.type === 'done' && m.id === 10 + i) res((performance.now() - t0) / 1000);
      }),
    );
    port2.post({ type: 'job', id: 10 + i, job });
    const tm = performance.now();
    await runJob(job, () => {});
    const mainS = (performance.now() - tm) / 1000;
    console.log(
      'concurrent: main',
      mainS.toFixed(2),
      'worker',
      (await w).toFixed(2),
      'both',
      ((performance.now() - t0) / 1000).toFixed(2),
    );
    const ts = performance.now();
    await runJob(job, () => {});
    console.log('alone main', ((performance.now() - ts) / 1000).toFixed(2));
  }
  await port2.terminate();
}
