import { fixed, formatTable, jsonNumber } from './format.js';
import type { Comparison } from './report.js';

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
  const d = r.comparisons.map((c) => c.mean.hetmtl.rmse - c.mean[baseline].rmse);
  let taskWins = 0;
  let taskPairs = 0;
  for (const c of r.comparisons)
    for (const t of c.tasks) {
      const a = t.hetmtl.rmse;
      const b = t[baseline].rmse;
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
  const values = (k: Learner, what: 'mean' | 'overall') =>
    r.comparisons.map((c) => c[what][k].rmse);
  const lines = [
    `Repeated splits (--repeats ${n}: ${Math.round(r.test * 100)}% of each task held out, each split seeded from --seed ${r.seed}; every learner fitted on each): test RMSE, mean ± sd over the ${n} splits`,
    formatTable(
      ['', ...LEARNERS.map(([, name]) => name)],
      [
        ['mean of tasks', ...LEARNERS.map(([k]) => pm(values(k, 'mean')))],
        ['all rows', ...LEARNERS.map(([k]) => pm(values(k, 'overall')))],
      ],
    ),
  ];
  for (const [k, name] of BASELINES) {
    const p = paired(r, k);
    lines.push(
      `hetmtl vs ${name}: lower mean-of-tasks test RMSE in ${p.wins} of ${n} splits${p.ties > 0 ? ` (${p.ties} tied)` : ''}, paired difference ${fixed(p.difference.mean)} ± ${fixed(p.difference.sd)} (hetmtl − ${name}); lower test RMSE in ${p.taskWins} of ${p.taskPairs} task-splits`,
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
