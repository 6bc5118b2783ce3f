import type { Evaluation, FamilyName, Metrics } from '@hetmtl/estimator';

/** One metric of the results table: its name, per-task and mean-over-tasks values, and which way is better. */
export interface MetricColumn {
  readonly name: string;
  readonly task: (m: Metrics) => number;
  readonly mean: (e: Evaluation) => number;
  readonly better: 'lower' | 'higher';
}

const num = (v: number | null | undefined) => (typeof v === 'number' ? v : Number.NaN);
/** The mean over tasks of a per-task metric, over the tasks where it is defined. */
const meanOf = (e: Evaluation, f: (m: Metrics) => number) => {
  const v = Object.values(e.tasks)
    .map(f)
    .filter((x) => !Number.isNaN(x));
  return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
};

/**
 * The metrics the results table shows for a family (the estimator's family metrics): gaussian the
 * RMSE; binomial the log loss, the AUC (undefined for a task with one class: left out of the mean,
 * as the evaluation does) and the accuracy at 0.5; poisson the mean deviance and the RMSE of the
 * expected counts.
 */
export function metricColumns(family: FamilyName): readonly MetricColumn[] {
  const rmse: MetricColumn = {
    name: 'RMSE',
    task: (m) => m.rmse,
    mean: (e) => e.meanTaskRmse,
    better: 'lower',
  };
  if (family === 'binomial')
    return [
      {
        name: 'log loss',
        task: (m) => num(m.logLoss),
        mean: (e) => num(e.meanTaskLogLoss),
        better: 'lower',
      },
      { name: 'AUC', task: (m) => num(m.auc), mean: (e) => num(e.meanTaskAuc), better: 'higher' },
      {
        name: 'accuracy',
        task: (m) => num(m.accuracy),
        mean: (e) => meanOf(e, (m) => num(m.accuracy)),
        better: 'higher',
      },
    ];
  if (family === 'poisson')
    return [
      {
        name: 'deviance',
        task: (m) => num(m.meanDeviance),
        mean: (e) => num(e.meanTaskDeviance),
        better: 'lower',
      },
      rmse,
    ];
  return [rmse];
}

/** The index of the best of `values` (NaN never best; ties: every tied index), as a set. */
export function bestOf(values: readonly number[], better: 'lower' | 'higher'): Set<number> {
  const ok = values.filter((v) => !Number.isNaN(v));
  if (ok.length === 0) return new Set();
  const best = better === 'lower' ? Math.min(...ok) : Math.max(...ok);
  return new Set(values.flatMap((v, i) => (v === best ? [i] : [])));
}

/** What the validation score of a family is called (the fit's progress and λ path report it). */
export const validationScoreName = (family: FamilyName) =>
  family === 'gaussian' ? 'validation RMSE' : 'validation deviance';
