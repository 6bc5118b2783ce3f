// Measurement (not a test): the GLM baselines on the public binary / count data sets of
// ../shared/data (README there), random 70/30 splits within each task, λ chosen on a 20% validation
// part of the training rows (the skeleton's split; no test rows take part), refit on all training rows.
//
//   pnpm build && node packages/baselines/bench/glm-real-data.mjs [--seeds 1,2,3] [--only contraception,grouseticks,mmmec]
//       [--learners pooled,per-task,mean-reg,intercepts]
//
// Prints, per data set and learner, the mean ± sd over seeds of the test metrics: log loss, AUC,
// Brier and accuracy (binary), mean deviance and RMSE (counts), overall over the test rows.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeanRegularizedRegressor, RidgeRegressor } from '@hetmtl/baselines';
import { readCsv, trainTestSplit } from '@hetmtl/data';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const here = dirname(fileURLToPath(import.meta.url));
const dataDir = resolve(here, '../../../../shared/data');
const seeds = arg('seeds', '1,2,3,4,5').split(',').map(Number);
const only = arg('only', 'contraception,grouseticks,mmmec').split(',');
const learners = arg('learners', 'pooled,per-task,mean-reg').split(',');

const SETS = {
  contraception: {
    family: 'binomial',
    read: { task: 'district', target: 'use', binaryTarget: true },
  },
  grouseticks: {
    family: 'poisson',
    read: { task: 'location', target: 'ticks', categorical: ['year'] },
  },
  mmmec: {
    family: 'poisson',
    read: { task: 'nation', target: 'deaths', exposure: 'expected', exclude: ['region'] },
  },
};
const make = {
  pooled: (family) => new RidgeRegressor({ family, mode: 'pooled' }),
  'per-task': (family) => new RidgeRegressor({ family, mode: 'per-task' }),
  'mean-reg': (family) => new MeanRegularizedRegressor({ family }),
  // task intercepts only: pooled with a λ so large that β ≈ 0
  intercepts: (family) => new RidgeRegressor({ family, mode: 'pooled', lambdas: [1e8] }),
};
const stat = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
};

for (const name of only) {
  const spec = SETS[name];
  const ds = await readCsv(resolve(dataDir, `${name}.csv`), spec.read);
  console.log(`\n${name}: ${ds} (${spec.family}${ds.offsets ? ', offset' : ''})`);
  for (const learner of learners) {
    const rows = {};
    const lambdas = [];
    const t0 = Date.now();
    for (const seed of seeds) {
      const { train, test } = trainTestSplit(ds, { test: 0.3, seed });
      const m = await make[learner](spec.family).fit(train);
      const ev = m.evaluate(test);
      const o = ev.overall;
      const keys =
        spec.family === 'binomial'
          ? ['logLoss', 'auc', 'brier', 'accuracy']
          : ['meanDeviance', 'rmse'];
      for (const k of keys) (rows[k] ??= []).push(o[k]);
      lambdas.push(m.selection.lambda);
    }
    const cells = Object.entries(rows).map(([k, v]) => `${k} ${stat(v)}`);
    console.log(
      `  ${learner.padEnd(10)} ${cells.join('  ')}  λ ${lambdas.map((l) => l.toExponential(0)).join(',')}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
}
