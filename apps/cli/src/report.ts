import { RidgeRegressor } from '@hetmtl/baselines';
import type { MultiTaskDataset } from '@hetmtl/data';
import type { FamilyName } from '@hetmtl/estimator';
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
  /** binomial: mean log loss, Brier score, AUC (NaN: one class only) and accuracy at 0.5. */
  readonly logLoss?: number;
  readonly brier?: number;
  readonly auc?: number;
  readonly accuracy?: number;
  /** binomial and poisson: mean unit deviance. */
  readonly meanDeviance?: number;
}

/** The metrics of each family, in the order of the report and --json (gaussian: RMSE, MAE, R²). */
export const FAMILY_METRICS: Readonly<Record<FamilyName, readonly (keyof Score)[]>> = {
  gaussian: ['rmse', 'mae', 'r2'],
  binomial: ['logLoss', 'brier', 'auc', 'accuracy'],
  poisson: ['meanDeviance', 'rmse', 'mae'],
};

/** What the tables call a metric. */
export const METRIC_LABEL: Readonly<Record<keyof Score, string>> = {
  rmse: 'RMSE',
  mae: 'MAE',
  r2: 'R²',
  logLoss: 'log loss',
  brier: 'Brier',
  auc: 'AUC',
  accuracy: 'accuracy',
  meanDeviance: 'mean deviance',
};

/** The two metrics of a cell of the comparison table: the family's first (lower is better) and its headline. */
const CELL_METRICS: Readonly<Record<FamilyName, readonly [keyof Score, keyof Score]>> = {
  gaussian: ['rmse', 'r2'],
  binomial: ['logLoss', 'auc'],
  poisson: ['meanDeviance', 'rmse'],
};

/** "RMSE / R²", "log loss / AUC", "mean deviance / RMSE". */
export function cellLabel(family: FamilyName): string {
  const [a, b] = CELL_METRICS[family];
  return `${METRIC_LABEL[a]} / ${METRIC_LABEL[b]}`;
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
  /** The response family of the model and the baselines (absent: gaussian). */
  readonly family?: FamilyName;
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

type Measured = Partial<Record<keyof Score, number | null | undefined>>;

/** A learner's metrics as a Score (absent or null, e.g. the AUC of one class: NaN). */
export function score(m: Measured | undefined, family: FamilyName = 'gaussian'): Score {
  const v = (k: keyof Score) => m?.[k] ?? Number.NaN;
  const base = { rmse: v('rmse'), mae: v('mae'), r2: v('r2') };
  if (family === 'binomial')
    return {
      ...base,
      logLoss: v('logLoss'),
      brier: v('brier'),
      auc: v('auc'),
      accuracy: v('accuracy'),
      meanDeviance: v('meanDeviance'),
    };
  if (family === 'poisson') return { ...base, meanDeviance: v('meanDeviance') };
  return base;
}

/** Mean over tasks of each metric (a task without it, e.g. the AUC of one class, left out). */
export function meanScore(scores: readonly Score[], family: FamilyName = 'gaussian'): Score {
  const mean = (k: keyof Score) => {
    const ok = scores.map((s) => s[k] ?? Number.NaN).filter((x) => Number.isFinite(x));
    return ok.length === 0 ? Number.NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
  };
  const keys = Object.keys(score(undefined, family)) as (keyof Score)[];
  return Object.fromEntries(keys.map((k) => [k, mean(k)])) as unknown as Score;
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
  // The same target transform (--log-target) and family as the model, so the three are scored alike.
  const { logTarget, family } = model.options;
  const perTask = new RidgeRegressor({ mode: 'per-task', seed: options.seed, logTarget, family });
  const pooled = new RidgeRegressor({ mode: 'pooled', seed: options.seed, logTarget, family });
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
      hetmtl: score(h.tasks[task], family),
      ridgePerTask: score(r.tasks[task], family),
      ridgePooled: score(p.tasks[task], family),
    }));
    return {
      ...(family !== 'gaussian' ? { family } : {}),
      tasks,
      mean: {
        hetmtl: meanScore(
          tasks.map((t) => t.hetmtl),
          family,
        ),
        ridgePerTask: meanScore(
          tasks.map((t) => t.ridgePerTask),
          family,
        ),
        ridgePooled: meanScore(
          tasks.map((t) => t.ridgePooled),
          family,
        ),
      },
      overall: {
        hetmtl: score(h.overall, family),
        ridgePerTask: score(r.overall, family),
        ridgePooled: score(p.overall, family),
      },
    };
  } finally {
    perTask.dispose();
    pooled.dispose();
  }
}

/** A cell of the comparison table: the family's two metrics. */
export function scoreCell(s: Score, family: FamilyName = 'gaussian'): string {
  const [a, b] = CELL_METRICS[family];
  return `${fixed(s[a])} / ${fixed(s[b])}`;
}

/** The baselines' names in the table: ridge for the gaussian, GLM (penalised) for the others. */
export function baselineLabels(family: FamilyName = 'gaussian'): readonly [string, string] {
  return family === 'gaussian'
    ? ['per-task ridge', 'pooled ridge']
    : [`per-task ${family} GLM`, `pooled ${family} GLM`];
}

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
  const family = c.family ?? 'gaussian';
  const cell = (s: Score) => scoreCell(s, family);
  const header = [
    'task',
    'train',
    'test',
    'hetmtl',
    ...baselineLabels(family),
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
  return shown.hidden > 0 ? `${table}\n${hiddenLine(shown, c.tasks.length, 'fit', family)}` : table;
}

/**
 * hetmtl's test RMSE over the better ridge baseline's (NaN: no test rows): the rank of --top; for
 * binomial and poisson the mean deviance instead of the RMSE.
 */
export function relativeRmse(t: TaskComparison): number {
  const k: keyof Score = t.hetmtl.meanDeviance !== undefined ? 'meanDeviance' : 'rmse';
  const v = (s: Score) => s[k] ?? Number.NaN;
  return v(t.hetmtl) / Math.min(v(t.ridgePerTask), v(t.ridgePooled));
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
  const family = s.family ?? 'gaussian';
  const lines = [
    ...(family !== 'gaussian'
      ? [
          `Family: ${family} (${family === 'binomial' ? 'logit link; predictions are probabilities' : 'log link; predictions are expected counts'})${s.note ? `; ${s.note}` : ''}`,
        ]
      : []),
    `Chosen model: ${what}, λ = ${formatLambda(s.lambda)}${s.kind === 'dual' ? ` (${o.lambdaSelection === 'bic' ? 'BIC' : 'validation'})` : ''}, ${s.numGroups} group${s.numGroups === 1 ? '' : 's'}${s.folds > 1 ? `, selected by ${s.folds}-fold validation` : ''}`,
  ];
  if (cands.length > 1) {
    lines.push(
      `Model selection (mean validation ${family === 'gaussian' ? 'RMSE' : 'deviance'} over tasks): ${cands
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

const jsonScore = (s: Score) =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, jsonNumber(v as number)]));

/** The comparison as JSON-safe data (NaN as null); `notes` marks small or unusual tasks. */
export function comparisonJson(c: Comparison, notes?: ReadonlyMap<string, string>) {
  const three = (x: Comparison['mean']) => ({
    hetmtl: jsonScore(x.hetmtl),
    ridgePerTask: jsonScore(x.ridgePerTask),
    ridgePooled: jsonScore(x.ridgePooled),
  });
  return {
    family: c.family ?? 'gaussian',
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
    family: s.family ?? 'gaussian',
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
