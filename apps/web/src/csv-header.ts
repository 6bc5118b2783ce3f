/** The column names of a CSV file's header row, and its delimiter (`,`, `;` or tab). */
export interface CsvHeader {
  readonly columns: string[];
  readonly delimiter: string;
}

/** Reads the header row of CSV text (the first record; quoted names may hold delimiters). */
export function parseCsvHeader(text: string): CsvHeader {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstLine = body.split(/\r\n|\n|\r/, 1)[0] ?? '';
  const delimiter = [',', ';', '\t'].reduce((best, d) =>
    firstLine.split(d).length > firstLine.split(best).length ? d : best,
  );
  const columns: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      columns.push(cell.trim());
      cell = '';
    } else if (ch === '\n' || ch === '\r') break;
    else cell += ch;
  }
  columns.push(cell.trim());
  if (columns.length < 3 || columns.some((c) => c === '')) {
    throw new Error(
      `The header row of the file has ${columns.length} column(s) (${JSON.stringify(columns)}): expected a task column, a target and at least one feature, all named. Use a CSV file with a header row`,
    );
  }
  return { columns, delimiter };
}

/** A good first guess for the task and target columns. */
export function guessColumns(columns: readonly string[]): { task: string; target: string } {
  const find = (names: string[]) => columns.find((c) => names.includes(c.toLowerCase()));
  const task = find(['task', 'group', 'school', 'clinic', 'site']) ?? columns[0];
  const target =
    find(['y', 'target', 'score', 'response', 'outcome']) ??
    ([...columns].reverse().find((c) => c !== task) as string);
  return { task, target };
}
