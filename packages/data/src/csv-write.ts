import { describeReceived, opt, ValidationError } from '@hetmtl/tensor';
import Papa from 'papaparse';
import type { MultiTaskDataset } from './dataset.js';

export interface ToCsvOptions {
  /** Name of the task column [the encoding's task column]. */
  readonly taskColumn?: string;
  /** Name of the target column [the encoding's target]. */
  readonly target?: string;
  /** Field delimiter [","]. */
  readonly delimiter?: string;
  /** Line end ["\n"]. */
  readonly newline?: string;
}

/**
 * A dataset as CSV text in long format: the task column, the encoded features, then the target,
 * one line per row, tasks in order. Numbers are written exactly (shortest round-trip form), fields
 * are quoted when they contain the delimiter, a quote or a line break. Handy for exporting
 * simulated data to other tools, and the inverse of `parseCsv` for numeric data.
 */
export function toCsv(ds: MultiTaskDataset, options: ToCsvOptions = {}): string {
  const delimiter = options.delimiter ?? ',';
  if (
    typeof delimiter !== 'string' ||
    delimiter.length === 0 ||
    delimiter.includes('"') ||
    /[\r\n]/.test(delimiter)
  ) {
    throw new ValidationError('Invalid delimiter option', {
      column: 'delimiter',
      expected: 'a non-empty string without quotes or line breaks',
      received: describeReceived(delimiter),
    });
  }
  const nl = options.newline ?? '\n';
  const taskColumn = options.taskColumn ?? ds.encoding.taskColumn;
  const target = options.target ?? ds.encoding.target;
  const header = [taskColumn, ...ds.featureNames, target];
  if (new Set(header).size !== header.length) {
    throw new ValidationError('Duplicated column name', {
      column: header.find((h, i) => header.indexOf(h) !== i),
      expected: 'task and target names that differ from every feature name',
      received: `the header ${header.length > 8 ? `${header.slice(0, 8).join(', ')}, …` : header.join(', ')}`,
      fix: ['Pass other names as ', opt('taskColumn'), ' or ', opt('target')],
    });
  }
  const rows: string[][] = [header];
  for (const t of ds.tasks()) {
    for (let i = 0; i < t.n; i++) {
      const cells = new Array<string>(t.p + 2);
      cells[0] = t.name;
      for (let j = 0; j < t.p; j++) cells[j + 1] = String(t.X[i * t.p + j]);
      cells[t.p + 1] = String(t.y[i]);
      rows.push(cells);
    }
  }
  // Papa Parse quotes a field holding the delimiter, a quote, a line break or an edge space (and
  // doubles its quotes); other edge whitespace is quoted too, so a reader that trims keeps it.
  const text = Papa.unparse(rows, {
    delimiter,
    newline: nl,
    quotes: (value: unknown) => typeof value === 'string' && value !== value.trim(),
    escapeFormulae: false,
  });
  return text + nl;
}
