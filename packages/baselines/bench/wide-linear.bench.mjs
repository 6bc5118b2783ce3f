// Benchmark (not a test): the linear MTL floor of the model (fitLinearFloor, linearFloorPath) and
// the ridge baselines' fit at a PDX-like shape (5 tasks × 36 training rows, p genes), each
// measurement in its own Node process so that its peak RSS is its own.
//
//   pnpm build && node packages/baselines/bench/wide-linear.bench.mjs [--root <checkout>] [--p 2000,5000,20000]
//       [--only floor-fit,ridge-per-task,…] [--timeout 600] [--repeats 1]
//
// --root runs the same script against other checkouts' built packages, comma-separated (e.g.
// `--root /work/main,.` for a before/after in one run, interleaved cell by cell so that both see the
// same machine load). Prints seconds and peak RSS per (routine, p, checkout), the growth ratio of
// the largest p to the smallest, and with two checkouts the time ratio first/second per cell.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const here = dirname(fileURLToPath(import.meta.url));
const roots = arg('root', resolve(here, '../../..'))
  .split(',')
  .map((r) => resolve(r));
let root = roots[0];
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
  root = resolve(arg('root', root));
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
  const run = (where, routine, p) => {
    try {
      const text = execFileSync(
        process.execPath,
        [
          '--max-old-space-size=8192',
          fileURLToPath(import.meta.url),
          '--root',
          where,
          '--repeats',
          arg('repeats', '1'),
          '--child',
          `${routine}:${p}`,
        ],
        { timeout, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const r = JSON.parse(text);
      return { seconds: r.seconds, cell: `${r.seconds.toFixed(3)} s ${r.rssMB.toFixed(0)} MB` };
    } catch (e) {
      return {
        seconds: Number.NaN,
        cell: e.code === 'ETIMEDOUT' || e.signal ? `> ${timeout / 1000} s` : 'failed',
      };
    }
  };
  roots.forEach((r, k) => console.log(`[${k}] ${r}`));
  console.log(`routine              ${ps.map((p) => `p=${p}`.padStart(22)).join('')}   ratio`);
  for (const routine of only) {
    const rows = roots.map(() => []);
    for (const p of ps) roots.forEach((where, k) => rows[k].push(run(where, routine, p)));
    rows.forEach((row, k) => {
      const ratio = row[row.length - 1].seconds / row[0].seconds;
      console.log(
        `${`${routine} [${k}]`.padEnd(20)} ${row.map((c) => c.cell.padStart(22)).join('')}   ${Number.isFinite(ratio) ? ratio.toFixed(1) : '–'}`,
      );
    });
    if (roots.length === 2)
      console.log(
        `${'  [0]/[1]'.padEnd(20)} ${rows[0].map((c, i) => (Number.isFinite(c.seconds / rows[1][i].seconds) ? `${(c.seconds / rows[1][i].seconds).toFixed(1)}×` : '–').padStart(22)).join('')}`,
      );
  }
}
