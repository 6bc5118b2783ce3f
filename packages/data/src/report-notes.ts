import { apiOptionWords, type ErrorText, opt, type OptionRenderer } from '@hetmtl/tensor';
import type { ReadReport } from './dataset.js';
import { listNames } from './values.js';

function render(text: ErrorText, words: OptionRenderer): string {
  return typeof text === 'string'
    ? text
    : text.map((part) => (typeof part === 'string' ? part : words(part))).join('');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What a read decided, as one-line notes for a person (a CLI's output, a log): inferred
 * categorical columns, ID-like columns left out (and how to keep them), rows dropped per task,
 * tasks with a constant target and tasks of one or two rows. Options are named with `words`: the
 * API's by default (`the features option`), or another interface's (a CLI's `--features`).
 * Nothing to say gives an empty list.
 */
export function readReportNotes(
  report: ReadReport,
  words: OptionRenderer = apiOptionWords,
): string[] {
  const notes: ErrorText[] = [];
  const inferred = report.categoricalColumns.filter((c) => c.inferred);
  if (inferred.length > 0) {
    notes.push(
      `Text columns read as categories (one-hot): ${inferred.map((c) => `${JSON.stringify(c.column)} (${plural(c.levels, 'level')})`).join(', ')}`,
    );
  }
  if (report.idColumns.length > 0) {
    const why = report.idColumns.map((c) =>
      c.reason === 'name'
        ? `${JSON.stringify(c.column)} (named like an ID)`
        : `${JSON.stringify(c.column)} (all ${c.distinct} values distinct)`,
    );
    notes.push([
      `ID-like columns left out of the features: ${why.join(', ')}; to keep one, list the features with `,
      opt('features'),
    ]);
  }
  if (report.rowsDropped > 0) {
    const perTask = Object.entries(report.droppedByTask);
    const shown = perTask
      .slice(0, 8)
      .map(([t, n]) => `${JSON.stringify(t)} ${n}`)
      .join(', ');
    notes.push([
      `Dropped ${plural(report.rowsDropped, 'row')} of ${report.rowsRead} with a missing value (`,
      opt('missing', report.missing),
      `), in ${plural(perTask.length, 'task')}: ${shown}${perTask.length > 8 ? `, … (${perTask.length} tasks)` : ''}`,
    ]);
  }
  const constant = report.constantTargetTasks;
  if (constant.length > 0) {
    notes.push(
      `${plural(constant.length, 'task')} with a constant target, kept: ${listNames(constant.map((c) => c.task))}`,
    );
  }
  const tiny = report.tinyTasks;
  if (tiny.length > 0) {
    const ones = tiny.filter((t) => t.rows === 1).length;
    notes.push(
      `${plural(tiny.length, 'task')} of 1 or 2 rows (${ones} of 1 row), kept (splits keep at least one training row of each): ${listNames(tiny.map((t) => t.task))}`,
    );
  }
  return notes.map((n) => render(n, words));
}
