// The PCA start of one dual configuration (defaults: linear encoders, K0 = 4, K1 = 2) on PDX-like
// data, 5 tasks × 36 rows, at growing p: seconds per start and the ratio to the smallest p.
// Run after `pnpm build`:  node packages/model/bench/wide-start.bench.mjs [p ...]
// HETMTL_ROOT=/path/to/another/checkout runs that checkout's build (a before/after comparison).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.HETMTL_ROOT ?? resolve(fileURLToPath(import.meta.url), '../../../..');
const load = (pkg) => import(resolve(root, 'packages', pkg, 'dist/index.js'));
const [{ DualTrainer, start }, { simulatePdxLike }, tensor, { linear }, { cpuBackend }] =
  await Promise.all([
    load('model'),
    load('data'),
    load('tensor'),
    load('encoders'),
    load('backend-cpu'),
  ]);
await tensor.useBackend(cpuBackend());

const sizes = process.argv.slice(2).map(Number);
const ps = sizes.length > 0 ? sizes : [2000, 5000, 20000];
const config = {
  shared: linear(),
  specific: linear(),
  K0: 4,
  K1: 2,
  mu: 0.1,
  omega: 0.5,
  tau: 0.1,
  nu: 1e-4,
  ridge: 1e-3,
  taskWeights: 'size',
  learningRate: 0.02,
  stepsPerBlock: 3,
};

/** Pooled column z-scores of the training rows, per task. */
function standardized(sim) {
  const tasks = [...sim.train.tasks()];
  const p = sim.train.numFeatures;
  const N = tasks.reduce((a, t) => a + t.y.length, 0);
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  for (const t of tasks) for (let i = 0; i < t.X.length; i++) mean[i % p] += t.X[i] / N;
  for (const t of tasks)
    for (let i = 0; i < t.X.length; i++) sd[i % p] += (t.X[i] - mean[i % p]) ** 2 / N;
  for (let a = 0; a < p; a++) sd[a] = Math.sqrt(sd[a]) || 1;
  const X = tasks.map((t) => Float64Array.from(t.X, (v, i) => (v - mean[i % p]) / sd[i % p]));
  const y = tasks.map((t) => {
    const m = t.y.reduce((a, b) => a + b, 0) / t.y.length;
    return Float64Array.from(t.y, (v) => Math.log(v) - Math.log(m));
  });
  return { X, y, p };
}

const rows = [];
// A first, unreported start warms the JIT.
for (const p of [300, ...ps]) {
  const sim = simulatePdxLike({ p, n: 36, testRows: 1, seed: 1 });
  const data = standardized(sim);
  const tr = new DualTrainer(config, data, new tensor.Random(1));
  const t0 = performance.now();
  await start(tr, new tensor.Random(2));
  const s = (performance.now() - t0) / 1000;
  const beta = tr.store.coef.beta.map((b) => Array.from(b, (v) => v.toPrecision(15)).join(' '));
  tr.dispose();
  if (rows.length === 0 && p === 300 && ps[0] !== 300 && !rows.warm) {
    rows.warm = true;
    continue;
  }
  rows.push({ p, s });
  console.log(`p = ${p}: start ${s.toFixed(2)} s; β_1 = ${beta[0]}`);
}
const first = rows[0];
for (const r of rows.slice(1))
  console.log(
    `ratio p=${r.p}/p=${first.p}: ${(r.s / first.s).toFixed(2)} (p ratio ${(r.p / first.p).toFixed(1)})`,
  );
