import { activateBackend } from '../backends.js';
import { fixed, formatTable, hiddenLine, jsonNumber, topAndBottom } from '../format.js';
import { CliError } from '../errors.js';
import { readModelFile } from '../model-file.js';
import type { Output } from '../output.js';
import { readWithEncoding } from '../read-data.js';

export interface EvaluateFlags {
  readonly backend: string;
  readonly unseenLevels?: 'error' | 'zero';
  readonly format?: string;
  readonly delimiter?: string;
  readonly json?: boolean;
  /** --top: rows of the per-task table with many tasks. */
  readonly top?: number | 'all';
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
  const { dataset } = await readWithEncoding(file, loaded.encoding, {
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
  });
  await activateBackend(flags.backend);
  const model = loaded.load();
  try {
    const ev = model.evaluate(dataset);
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
    const tasks = dataset.taskNames.map((task, i) => ({
      ...(ev.tasks[task] ?? { rmse: Number.NaN, mae: Number.NaN, r2: Number.NaN }),
      task,
      n: dataset.sizes[i],
    }));
    // Mean over tasks of each task's score (a task with no score, e.g. R² of one row, left out).
    const meanOf = (k: 'rmse' | 'mae' | 'r2') => {
      const ok = tasks.map((t) => t[k]).filter((v) => Number.isFinite(v));
      return ok.length === 0 ? Number.NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
    };
    const mean = { rmse: meanOf('rmse'), mae: meanOf('mae'), r2: meanOf('r2') };
    if (flags.json) {
      out.json({
        command: 'evaluate',
        model: modelPath,
        file,
        tasks: tasks.map((t) => ({
          task: t.task,
          n: t.n,
          rmse: jsonNumber(t.rmse),
          mae: jsonNumber(t.mae),
          r2: jsonNumber(t.r2),
        })),
        meanTaskRmse: jsonNumber(ev.meanTaskRmse),
        meanOfTasks: {
          rmse: jsonNumber(mean.rmse),
          mae: jsonNumber(mean.mae),
          r2: jsonNumber(mean.r2),
        },
        overall: {
          n: ev.overall.n,
          rmse: jsonNumber(ev.overall.rmse),
          mae: jsonNumber(ev.overall.mae),
          r2: jsonNumber(ev.overall.r2),
        },
      });
      return;
    }
    const row = (t: (typeof tasks)[number]) => [
      t.task,
      String(t.n),
      fixed(t.rmse),
      fixed(t.mae),
      fixed(t.r2),
    ];
    // Many tasks: the best and the worst by R² (comparable across tasks, unlike RMSE).
    const shown = topAndBottom(tasks, (t) => -t.r2, flags.top);
    const rows = shown.head.map(row);
    if (shown.hidden > 0) {
      rows.push([`… ${shown.hidden} tasks hidden`, '', '', '', '']);
      rows.push(...shown.tail.map(row));
    }
    rows.push(['mean of tasks', '', fixed(mean.rmse), fixed(mean.mae), fixed(mean.r2)]);
    rows.push([
      'all rows',
      String(ev.overall.n),
      fixed(ev.overall.rmse),
      fixed(ev.overall.mae),
      fixed(ev.overall.r2),
    ]);
    out.print(
      `${file}: ${dataset.totalRows} rows of ${dataset.numTasks} tasks, model ${modelPath}`,
    );
    out.print(formatTable(['task', 'n', 'RMSE', 'MAE', 'R²'], rows));
    if (shown.hidden > 0) out.print(hiddenLine(shown, tasks.length, 'evaluate'));
  } finally {
    model.dispose();
  }
}
