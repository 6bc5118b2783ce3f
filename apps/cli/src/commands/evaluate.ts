import { activateBackend } from '../backends.js';
import { fixed, formatTable, hiddenLine, jsonNumber, topAndBottom } from '../format.js';
import { CliError } from '../errors.js';
import { readModelFile } from '../model-file.js';
import type { Output } from '../output.js';
import { readWithEncoding } from '../read-data.js';
import { checkTrials, expandTrials, inFileRowsOf, savedReaderOptions } from '../family-input.js';
import { FAMILY_METRICS, METRIC_LABEL, type Score, score } from '../report.js';

export interface EvaluateFlags {
  readonly backend: string;
  readonly unseenLevels?: 'error' | 'zero';
  readonly format?: string;
  readonly delimiter?: string;
  readonly json?: boolean;
  /** --top: rows of the per-task table with many tasks. */
  readonly top?: number | 'all';
  /** --weights: a column weighing the metrics. */
  readonly weights?: string;
}

/**
 * `hetmtl evaluate <model> <file>`: per-task and overall RMSE, MAE and R² on a file with the target
 * column, read with the training encoding stored in the model file.
 */
export async function evaluateCommand(
  modelPath: string,
  file: string,
  flags: EvaluateFlags,
  out: Output,
): Promise<void> {
  const loaded = await readModelFile(modelPath, { unseenLevels: flags.unseenLevels });
  const saved = loaded.document.fit?.family;
  const family = saved?.family ?? 'gaussian';
  const readOptions = {
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
  };
  const rowFlags = { ...saved, ...(flags.weights !== undefined ? { weights: flags.weights } : {}) };
  let dataset = await inFileRowsOf(
    file,
    readOptions,
    loaded.encoding.taskColumn,
    rowFlags,
    family,
    async () => {
      const read = await readWithEncoding(
        file,
        loaded.encoding,
        readOptions,
        savedReaderOptions(saved, flags.weights),
      );
      if (saved?.trials !== undefined) checkTrials(read.dataset, saved.trials);
      return read.dataset;
    },
  );
  if (saved?.trials !== undefined) dataset = expandTrials(dataset);
  await activateBackend(flags.backend);
  const model = loaded.load();
  try {
    const ev = await inFileRowsOf(
      file,
      readOptions,
      loaded.encoding.taskColumn,
      rowFlags,
      family,
      async () => model.evaluate(dataset),
      () => (saved?.trials !== undefined ? 1 : (dataset.report?.rowsDropped ?? 0)),
    );
    if (!Number.isFinite(ev.overall.rmse))
      throw new CliError(
        `the model's predictions for ${file} are not all finite (RMSE ${ev.overall.rmse}): some rows have values far outside the training data`,
        `Run hetmtl predict ${modelPath} ${file} to find the row, and check its values`,
      );
    const unseen = Object.entries(dataset.report?.unseenByColumn ?? {});
    for (const [column, count] of unseen)
      out.info(
        `hetmtl: ${count} row${count === 1 ? '' : 's'} with a level of "${column}" not seen in training, encoded as all zeros (--unseen-levels zero)`,
      );
    const keys = FAMILY_METRICS[family];
    const tasks = dataset.taskNames.map((task, i) => ({
      task,
      n: dataset.sizes[i],
      s: score(ev.tasks[task], family),
    }));
    // Mean over tasks of each task's score (a task with no score, e.g. R² of one row, left out).
    const meanOf = (k: keyof Score) => {
      const ok = tasks.map((t) => t.s[k] ?? Number.NaN).filter((v) => Number.isFinite(v));
      return ok.length === 0 ? Number.NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
    };
    const overall = score(ev.overall, family);
    const pick = (s: Score | Record<string, number>) =>
      Object.fromEntries(keys.map((k) => [k, jsonNumber((s as Record<string, number>)[k])]));
    if (flags.json) {
      out.json({
        command: 'evaluate',
        model: modelPath,
        file,
        family,
        ...(saved?.positive !== undefined
          ? { positive: saved.positive, negative: saved.negative ?? null }
          : {}),
        tasks: tasks.map((t) => ({ task: t.task, n: t.n, ...pick(t.s) })),
        meanTaskRmse: jsonNumber(ev.meanTaskRmse),
        ...(ev.meanTaskDeviance !== undefined
          ? { meanTaskDeviance: jsonNumber(ev.meanTaskDeviance) }
          : {}),
        ...(ev.meanTaskLogLoss !== undefined
          ? { meanTaskLogLoss: jsonNumber(ev.meanTaskLogLoss) }
          : {}),
        ...(ev.meanTaskAuc !== undefined
          ? { meanTaskAuc: ev.meanTaskAuc === null ? null : jsonNumber(ev.meanTaskAuc) }
          : {}),
        meanOfTasks: Object.fromEntries(keys.map((k) => [k, jsonNumber(meanOf(k))])),
        overall: { n: ev.overall.n, ...pick(overall) },
        ...(ev.notes ? { notes: ev.notes } : {}),
      });
      return;
    }
    const row = (t: (typeof tasks)[number]) => [
      t.task,
      String(t.n),
      ...keys.map((k) => fixed(t.s[k])),
    ];
    // Many tasks: the best and the worst by R² (comparable across tasks, unlike RMSE); binomial by
    // AUC, poisson by the deviance.
    const rank = (t: (typeof tasks)[number]) =>
      family === 'binomial'
        ? -(t.s.auc ?? Number.NaN)
        : family === 'poisson'
          ? (t.s.meanDeviance ?? Number.NaN)
          : -t.s.r2;
    const shown = topAndBottom(tasks, rank, flags.top);
    const rows = shown.head.map(row);
    const blank = keys.map(() => '');
    if (shown.hidden > 0) {
      rows.push([`… ${shown.hidden} tasks hidden`, '', ...blank]);
      rows.push(...shown.tail.map(row));
    }
    rows.push(['mean of tasks', '', ...keys.map((k) => fixed(meanOf(k)))]);
    rows.push(['all rows', String(ev.overall.n), ...keys.map((k) => fixed(overall[k]))]);
    out.print(
      `${file}: ${dataset.totalRows} rows of ${dataset.numTasks} tasks, model ${modelPath}${family !== 'gaussian' ? `, family ${family}${saved?.positive !== undefined ? ` (${JSON.stringify(saved.positive)} read as 1)` : ''}` : ''}`,
    );
    out.print(formatTable(['task', 'n', ...keys.map((k) => METRIC_LABEL[k])], rows));
    if (shown.hidden > 0) out.print(hiddenLine(shown, tasks.length, 'evaluate', family));
    for (const note of ev.notes ?? []) out.print(note);
  } finally {
    model.dispose();
  }
}
