import type { CsvOptions, MissingPolicy, ReadReport } from '@hetmtl/data';
import type { OptionRef, OptionRenderer } from '@hetmtl/tensor';

/** What the page does with a column of the user's CSV besides the task and target. */
export type ColumnRole = 'numeric' | 'categorical' | 'exclude';

/** A column's role and why the page chose it (shown next to the control). */
export interface ColumnChoice {
  readonly column: string;
  readonly role: ColumnRole;
  readonly why: string;
}

/**
 * The default role of every column but the task and target, from the report of a preview read
 * with the reader's own defaults (the data package decides what is text and what is ID-like: all
 * values distinct integers or strings, or named like an ID): ID-like columns are excluded, text
 * columns categorical, the others numeric. Missing values found are noted per column.
 */
export function defaultColumnRoles(
  columns: readonly string[],
  task: string,
  target: string,
  report: ReadReport,
): ColumnChoice[] {
  const ids = new Map(report.idColumns.map((c) => [c.column, c]));
  const cats = new Map(report.categoricalColumns.map((c) => [c.column, c]));
  return columns
    .filter((c) => c !== task && c !== target)
    .map((column) => {
      const missing = report.imputedByColumn[column] ?? 0;
      const note = missing > 0 ? `; ${missing} missing` : '';
      const id = ids.get(column);
      if (id)
        return {
          column,
          role: 'exclude' as const,
          why:
            id.reason === 'name'
              ? `ID-like (named like an ID)${note}`
              : `ID-like (all ${id.distinct} values distinct)${note}`,
        };
      const cat = cats.get(column);
      if (cat)
        return { column, role: 'categorical' as const, why: `text, ${cat.levels} levels${note}` };
      return { column, role: 'numeric' as const, why: `numbers${note}` };
    });
}

/** The reader's options for the chosen roles and missing-value policy. */
export function columnReadOptions(
  choices: readonly { readonly column: string; readonly role: ColumnRole }[],
  missing: MissingPolicy,
): Pick<CsvOptions, 'features' | 'categorical' | 'numeric' | 'exclude' | 'missing'> {
  const of = (role: ColumnRole) => choices.filter((c) => c.role === role).map((c) => c.column);
  return {
    // Listing the features keeps a column the reader would leave out as ID-like.
    features: choices.filter((c) => c.role !== 'exclude').map((c) => c.column),
    categorical: of('categorical'),
    numeric: of('numeric'),
    exclude: of('exclude'),
    missing,
  };
}

const MISSING_LABELS: Record<MissingPolicy, string> = {
  error: 'stop with an error',
  'drop-rows': 'drop the rows',
  'mean-impute': 'fill with the training mean',
};

/** The reader's options in this page's words: the controls of the CSV card. */
export const pageOptionWords: OptionRenderer = (ref: OptionRef) => {
  switch (ref.option) {
    case 'missing':
      return ref.value === undefined
        ? 'the Missing values control'
        : `Missing values: "${MISSING_LABELS[ref.value as MissingPolicy] ?? String(ref.value)}"`;
    case 'task':
      return 'the Task column control';
    case 'target':
      return 'the Target column control';
    case 'features':
    case 'exclude':
      return 'the Columns table (set the column to a numeric or categorical feature)';
    case 'categorical':
      return 'the Columns table (set the column to "categorical")';
    case 'numeric':
      return 'the Columns table (set the column to "numeric")';
    default:
      return ref.value === undefined
        ? `the ${ref.option} option`
        : `${ref.option}: ${JSON.stringify(ref.value)}`;
  }
};
