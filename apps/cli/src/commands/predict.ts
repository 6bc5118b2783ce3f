import { resolve } from 'node:path';
import { activateBackend } from '../backends.js';
import { CliError } from '../errors.js';
import { readModelFile, writeFileAtomic } from '../model-file.js';
import type { Output } from '../output.js';
import { checkOutputPath } from '../output-path.js';
import { readForPredict } from '../predict-rows.js';
import { checkFinite, inFileRows } from '../read-data.js';

export interface PredictFlags {
  readonly out?: string;
  readonly unseenLevels?: 'error' | 'zero';
  readonly backend: string;
  readonly format?: string;
  readonly delimiter?: string;
  readonly column?: string;
  readonly json?: boolean;
}

/** Writes to stdout, waiting when its buffer is full. */
function writeStdout(chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(chunk)) resolve();
    else {
      process.stdout.once('drain', resolve);
      process.stdout.once('error', reject);
    }
  });
}

/** A CSV field, quoted when it holds a comma, a quote, a line break or surrounding spaces. */
function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * `hetmtl predict <model> <file>`: predictions for every row of a file, in file order. The rows are
 * encoded with the training encoding stored in the model file (same features and levels); a task
 * the model was not fitted on, a missing feature column or an unseen category is an error.
 */
export async function predictCommand(
  modelPath: string,
  file: string,
  flags: PredictFlags,
  out: Output,
): Promise<void> {
  if (flags.out !== undefined)
    await checkOutputPath(flags.out, '--out', [
      { path: modelPath, what: 'the model file' },
      { path: file, what: 'the data file' },
    ]);
  const loaded = await readModelFile(modelPath, { unseenLevels: flags.unseenLevels });
  const table = await readForPredict(file, loaded.encoding, {
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
  });
  if (table.numRows === 0)
    throw new CliError(
      `${JSON.stringify(file)} has no data rows`,
      'Pass a file with a header and rows',
    );
  const encoded = table.encoded;
  const zeroed = table.unseen;
  await activateBackend(flags.backend);
  const model = loaded.load();
  const predictions = new Float64Array(encoded.n);
  try {
    const p = encoded.p;
    const rowsOf = new Map<string, number[]>();
    encoded.taskNames.forEach((t, i) => {
      const list = rowsOf.get(t);
      if (list) list.push(i);
      else rowsOf.set(t, [i]);
    });
    for (const [task, rows] of rowsOf) {
      const X = new Float64Array(rows.length * p);
      rows.forEach((i, k) => {
        X.set(encoded.X.subarray(i * p, (i + 1) * p), k * p);
      });
      const yhat = inFileRows(table, () => model.predict(X, { task }), rows);
      rows.forEach((i, k) => {
        predictions[i] = yhat[k];
      });
    }
  } finally {
    model.dispose();
  }
  checkFinite(predictions, table, encoded, loaded.encoding);
  for (const [column, count] of zeroed)
    out.info(
      `hetmtl: ${count} row${count === 1 ? '' : 's'} with a level of "${column}" not seen in training, encoded as all zeros (--unseen-levels zero)`,
    );
  const base = flags.column ?? 'prediction';
  let column = base;
  for (let k = 2; table.columnNames.includes(column); k++) column = `${base}_${k}`;
  const taskColumn = loaded.document.columns.task;
  if (flags.out === undefined && flags.json) {
    out.json({
      command: 'predict',
      model: modelPath,
      file,
      rows: encoded.n,
      column,
      predictions: Array.from(predictions, (v, i) => ({
        row: i + 1,
        task: encoded.taskNames[i],
        [column]: v,
      })),
    });
    return;
  }
  // Streamed: the input rows (read again) with the prediction appended, about 1 MB at a time.
  const header = `${[...table.columnNames, column].map(csvField).join(',')}\n`;
  const produce = async (write: (chunk: string) => Promise<void>) => {
    let buffer: string[] = [header];
    let size = header.length;
    const drain = async () => {
      if (buffer.length === 0) return;
      const chunk = buffer.join('');
      buffer = [];
      size = 0;
      await write(chunk);
    };
    await table.forEachRow(
      (cells, i) => {
        let line = '';
        for (let j = 0; j < cells.length; j++) line += `${csvField(cells[j])},`;
        line += `${String(predictions[i])}\n`;
        buffer.push(line);
        size += line.length;
      },
      async () => {
        if (size > 0) await drain();
      },
    );
    await drain();
  };
  if (flags.out === undefined) {
    await produce(writeStdout);
    return;
  }
  await writeFileAtomic(flags.out, produce);
  const tasks = new Set(encoded.taskNames).size;
  if (flags.json) {
    out.json({
      command: 'predict',
      model: modelPath,
      file,
      rows: encoded.n,
      tasks,
      column,
      out: resolve(flags.out),
    });
    return;
  }
  out.print(
    `Wrote ${encoded.n} predictions (${tasks} task${tasks === 1 ? '' : 's'} of column "${taskColumn}") to ${resolve(flags.out)}, column "${column}" after the input columns.`,
  );
}
