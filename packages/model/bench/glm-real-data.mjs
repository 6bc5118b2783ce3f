// The binomial and poisson families on the three public multi-task GLM data sets of
// ../shared/data (issue #15): 10 random 70/30 splits within tasks (seeds 1..10), features
// standardised on the training part by each learner; hetmtl (the model with its family), pooled
// GLM with task intercepts (RidgeRegressor mode 'pooled'), mean-regularised GLM
// (MeanRegularizedRegressor) and the model's GLM dual candidate alone (selection.linearFloor:
// false), each choosing its penalty on its own validation rows inside the
// training part. Test log loss and AUC (contraception), mean Poisson deviance (the count sets),
// mean ± sd over the splits.
// Run after `pnpm build`:  node packages/model/bench/glm-real-data.mjs [splits]
// HETMTL_DATA=/path/to/data overrides ../shared/data (the folder next to the checkout).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.HETMTL_ROOT ?? resolve(fileURLToPath(import.meta.url), '../../../..');
const load = (pkg) => import(resolve(root, 'packages', pkg, 'dist/index.js'));
const [{ DualEncoderRegressor }, data, baselines, tensor, { cpuBackend }] = await Promise.all([
  load('model'),
  load('data'),
  load('baselines'),
  load('tensor'),
  load('backend-cpu'),
]);
await tensor.useBackend(cpuBackend());

const dataDir =
  process.env.HETMTL_DATA ??
  [resolve(root, '../shared/data'), '/work/shared/data'].find((d) => existsSync(d));
const splits = Number(process.argv[2] ?? 10);

const SETS = [
  {
    name: 'contraception',
    family: 'binomial',
    read: { task: 'district', target: 'use', positive: 'Y' },
    metrics: ['logLoss', 'auc'],
  },
  {
    name: 'grouseticks',
    family: 'poisson',
    read: { task: 'location', target: 'ticks', categorical: ['year'] },
    metrics: ['meanDeviance'],
  },
  {
    name: 'mmmec',
    family: 'poisson',
    read: { task: 'nation', target: 'deaths', exposure: 'expected', exclude: ['region'] },
    metrics: ['meanDeviance'],
  },
];

const LEARNERS = {
  hetmtl: (family, seed) => new DualEncoderRegressor({ family, seed }),
  // The GLM dual candidate alone (the PCA start's encoders, coefficients fused by IRLS on the λ path);
  // where it does not apply (K0 > p: mmmec) this is the floor again.
  'hetmtl glm-dual alone': (family, seed) =>
    new DualEncoderRegressor({ family, seed, selection: { linearFloor: false } }),
  'pooled GLM + task intercepts': (family, seed) =>
    new baselines.RidgeRegressor({ mode: 'pooled', family, seed }),
  'mean-regularised GLM': (family, seed) =>
    new baselines.MeanRegularizedRegressor({ family, seed }),
};

const stats = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
};

for (const set of SETS) {
  const ds = await data.readCsv(resolve(dataDir, `${set.name}.csv`), set.read);
  console.log(
    `\n${set.name} (${set.family}): ${ds.totalRows} rows, ${ds.numTasks} tasks, features ${ds.featureNames.join(', ')}`,
  );
  const results = Object.fromEntries(Object.keys(LEARNERS).map((k) => [k, {}]));
  const chosen = [];
  const t0 = Date.now();
  for (let seed = 1; seed <= splits; seed++) {
    const { train, test } = data.trainTestSplit(ds, { test: 0.3, seed });
    for (const [name, make] of Object.entries(LEARNERS)) {
      const m = await make(set.family, seed).fit(train);
      const ev = m.evaluate(test).overall;
      for (const k of set.metrics) (results[name][k] ??= []).push(ev[k]);
      if (name === 'hetmtl') {
        const c = m.candidates().find((x) => x.chosen);
        chosen.push(
          `${c.id}@${c.lambda === Number.POSITIVE_INFINITY ? '∞' : c.lambda.toPrecision(2)}`,
        );
      }
      m.dispose?.();
    }
  }
  for (const [name, r] of Object.entries(results))
    console.log(
      `  ${name.padEnd(30)} ${set.metrics.map((k) => `${k} ${stats(r[k])}`).join('   ')}`,
    );
  console.log(`  hetmtl chose: ${chosen.join(', ')}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
