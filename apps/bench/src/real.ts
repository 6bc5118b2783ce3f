import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { type MultiTaskDataset, readCsv, repeatedSplits } from '@hetmtl/data';
import type { FamilyName } from '@hetmtl/estimator';
import { ProgressBar } from './progress.js';
import {
  availableMethods,
  compareMethods,
  describeMethods,
  METHOD_ID,
  type MethodEntry,
  type MethodResult,
} from './roster.js';
import { mean, meanSd } from './stats.js';
import { machineDescription } from './study.js';

export interface RealOptions {
  readonly csv: string;
  readonly task: string;
  readonly target: string;
  readonly categorical?: readonly string[];
  readonly exclude?: readonly string[];
  readonly repeats: number;
  /** Share of each task's rows in the test part of a split. */
  readonly test: number;
  readonly methods: readonly MethodEntry[];
  readonly quick: boolean;
  readonly out: string;
  readonly backend: string;
  readonly command: string;
  /** The response family (default gaussian); binomial reads a two-level target as 0/1. */
  readonly family?: FamilyName;
  /** binomial: the level read as 1 (default: the second in sorted order). */
  readonly positive?: string;
  /** poisson: a column of offsets (log exposure), or of exposures (its log is the offset). */
  readonly offset?: string;
  readonly exposure?: string;
}

/** One method in one split: test RMSE per task and over all rows, explained variance, groups. */
export type RealScore = Omit<MethodResult, 'groups'> & { readonly numGroups?: number };

export interface RealResults {
  readonly dataset: string;
  readonly command: string;
  readonly machine: string;
  readonly backend: string;
  readonly date: string;
  readonly repeats: number;
  readonly test: number;
  /** The response family (absent: gaussian). */
  readonly family?: FamilyName;
  readonly taskNames: readonly string[];
  /** Rows per task in the whole file. */
  readonly taskRows: readonly number[];
  readonly numFeatures: number;
  readonly methods: readonly { id: string; label: string; kind: string }[];
  /** Methods asked for that could not run here (a Python peer without its modules), and why. */
  readonly omitted?: readonly { id: string; label: string; reason: string }[];
  /** Per repeat, every method's scores. */
  readonly splits: readonly (readonly RealScore[])[];
}

/** The single-task and pooled references of the per-task report. */
export const SINGLE = 'ridge-task';
export const POOLED = 'ridge-pooled';

/**
 * Every method on a CSV with a task column: `repeats` random splits stratified by task (test share
 * `test` of each task's rows), the same splits for every method. Within the training rows each
 * method validates λ, encoders, stopping (the peers: their grid and rounds) on its own seeded
 * hold-out of 20% of each task's rows, the same rows in every method (`@hetmtl/estimator`'s seed
 * protocol; a task with one training row is not validated; hetmtl's `folds: 'auto'` takes K =
 * min(5, smallest task) folds by task instead when the tasks average under 10 validation rows and
 * K ≥ 2), then refits on all training rows.
 * A method that cannot run here (a Python peer without its modules) is left out with a note.
 */
export async function runReal(o: RealOptions): Promise<RealResults> {
  const ds: MultiTaskDataset = await readCsv(o.csv, {
    task: o.task,
    target: o.target,
    ...(o.categorical ? { categorical: o.categorical } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
    ...(o.family === 'binomial' ? { binaryTarget: true } : {}),
    ...(o.positive !== undefined ? { positive: o.positive } : {}),
    ...(o.offset !== undefined ? { offset: o.offset } : {}),
    ...(o.exposure !== undefined ? { exposure: o.exposure } : {}),
  });
  const name = basename(o.csv, extname(o.csv));
  const { methods, omitted } = availableMethods(o.methods);
  for (const m of omitted) console.log(`${m.id} left out: ${m.reason}`);
  console.log(
    `${name}: ${ds.numTasks} tasks, ${ds.totalRows} rows, ${ds.numFeatures} features; ` +
      `${o.repeats} split${o.repeats === 1 ? '' : 's'} (${Math.round(o.test * 100)}% of each task's rows for test) × ${methods.length} methods`,
  );
  const bar = new ProgressBar(o.repeats * methods.length, 'fits');
  const splits: RealScore[][] = [];
  try {
    for (const split of repeatedSplits(ds, { repeats: o.repeats, test: o.test, seed: 1 })) {
      const seed = split.repeat + 1;
      // No explicit validation rows: a task with one training row cannot spare one, and the
      // estimators refuse validation rows that lack a training task; their own hold-out skips it.
      const results = await compareMethods(
        methods,
        { train: split.train, test: split.test },
        seed,
        o.quick,
        (r) => bar.tick(1, `split ${seed} ${r.method}`),
      );
      splits.push(
        results.map(({ groups, ...rest }) => ({
          ...rest,
          ...(groups ? { numGroups: new Set(groups).size } : {}),
        })),
      );
    }
  } finally {
    bar.stop();
  }
  const results: RealResults = {
    dataset: name,
    command: o.command,
    machine: machineDescription(),
    backend: o.backend,
    date: new Date().toISOString().slice(0, 10),
    repeats: o.repeats,
    test: o.test,
    ...(o.family !== undefined && o.family !== 'gaussian' ? { family: o.family } : {}),
    taskNames: ds.taskNames,
    taskRows: ds.taskNames.map((_, r) => ds.task(r).n),
    numFeatures: ds.numFeatures,
    methods: describeMethods(methods),
    ...(omitted.length ? { omitted } : {}),
    splits,
  };
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, `${name}.json`), `${JSON.stringify(results, null, 1)}\n`);
  const md = realMarkdown(results);
  writeFileSync(join(o.out, `${name}.md`), md);
  console.log(`\n${md}`);
  return results;
}

function scoresOf(r: RealResults, id: string): RealScore[] {
  return r.splits.map((s) => s.find((x) => x.method === id)).filter((x): x is RealScore => !!x);
}

/** The tables of a real-data run: every method overall, then the method task by task. */
export function realMarkdown(r: RealResults): string {
  if (r.family !== undefined) return glmMarkdown(r, r.family);
  const lines = [
    `## ${r.dataset}: ${r.taskNames.length} tasks, ${r.taskRows.reduce((a, b) => a + b, 0)} rows, ${r.numFeatures} features`,
    '',
    `Command: \`${r.command}\` · ${r.machine} · backend ${r.backend} · ${r.date} · ${r.repeats} random ` +
      `split${r.repeats === 1 ? '' : 's'} stratified by task (${Math.round(r.test * 100)}% of each task's rows for test; ` +
      "each method validates on its seeded hold-out of 20% of each task's training rows, the same rows " +
      "in every method (hetmtl's auto folds: min(5, smallest task) folds by task, if ≥ 2, when tasks average under 10 validation " +
      'rows), then refits on all training rows); every method sees the same splits. Mean ± sd over splits. Mean task RMSE: mean over tasks of the per-task test ' +
      'RMSE; overall RMSE and explained variance (1 − MSE / variance of the test responses) over all ' +
      'test rows.',
    '',
    '| method | mean task RMSE | overall RMSE | explained variance | groups (range over splits) | s per fit |',
    '|---|---|---|---|---|---|',
  ];
  const best = Math.min(...r.methods.map((m) => mean(scoresOf(r, m.id).map((s) => s.rmse))));
  for (const m of r.methods) {
    const s = scoresOf(r, m.id);
    const rm = s.map((x) => x.rmse);
    const cell = meanSd(rm);
    const g = s.map((x) => x.numGroups ?? Number.NaN);
    const [lo, hi] = [Math.min(...g), Math.max(...g)];
    const groups = !s.length || Number.isNaN(lo) ? '' : lo === hi ? String(lo) : `${lo}–${hi}`;
    lines.push(
      `| ${m.label} | ${mean(rm) === best ? `**${cell}**` : cell} | ${meanSd(s.map((x) => x.overall.rmse))} | ` +
        `${meanSd(
          s.map((x) => 100 * x.overall.r2),
          1,
        )}% | ${groups} | ${mean(s.map((x) => x.seconds)).toFixed(2)} |`,
    );
  }
  for (const m of r.omitted ?? []) lines.push('', `(${m.label} left out: ${m.reason}.)`);
  lines.push('', ...perTaskReport(r));
  return `${lines.join('\n')}\n`;
}

/** Per task: the method's test RMSE (mean over splits) against single-task and pooled ridge. */
function perTaskReport(r: RealResults): string[] {
  const ids = new Set(r.methods.map((m) => m.id));
  if (![METHOD_ID, SINGLE, POOLED].every((id) => ids.has(id))) {
    return [`(The per-task report needs ${METHOD_ID}, ${SINGLE} and ${POOLED} in --methods.)`];
  }
  const perTask = (id: string) =>
    r.taskNames.map((_, t) => mean(scoresOf(r, id).map((s) => s.taskRmse[t])));
  const wins = (id: string) =>
    r.taskNames.map(
      (_, t) =>
        scoresOf(r, METHOD_ID).filter((s, k) => s.taskRmse[t] < scoresOf(r, id)[k].taskRmse[t])
          .length,
    );
  const m = perTask(METHOD_ID);
  const single = perTask(SINGLE);
  const pooled = perTask(POOLED);
  const winsSingle = wins(SINGLE);
  const winsPooled = wins(POOLED);
  const beatSingle = m.filter((v, t) => v < single[t]).length;
  const beatPooled = m.filter((v, t) => v < pooled[t]).length;
  const beatBoth = m.filter((v, t) => v < single[t] && v < pooled[t]).length;
  const R = r.taskNames.length;
  const out = [
    `### ${METHOD_ID} task by task`,
    '',
    `${METHOD_ID} beat single-task ridge on **${beatSingle} of ${R}** tasks, pooled ridge (with task ` +
      `intercepts) on **${beatPooled} of ${R}**, both on **${beatBoth} of ${R}** (test RMSE averaged ` +
      `over the ${r.repeats} splits). Wins: splits where ${METHOD_ID} had the lower test RMSE on that task.`,
    '',
    `| task | rows | ${METHOD_ID} | single-task ridge | pooled ridge | beat single-task | beat pooled |`,
    '|---|---|---|---|---|---|---|',
  ];
  r.taskNames.forEach((name, t) => {
    const yes = (a: number, b: number, w: number) => `${a < b ? 'yes' : 'no'} (${w}/${r.repeats})`;
    out.push(
      `| ${name} | ${r.taskRows[t]} | ${m[t].toFixed(3)} | ${single[t].toFixed(3)} | ` +
        `${pooled[t].toFixed(3)} | ${yes(m[t], single[t], winsSingle[t])} | ` +
        `${yes(m[t], pooled[t], winsPooled[t])} |`,
    );
  });
  return out;
}

/**
 * The table of a binomial or poisson run: test log loss, AUC, Brier and accuracy (binomial) or
 * mean Poisson deviance and RMSE (poisson) over all test rows, the mean task deviance, and the
 * splits where hetmtl beat each baseline on the headline metric.
 */
export function glmMarkdown(r: RealResults, family: FamilyName): string {
  const binomial = family === 'binomial';
  const cols: { label: string; get: (s: RealScore) => number; lower: boolean; digits?: number }[] =
    binomial
      ? [
          { label: 'log loss', get: (s) => s.overall.logLoss ?? Number.NaN, lower: true },
          { label: 'AUC', get: (s) => s.overall.auc ?? Number.NaN, lower: false },
          { label: 'Brier', get: (s) => s.overall.brier ?? Number.NaN, lower: true },
          { label: 'accuracy', get: (s) => s.overall.accuracy ?? Number.NaN, lower: false },
          {
            label: 'mean task deviance',
            get: (s) => s.meanTaskDeviance ?? Number.NaN,
            lower: true,
          },
        ]
      : [
          { label: 'mean deviance', get: (s) => s.overall.meanDeviance ?? Number.NaN, lower: true },
          { label: 'RMSE (counts)', get: (s) => s.overall.rmse, lower: true },
          {
            label: 'mean task deviance',
            get: (s) => s.meanTaskDeviance ?? Number.NaN,
            lower: true,
          },
        ];
  const lines = [
    `## ${r.dataset} (${family}): ${r.taskNames.length} tasks, ${r.taskRows.reduce((a, b) => a + b, 0)} rows, ${r.numFeatures} features`,
    '',
    `Command: \`${r.command}\` · ${r.machine} · backend ${r.backend} · ${r.date} · ${r.repeats} random ` +
      `split${r.repeats === 1 ? '' : 's'} stratified by task (${Math.round(r.test * 100)}% of each task's rows for test); ` +
      "each method validates on its seeded hold-out of 20% of each task's training rows, then refits on all " +
      'training rows; every method sees the same splits, scored by the same metric code (@hetmtl/estimator). ' +
      'Mean ± sd over splits, over all test rows.',
    '',
    `| method | ${cols.map((c) => c.label).join(' | ')} | s per fit |`,
    `|---|${cols.map(() => '---|').join('')}---|`,
  ];
  const best = cols.map((c) => {
    const means = r.methods.map((m) => mean(scoresOf(r, m.id).map(c.get)));
    return c.lower ? Math.min(...means) : Math.max(...means);
  });
  for (const m of r.methods) {
    const s = scoresOf(r, m.id);
    const cells = cols.map((c, k) => {
      const cell = meanSd(s.map(c.get));
      return mean(s.map(c.get)) === best[k] ? `**${cell}**` : cell;
    });
    lines.push(
      `| ${m.label} | ${cells.join(' | ')} | ${mean(s.map((x) => x.seconds)).toFixed(2)} |`,
    );
  }
  for (const m of r.omitted ?? []) lines.push('', `(${m.label} left out: ${m.reason}.)`);
  const head = cols[0];
  const mine = scoresOf(r, METHOD_ID);
  if (mine.length > 0) {
    const wins = r.methods
      .filter((m) => m.id !== METHOD_ID)
      .map((m) => {
        const other = scoresOf(r, m.id);
        const k = mine.filter((s, i) => other[i] && head.get(s) < head.get(other[i])).length;
        return `${m.label} ${k}/${Math.min(mine.length, other.length)}`;
      });
    lines.push(
      '',
      `Splits where ${METHOD_ID} had the lower test ${head.label}: ${wins.join(', ')}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
