import { RidgeRegressor } from '@hetmtl/baselines';
import type { MultiTaskDataset } from '@hetmtl/data';
import type { DualEncoderRegressor, Evaluation } from '@hetmtl/model';
import {
  describeGroups,
  fixed,
  formatLambda,
  formatTable,
  jsonLambda,
  hiddenLine,
  topAndBottom,
  jsonNumber,
} from './format.js';

export interface Score {
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
}

export interface TaskComparison {
  readonly task: string;
  readonly nTrain: number;
  readonly nTest: number;
  readonly hetmtl: Score;
  readonly ridgePerTask: Score;
  readonly ridgePooled: Score;
}

/** The method next to its two natural baselines, on the same rows. */
export interface Comparison {
  readonly tasks: readonly TaskComparison[];
  /** Mean over tasks of each task's score. */
  readonly mean: {
    readonly hetmtl: Score;
    readonly ridgePerTask: Score;
    readonly ridgePooled: Score;
  };
  /** Over all evaluation rows together. */
  readonly overall: {
    readonly hetmtl: Score;
    readonly ridgePerTask: Score;
    readonly ridgePooled: Score;
  };
}

const score = (m: { rmse: number; mae: number; r2: number } | undefined): Score => ({
  rmse: m?.rmse ?? Number.NaN,
  mae: m?.mae ?? Number.NaN,
  r2: m?.r2 ?? Number.NaN,
});

function meanScore(scores: readonly Score[]): Score {
  const mean = (xs: number[]) => {
    const ok = xs.filter((x) => Number.isFinite(x));
    return ok.length === 0 ? Number.NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
  };
  return {
    rmse: mean(scores.map((s) => s.rmse)),
    mae: mean(scores.map((s) => s.mae)),
    r2: mean(scores.map((s) => s.r2)),
  };
}

/**
 * Fits per-task ridge and pooled ridge (one slope, task intercepts) on the model's training rows
 * (same seed, so the same validation split for λ) and scores all three on the evaluation rows.
 */
export async function compareWithBaselines(
  model: DualEncoderRegressor,
  train: MultiTaskDataset,
  evaluation: MultiTaskDataset,
  options: { readonly seed: number; readonly signal?: AbortSignal },
): Promise<Comparison> {
  // The same target transform as the model (--log-target), so the three are scored alike.
  const { logTarget } = model.options;
  const perTask = new RidgeRegressor({ mode: 'per-task', seed: options.seed, logTarget });
  const pooled = new RidgeRegressor({ mode: 'pooled', seed: options.seed, logTarget });
  try {
    const fitOptions = options.signal ? { signal: options.signal } : {};
    await perTask.fit(train, fitOptions);
    await pooled.fit(train, fitOptions);
    const evals: [
      Evaluation,
      ReturnType<RidgeRegressor['evaluate']>,
      ReturnType<RidgeRegressor['evaluate']>,
    ] = [model.evaluate(evaluation), perTask.evaluate(evaluation), pooled.evaluate(evaluation)];
    const [h, r, p] = evals;
    // Every training task, in training order; a task too small to spare a test row has none.
    const tested = new Map(evaluation.taskNames.map((t, i) => [t, evaluation.sizes[i]]));
    const names = [
      ...train.taskNames,
      ...evaluation.taskNames.filter((t) => !train.taskNames.includes(t)),
    ];
    const tasks = names.map((task) => ({
      task,
      nTrain: train.taskNames.includes(task) ? train.task(task).n : 0,
      nTest: tested.get(task) ?? 0,
      hetmtl: score(h.tasks[task]),
      ridgePerTask: score(r.tasks[task]),
      ridgePooled: score(p.tasks[task]),
    }));
    return {
      tasks,
      mean: {
        hetmtl: meanScore(tasks.map((t) => t.hetmtl)),
        ridgePerTask: meanScore(tasks.map((t) => t.ridgePerTask)),
        ridgePooled: meanScore(tasks.map((t) => t.ridgePooled)),
      },
      overall: {
        hetmtl: score(h.overall),
        ridgePerTask: score(r.overall),
        ridgePooled: score(p.overall),
      },
    };
  } finally {
    perTask.dispose();
    pooled.dispose();
  }
}

const cell = (s: Score) => `${fixed(s.rmse)} / ${fixed(s.r2)}`;

/**
 * What the per-task report says of small or unusual tasks: a constant target, one or two rows,
 * no held-out rows (too small to spare one). Empty for tasks with nothing to say.
 */
export function taskNotes(
  dataset: MultiTaskDataset,
  tasksWithoutTest: readonly string[] = [],
): Map<string, string> {
  const notes = new Map<string, string[]>();
  const add = (task: string, note: string) => {
    const list = notes.get(task);
    if (list) list.push(note);
    else notes.set(task, [note]);
  };
  for (const t of dataset.report?.tinyTasks ?? [])
    add(t.task, `${t.rows} row${t.rows === 1 ? '' : 's'}`);
  for (const t of dataset.report?.constantTargetTasks ?? [])
    add(t.task, `constant target ${t.value}`);
  for (const t of tasksWithoutTest) add(t, 'no test rows');
  return new Map([...notes].map(([t, list]) => [t, list.join(', ')]));
}

/**
 * The per-task table of fit and demo; `extra` adds columns (the demo's true groups), `notes` a
 * last column marking small or unusual tasks.
 */
export function comparisonTable(
  c: Comparison,
  extra?: { readonly header: readonly string[]; readonly cells: (task: string) => string[] },
  notes?: ReadonlyMap<string, string>,
  top?: number | 'all',
): string {
  if (notes && notes.size > 0) {
    const inner = extra;
    extra = {
      header: [...(inner?.header ?? []), 'note'],
      cells: (task) => [...(inner?.cells(task) ?? []), notes.get(task) ?? ''],
    };
  }
  const header = [
    'task',
    'train',
    'test',
    'hetmtl',
    'per-task ridge',
    'pooled ridge',
    ...(extra?.header ?? []),
  ];
  const blank = (extra?.header ?? []).map(() => '');
  const row = (t: TaskComparison) => [
    t.task,
    String(t.nTrain),
    String(t.nTest),
    cell(t.hetmtl),
    cell(t.ridgePerTask),
    cell(t.ridgePooled),
    ...(extra?.cells(t.task) ?? []),
  ];
  // Many tasks: those where hetmtl gains most on the better ridge baseline, and loses most.
  const shown = topAndBottom(c.tasks, relativeRmse, top);
  const rows = shown.head.map(row);
  if (shown.hidden > 0) {
    rows.push([`… ${shown.hidden} tasks hidden`, '', '', '', '', '', ...blank]);
    rows.push(...shown.tail.map(row));
  }
  const sum = (k: 'nTrain' | 'nTest') => String(c.tasks.reduce((a, t) => a + t[k], 0));
  rows.push([
    'mean of tasks',
    '',
    '',
    cell(c.mean.hetmtl),
    cell(c.mean.ridgePerTask),
    cell(c.mean.ridgePooled),
    ...blank,
  ]);
  rows.push([
    'all rows',
    sum('nTrain'),
    sum('nTest'),
    cell(c.overall.hetmtl),
    cell(c.overall.ridgePerTask),
    cell(c.overall.ridgePooled),
    ...blank,
  ]);
  const table = formatTable(header, rows);
  return shown.hidden > 0 ? `${table}\n${hiddenLine(shown, c.tasks.length, 'fit')}` : table;
}

/** hetmtl's test RMSE over the better ridge baseline's (NaN: no test rows): the rank of --top. */
export function relativeRmse(t: TaskComparison): number {
  return t.hetmtl.rmse / Math.min(t.ridgePerTask.rmse, t.ridgePooled.rmse);
}

/** Which candidate won model selection, in one line, and the candidates' validation RMSE. */
export function selectionLines(model: DualEncoderRegressor): string[] {
  const s = model.summary();
  const o = model.options;
  const cands = model.candidates();
  const parts = cands
    .filter((c) => (c.weight ?? 0) > 0)
    .sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0));
  const what =
    s.kind === 'blend'
      ? `an average of ${parts.length} candidates (${parts.map((c) => `${c.id} ${fixed(c.weight ?? 0)}`).join(', ')}; weights fitted on the validation predictions), λ and groups of ${parts[0]?.id}`
      : s.kind === 'dual'
        ? `dual encoder (shared ${o.shared.kind}, task-specific ${o.specific?.kind ?? 'none'}, K0 = ${o.K0}, K1 = ${o.specific ? o.K1 : 0})`
        : 'the linear MTL floor (identity encoder, mean-regularised coefficients)';
  const lines = [
    `Chosen model: ${what}, λ = ${formatLambda(s.lambda)}${s.kind === 'dual' ? ` (${o.lambdaSelection === 'bic' ? 'BIC' : 'validation'})` : ''}, ${s.numGroups} group${s.numGroups === 1 ? '' : 's'}${s.folds > 1 ? `, selected by ${s.folds}-fold validation` : ''}`,
  ];
  if (cands.length > 1) {
    lines.push(
      `Model selection (mean validation RMSE over tasks): ${cands
        .map(
          (c) =>
            `${c.id} ${fixed(c.validationRmse)}${s.kind === 'blend' ? ` (weight ${fixed(c.weight ?? 0)})` : c.chosen ? ' (chosen)' : ''}`,
        )
        .join(', ')}`,
    );
  }
  return lines;
}

export function groupLines(model: DualEncoderRegressor): string[] {
  const s = model.summary();
  if (s.kind === 'linear' && s.numGroups === s.taskNames.length && s.numGroups > 1)
    return [
      `${s.numGroups} groups: every task is its own group (the linear MTL floor shrinks each task's coefficients toward a common centre instead of fusing them)`,
    ];
  return describeGroups(model.groups(), s.taskNames.length);
}

const jsonScore = (s: Score) => ({
  rmse: jsonNumber(s.rmse),
  mae: jsonNumber(s.mae),
  r2: jsonNumber(s.r2),
});

/** The comparison as JSON-safe data (NaN as null); `notes` marks small or unusual tasks. */
export function comparisonJson(c: Comparison, notes?: ReadonlyMap<string, string>) {
  const three = (x: Comparison['mean']) => ({
    hetmtl: jsonScore(x.hetmtl),
    ridgePerTask: jsonScore(x.ridgePerTask),
    ridgePooled: jsonScore(x.ridgePooled),
  });
  return {
    tasks: c.tasks.map((t) => ({
      task: t.task,
      nTrain: t.nTrain,
      nTest: t.nTest,
      hetmtl: jsonScore(t.hetmtl),
      ridgePerTask: jsonScore(t.ridgePerTask),
      ridgePooled: jsonScore(t.ridgePooled),
      ...(notes?.has(t.task) ? { note: notes.get(t.task) } : {}),
    })),
    meanOfTasks: three(c.mean),
    allRows: three(c.overall),
  };
}

/** Model summary as JSON-safe data. */
export function modelSummaryJson(model: DualEncoderRegressor) {
  const s = model.summary();
  return {
    kind: s.kind,
    ...jsonLambda(s.lambda),
    numGroups: s.numGroups,
    folds: s.folds,
    groups: model.groups(),
    candidates: model.candidates().map((c) => ({
      id: c.id,
      kind: c.kind,
      validationRmse: jsonNumber(c.validationRmse),
      ...jsonLambda(c.lambda),
      numGroups: c.numGroups,
      chosen: c.chosen,
      ...(c.weight !== undefined ? { weight: c.weight } : {}),
    })),
  };
}
