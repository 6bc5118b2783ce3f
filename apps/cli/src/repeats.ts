import { fixed, formatTable, jsonNumber } from './format.js';
import { baselineLabels, type Comparison, type Score } from './report.js';

/** The score --repeats compares: test RMSE (gaussian), the mean deviance (binomial, poisson). */
function metricOf(r: Repeats): { key: keyof Score; label: string } {
  const family = r.comparisons[0]?.family ?? 'gaussian';
  return family === 'gaussian'
    ? { key: 'rmse', label: 'RMSE' }
    : { key: 'meanDeviance', label: `mean deviance (${family})` };
}
const at = (s: Score, key: keyof Score) => s[key] ?? Number.NaN;

/** The learners' names in tables: ridge, or the family's GLM. */
function names(r: Repeats): Readonly<Record<Learner, string>> {
  const [perTask, pooled] = baselineLabels(r.comparisons[0]?.family ?? 'gaussian');
  return { hetmtl: 'hetmtl', ridgePerTask: perTask, ridgePooled: pooled };
}

/** The three learners of the report, in its order, with their names in tables. */
const LEARNERS = [
  ['hetmtl', 'hetmtl'],
  ['ridgePerTask', 'per-task ridge'],
  ['ridgePooled', 'pooled ridge'],
] as const;
type Learner = (typeof LEARNERS)[number][0];
const BASELINES = [
  ['ridgePerTask', 'per-task ridge'],
  ['ridgePooled', 'pooled ridge'],
] as const;

/** Mean and sample standard deviation (n − 1; 0 for one value) of the finite values. */
export function meanSd(values: readonly number[]): { mean: number; sd: number; n: number } {
  const ok = values.filter((v) => Number.isFinite(v));
  const n = ok.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, n };
  const mean = ok.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(ok.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** What --repeats measured: per repeat, each learner's test RMSE (mean of tasks, all rows). */
export interface Repeats {
  readonly test: number;
  readonly seed: number;
  readonly comparisons: readonly Comparison[];
}

/** hetmtl against one baseline, paired by split (mean-of-tasks test RMSE) and by task and split. */
export interface Paired {
  /** Splits where hetmtl's mean-of-tasks test RMSE is lower, equal, higher. */
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
  /** hetmtl − baseline, mean-of-tasks test RMSE: mean and sd over the splits. */
  readonly difference: { readonly mean: number; readonly sd: number };
  /** Task × split pairs (tasks with test rows) where hetmtl's test RMSE is lower, and how many. */
  readonly taskWins: number;
  readonly taskPairs: number;
}

export function paired(r: Repeats, baseline: Exclude<Learner, 'hetmtl'>): Paired {
  const { key } = metricOf(r);
  const d = r.comparisons.map((c) => at(c.mean.hetmtl, key) - at(c.mean[baseline], key));
  let taskWins = 0;
  let taskPairs = 0;
  for (const c of r.comparisons)
    for (const t of c.tasks) {
      const a = at(t.hetmtl, key);
      const b = at(t[baseline], key);
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      taskPairs++;
      if (a < b) taskWins++;
    }
  const { mean, sd } = meanSd(d);
  return {
    wins: d.filter((v) => v < 0).length,
    ties: d.filter((v) => v === 0).length,
    losses: d.filter((v) => v > 0).length,
    difference: { mean, sd },
    taskWins,
    taskPairs,
  };
}

const pm = (values: readonly number[]) => {
  const { mean, sd } = meanSd(values);
  return `${fixed(mean)} ± ${fixed(sd)}`;
};

/** The report's section on --repeats. */
export function repeatLines(r: Repeats): string[] {
  const n = r.comparisons.length;
  const { key, label } = metricOf(r);
  const name = names(r);
  const values = (k: Learner, what: 'mean' | 'overall') =>
    r.comparisons.map((c) => at(c[what][k], key));
  const lines = [
    `Repeated splits (--repeats ${n}: ${Math.round(r.test * 100)}% of each task held out, each split seeded from --seed ${r.seed}; every learner fitted on each): test ${label}, mean ± sd over the ${n} splits`,
    formatTable(
      ['', ...LEARNERS.map(([k]) => name[k])],
      [
        ['mean of tasks', ...LEARNERS.map(([k]) => pm(values(k, 'mean')))],
        ['all rows', ...LEARNERS.map(([k]) => pm(values(k, 'overall')))],
      ],
    ),
  ];
  for (const [k] of BASELINES) {
    const p = paired(r, k);
    const b = name[k];
    const m = label.replace(/ \(.*\)$/, '');
    lines.push(
      `hetmtl vs ${b}: lower mean-of-tasks test ${m} in ${p.wins} of ${n} splits${p.ties > 0 ? ` (${p.ties} tied)` : ''}, paired difference ${fixed(p.difference.mean)} ± ${fixed(p.difference.sd)} (hetmtl − ${b}); lower test ${m} in ${p.taskWins} of ${p.taskPairs} task-splits`,
    );
  }
  return lines;
}

/** The same as JSON: every split's values, their mean and sd, the paired comparisons. */
export function repeatsJson(r: Repeats) {
  const stat = (values: number[]) => {
    const { mean, sd } = meanSd(values);
    return { mean: jsonNumber(mean), sd: jsonNumber(sd), values: values.map(jsonNumber) };
  };
  return {
    repeats: r.comparisons.length,
    test: r.test,
    seed: r.seed,
    ...(metricOf(r).key !== 'rmse'
      ? {
          metric: 'meanDeviance',
          meanOfTasksDeviance: Object.fromEntries(
            LEARNERS.map(([k]) => [
              k,
              stat(r.comparisons.map((c) => at(c.mean[k], 'meanDeviance'))),
            ]),
          ),
          allRowsDeviance: Object.fromEntries(
            LEARNERS.map(([k]) => [
              k,
              stat(r.comparisons.map((c) => at(c.overall[k], 'meanDeviance'))),
            ]),
          ),
        }
      : {}),
    meanOfTasksRmse: Object.fromEntries(
      LEARNERS.map(([k]) => [k, stat(r.comparisons.map((c) => c.mean[k].rmse))]),
    ),
    allRowsRmse: Object.fromEntries(
      LEARNERS.map(([k]) => [k, stat(r.comparisons.map((c) => c.overall[k].rmse))]),
    ),
    paired: Object.fromEntries(
      BASELINES.map(([k]) => {
        const p = paired(r, k);
        return [
          k,
          {
            ...p,
            difference: { mean: jsonNumber(p.difference.mean), sd: jsonNumber(p.difference.sd) },
          },
        ];
      }),
    ),
  };
}
