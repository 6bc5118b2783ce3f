import { resolve } from 'node:path';
import { Encoding } from '@hetmtl/data';
import { activateBackend } from '../backends.js';
import { VERSION } from '../choices.js';
import { CliError } from '../errors.js';
import { listNames } from '../format.js';
import { modelDocument, readModelFile, writeFileAtomic } from '../model-file.js';
import type { Output } from '../output.js';
import { checkOutputPath } from '../output-path.js';
import { inFileRows, readRawTable } from '../read-data.js';

export interface AddTaskFlags {
  /** The new task's name. */
  readonly task: string;
  /** Its target column (default: the model's target column). */
  readonly target?: string;
  readonly out: string;
  readonly backend: string;
  readonly unseenLevels?: 'error' | 'zero';
  readonly format?: string;
  readonly delimiter?: string;
  readonly json?: boolean;
}

/** A task added to a saved model, as the model file's fit record lists it. */
export interface AddedTaskRecord {
  readonly task: string;
  readonly rows: number;
  readonly source: string;
  readonly createdAt: string;
  readonly hetmtlCli: string;
}

/**
 * `hetmtl add-task <model> <file> --task <name>`: the model's addTask (method.md §6) on the rows of
 * a file: the shared encoder and every fitted task stay as they are, the new task gets its own
 * coefficients pulled toward the nearest learned group. Writes a new model file.
 */
export async function addTaskCommand(
  modelPath: string,
  file: string,
  flags: AddTaskFlags,
  out: Output,
): Promise<void> {
  const name = flags.task;
  await checkOutputPath(flags.out, '--out', [{ path: file, what: "the new task's data" }]);
  const loaded = await readModelFile(modelPath, { unseenLevels: flags.unseenLevels });
  const enc = loaded.encoding;
  if (name.trim() === '')
    throw new CliError(
      '--task is empty: the new task needs a name',
      'Pass --task <name>, the name predict will use for its rows',
    );
  if (enc.tasks.includes(name))
    throw new CliError(
      `task ${JSON.stringify(name)} is already in ${modelPath} (one of its ${enc.tasks.length} fitted tasks): add-task adds a new task`,
      'Pass another --task name; to change a fitted task, fit the model again with hetmtl fit',
    );
  const target = flags.target ?? enc.target;
  const table = await readRawTable(file, {
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
  });
  if (!table.columnNames.includes(target))
    throw new CliError(
      `${file} has no target column ${JSON.stringify(target)}${flags.target === undefined ? " (the model's target)" : ''}: its columns are ${listNames(table.columnNames)}`,
      'Pass --target <column> naming the new task’s response',
    );
  // The model's encoding with the new task (and its target column): the same features, levels
  // and fill values, so the rows are read as the training rows were.
  const withTask = Encoding.fromJSON({ ...enc.toJSON(), tasks: [...enc.tasks, name] });
  const reader = Encoding.fromJSON({ ...withTask.toJSON(), target });
  const hasTaskColumn = table.columnNames.includes(enc.taskColumn);
  const rows = inFileRows(table, () => {
    const encoder = reader.rowEncoder(table.columnNames, {
      task: name,
      expectedRows: table.numRows,
    });
    const cols = table.columnNames.map((c) => table.columns[c] ?? []);
    for (let i = 0; i < table.numRows; i++) {
      const cells = cols.map((c) => c[i]);
      // With a task column, every row must be the new task's.
      if (hasTaskColumn) {
        const label = String(cells[table.columnNames.indexOf(enc.taskColumn)] ?? '');
        if (label !== name)
          throw new CliError(
            `row ${table.rowNumbers[i]} of ${file} belongs to task ${JSON.stringify(label)} (column "${enc.taskColumn}"), not to the new task ${JSON.stringify(name)}`,
            `Give add-task the rows of the new task only (or a file without the "${enc.taskColumn}" column), or pass --task ${JSON.stringify(label)}`,
          );
      }
      encoder.push(cells, table.rowNumbers[i]);
    }
    return encoder.finish();
  });
  if (rows.n < 2 || rows.y === null)
    throw new CliError(
      `${file} has ${rows.n} row${rows.n === 1 ? '' : 's'} for the new task ${JSON.stringify(name)}: add-task needs at least 2 (to fit its coefficients)`,
      'Add rows of the task to the file',
    );
  await activateBackend(flags.backend);
  const model = loaded.load();
  try {
    const y = rows.y;
    // The model numbers the new task's rows from 1; every row of the table is the task's.
    inFileRows(table, () => model.addTask(name, { X: rows.X, y }));
    const groups = model.groups();
    const group = groups.find((g) => g.includes(name)) ?? [name];
    const doc = loaded.document;
    const added: AddedTaskRecord = {
      task: name,
      rows: rows.n,
      source: resolve(file),
      createdAt: new Date().toISOString(),
      hetmtlCli: VERSION,
    };
    const previous = (doc.fit as { addedTasks?: readonly AddedTaskRecord[] }).addedTasks ?? [];
    await writeFileAtomic(
      flags.out,
      `${JSON.stringify(modelDocument(model, doc.columns, withTask, { ...doc.fit, addedTasks: [...previous, added] } as typeof doc.fit))}\n`,
    );
    const saved = resolve(flags.out);
    const others = group.filter((t) => t !== name);
    if (flags.json) {
      out.json({
        command: 'add-task',
        model: modelPath,
        file,
        task: name,
        rows: rows.n,
        group: others,
        tasks: model.taskNames,
        saved,
      });
      return;
    }
    const how =
      model.summary().kind === 'linear'
        ? 'its coefficients are shrunk toward the common centre of the fitted tasks (the linear MTL floor)'
        : others.length > 0
          ? `its coefficients joined the group of ${listNames(others)}`
          : 'its coefficients form a group of their own (no learned group was close enough)';
    out.print(
      `Added task ${JSON.stringify(name)} (${rows.n} rows of ${file}) to the ${enc.tasks.length} tasks of ${modelPath}: ${how}; the shared encoder and the fitted tasks are unchanged.`,
    );
    out.print(
      `Model saved to ${saved} (${model.taskNames.length} tasks); use it with hetmtl predict, evaluate or info`,
    );
  } finally {
    model.dispose();
  }
}
