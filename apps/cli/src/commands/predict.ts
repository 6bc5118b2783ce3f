import { resolve } from 'node:path';
import { activateBackend } from '../backends.js';
import { CliError } from '../errors.js';
import { readModelFile, writeFileAtomic } from '../model-file.js';
import type { Output } from '../output.js';
import { checkOutputPath } from '../output-path.js';
import { readForPredict } from '../predict-rows.js';
import { checkFinite, inFileRows, readRawTable } from '../read-data.js';
import { UsageError } from '../errors.js';
import type { SavedFamilyInput } from '../family-input.js';
import { ValidationError } from '@hetmtl/tensor';

export interface PredictFlags {
  readonly out?: string;
  readonly unseenLevels?: 'error' | 'zero';
  readonly backend: string;
  readonly format?: string;
  readonly delimiter?: string;
  readonly column?: string;
  readonly json?: boolean;
  /** --type: response (default), link or class (binomial). */
  readonly type?: 'response' | 'link' | 'class';
}

/**
 * The offset of every row of a predict file (file order) from the model's --offset or --exposure
 * column; a missing, non-finite or (exposure) non-positive value is an error naming the file row.
 */
async function rowOffsets(
  file: string,
  saved: SavedFamilyInput,
  options: { format?: string; delimiter?: string },
  rowNumbers: Int32Array,
): Promise<Float64Array | null> {
  const column = saved.offset ?? saved.exposure;
  if (column === undefined) return null;
  const flag = saved.offset !== undefined ? '--offset' : '--exposure';
  const table = await readRawTable(file, options);
  const cells = table.columns[column];
  if (cells === undefined)
    throw new ValidationError(`The ${flag} column of the model is missing`, {
      column,
      expected: `a column ${JSON.stringify(column)} (the model was fitted with ${flag} ${column}: predictions need each row's ${saved.offset !== undefined ? 'log exposure' : 'exposure'})`,
      received: `the columns ${table.columnNames.slice(0, 8).join(', ')}${table.columnNames.length > 8 ? ', …' : ''}`,
      fix: `Add the ${column} column to the file`,
    });
  const byRow = new Map<number, number>();
  for (let i = 0; i < table.numRows; i++) {
    const raw = cells[i];
    const text = raw === null || raw === undefined ? '' : String(raw).trim();
    const v = text === '' ? Number.NaN : Number(text);
    const ok = saved.offset !== undefined ? Number.isFinite(v) : Number.isFinite(v) && v > 0;
    if (!ok)
      throw new ValidationError(
        saved.offset !== undefined
          ? 'An offset that is not finite'
          : 'An exposure that is not positive',
        {
          row: table.rowNumbers[i],
          column,
          expected:
            saved.offset !== undefined
              ? `a finite offset (the log exposure; the model was fitted with --offset ${column})`
              : `an exposure > 0 (the model was fitted with --exposure ${column})`,
          received: text === '' ? 'an empty cell' : JSON.stringify(text),
          fix: 'Correct or remove the row',
        },
      );
    byRow.set(table.rowNumbers[i], saved.offset !== undefined ? v : Math.log(v));
  }
  return Float64Array.from(rowNumbers, (r) => byRow.get(r) ?? Number.NaN);
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
  const saved = loaded.document.fit?.family;
  const family = saved?.family ?? 'gaussian';
  const type = flags.type ?? 'response';
  if (type === 'class' && family !== 'binomial')
    throw new UsageError(
      `--type class predicts the 0/1 class of a binomial model, and ${modelPath} is ${family}`,
      'Pass --type response (or link)',
    );
  const table = await readForPredict(
    file,
    loaded.encoding,
    {
      ...(flags.format ? { format: flags.format } : {}),
      ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
    },
    family === 'binomial',
  );
  if (table.numRows === 0)
    throw new CliError(
      `${JSON.stringify(file)} has no data rows`,
      'Pass a file with a header and rows',
    );
  const encoded = table.encoded;
  const zeroed = table.unseen;
  const offsets = saved
    ? await rowOffsets(
        file,
        saved,
        {
          ...(flags.format ? { format: flags.format } : {}),
          ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
        },
        table.rowNumbers,
      )
    : null;
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
      const yhat = inFileRows(
        table,
        () =>
          model.predict(X, {
            task,
            ...(type !== 'response' ? { type } : {}),
            ...(offsets ? { offset: Float64Array.from(rows, (i) => offsets[i]) } : {}),
          }),
        rows,
      );
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
  // --type class of a text target: the level names (the positive level for 1).
  const label =
    type === 'class' && saved?.positive !== undefined && saved.negative !== undefined
      ? (v: number) => (v === 1 ? (saved.positive as string) : (saved.negative ?? '0'))
      : (v: number) => v;
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
        [column]: label(v),
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
        line += `${csvField(label(predictions[i]))}\n`;
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
