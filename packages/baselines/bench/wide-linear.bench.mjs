// Benchmark (not a test): the linear MTL floor of the model (fitLinearFloor, linearFloorPath) and
// the ridge baselines' fit at a PDX-like shape (5 tasks × 36 training rows, p genes), each
// measurement in its own Node process so that its peak RSS is its own.
//
//   pnpm build && node packages/baselines/bench/wide-linear.bench.mjs [--root <checkout>] [--p 2000,5000,20000]
//       [--only floor-fit,ridge-per-task,…] [--timeout 600] [--repeats 1]
//
// --root runs the same script against another checkout's built packages (e.g. /work/main, the
// p×p primal path, for a before/after in one run). Prints seconds and peak RSS per (routine, p)
// and the growth ratio of the largest p to the smallest.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(arg('root', resolve(here, '../../..')));
const ROUTINES = [
  'floor-fit',
  'floor-path',
  'ridge-per-task',
  'ridge-pooled',
  'mean-regularized',
  'centre-shrinkage',
];

async function one(routine, p) {
  const mod = (pkg, file) => import(pathToFileURL(`${root}/packages/${pkg}/dist/${file}`).href);
  const { simulatePdxLike } = await mod('data', 'index.js');
  const sim = simulatePdxLike({ n: 36, p, testRows: 20, seed: 1 });
  const R = sim.train.numTasks;
  // Pooled standardisation (what the learners fit on).
  const tasks = (ds) => Array.from({ length: R }, (_, r) => ds.task(r));
  const tr = tasks(sim.train);
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  let N = 0;
  let my = 0;
  for (const t of tr) {
    N += t.n;
    for (let i = 0; i < t.n; i++) {
      my += t.y[i];
      for (let a = 0; a < p; a++) mean[a] += t.X[i * p + a];
    }
  }
  for (let a = 0; a < p; a++) mean[a] /= N;
  my /= N;
  let vy = 0;
  for (const t of tr)
    for (let i = 0; i < t.n; i++) {
      vy += (t.y[i] - my) ** 2;
      for (let a = 0; a < p; a++) sd[a] += (t.X[i * p + a] - mean[a]) ** 2;
    }
  for (let a = 0; a < p; a++) sd[a] = Math.sqrt(sd[a] / N) || 1;
  const sy = Math.sqrt(vy / N) || 1;
  const std = (ts) => ({
    p,
    X: ts.map((t) => Float64Array.from(t.X, (v, k) => (v - mean[k % p]) / sd[k % p])),
    y: ts.map((t) => Float64Array.from(t.y, (v) => (v - my) / sy)),
  });
  const t0 = performance.now();
  if (routine === 'floor-fit' || routine === 'floor-path') {
    const floor = await mod('model', 'linear-floor.js');
    const train = std(tr);
    const start = performance.now();
    if (routine === 'floor-fit') floor.fitLinearFloor(train, 1, 1e-3, 'size');
    else {
      const { Pacer } = await mod('tensor', 'index.js');
      await floor.linearFloorPath(train, std(tasks(sim.test)), 1e-3, false, new Pacer(undefined));
    }
    return { seconds: (performance.now() - start) / 1000 };
  }
  const b = await mod('baselines', 'index.js');
  const learner = {
    'ridge-per-task': () => new b.RidgeRegressor({ mode: 'per-task', seed: 1 }),
    'ridge-pooled': () => new b.RidgeRegressor({ mode: 'pooled', seed: 1 }),
    'mean-regularized': () => new b.MeanRegularizedRegressor({ seed: 1 }),
    'centre-shrinkage': () => new b.CentreShrinkageRegressor({ seed: 1 }),
  }[routine]();
  const start = performance.now();
  await learner.fit(sim.train);
  return { seconds: (performance.now() - start) / 1000, setup: (start - t0) / 1000 };
}

if (arg('child', null)) {
  const [routine, p] = arg('child', '').split(':');
  // The fastest of --repeats runs in this process (the machine is shared: the minimum is the least noisy).
  let out = null;
  for (let k = 0; k < Number(arg('repeats', '1')); k++) {
    const r = await one(routine, Number(p));
    if (out === null || r.seconds < out.seconds) out = r;
  }
  const rssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ ...out, rssMB }));
} else {
  const ps = arg('p', '2000,5000,20000').split(',').map(Number);
  const only = arg('only', ROUTINES.join(',')).split(',');
  const timeout = Number(arg('timeout', '600')) * 1000;
  console.log(`root ${root}`);
  console.log(`routine            ${ps.map((p) => `p=${p}`.padStart(22)).join('')}   ratio`);
  for (const routine of only) {
    const cells = [];
    const secs = [];
    for (const p of ps) {
      try {
        const text = execFileSync(
          process.execPath,
          [
            '--max-old-space-size=8192',
            fileURLToPath(import.meta.url),
            '--root',
            root,
            '--repeats',
            arg('repeats', '1'),
            '--child',
            `${routine}:${p}`,
          ],
          { timeout, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const r = JSON.parse(text);
        secs.push(r.seconds);
        cells.push(`${r.seconds.toFixed(3)} s ${r.rssMB.toFixed(0)} MB`);
      } catch (e) {
        secs.push(Number.NaN);
        cells.push(e.code === 'ETIMEDOUT' || e.signal ? `> ${timeout / 1000} s` : 'failed');
      }
    }
    const ratio = secs[secs.length - 1] / secs[0];
    console.log(
      `${routine.padEnd(18)} ${cells.map((c) => c.padStart(22)).join('')}   ${Number.isFinite(ratio) ? ratio.toFixed(1) : '–'}`,
    );
  }
}
