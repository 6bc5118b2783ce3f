/** A plain-text table with aligned columns; numeric-looking cells are right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map(
    (_, i) =>
      i > 0 &&
      rows.length > 0 &&
      rows.every((r) => /^(-?[\d.]+(e[+-]?\d+)?|NaN|-|)$/.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * A number with 3 decimals (or "-" when missing / NaN). A value that rounds to zero prints as
 * "0.000", never "-0.000" (a signed zero, or a tiny negative number).
 */
export function fixed(v: number | undefined, digits = 3): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  const text = v.toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** λ for people: "0", "∞", or 3 significant digits. */
export function formatLambda(l: number): string {
  if (l === Number.POSITIVE_INFINITY) return '∞';
  if (l === 0) return '0';
  return l.toPrecision(3);
}

/** A list of names, shortened after `max` with the count of the rest. */
export function listNames(names: readonly string[], max = 12): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')}, … (${names.length - max} more)`;
}

/**
 * The learned groups in words: "every task is its own group", "one group of all 5 tasks", or one
 * line per group.
 */
export function describeGroups(groups: readonly (readonly string[])[], numTasks: number): string[] {
  if (groups.length === numTasks && numTasks > 1)
    return [`${numTasks} groups: every task is its own group (no coefficients fused)`];
  if (groups.length === 1) return [`1 group: all ${numTasks} tasks share their coefficients`];
  const shown = groups
    .slice(0, 20)
    .map(
      (g, i) => `group ${i + 1} (${g.length} task${g.length === 1 ? '' : 's'}): ${listNames(g)}`,
    );
  if (groups.length > 20) shown.push(`… and ${groups.length - 20} more groups`);
  return [`${groups.length} groups:`, ...shown.map((s) => `  ${s}`)];
}

/** JSON-safe numbers: a score that is not a finite number (NaN: no rows to score) is null. */
export function jsonNumber(v: number): number | null {
  return Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : null;
}

/**
 * λ in --json: `lambda` a number, or null with `lambdaInfinite: true` for λ = ∞ (one common β for
 * every task); JSON has no Infinity, and a string in a number field breaks consumers.
 */
export function jsonLambda(l: number): { lambda: number | null; lambdaInfinite: boolean } {
  const infinite = l === Number.POSITIVE_INFINITY;
  return { lambda: infinite ? null : jsonNumber(l), lambdaInfinite: infinite };
}

/** Seconds as "12.3 s" or "2 min 5 s". */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Up to this many tasks, a per-task table shows them all unless --top asks otherwise. */
export const ALL_TASKS_UP_TO = 20;
/** --top's default with more than {@link ALL_TASKS_UP_TO} tasks. */
export const DEFAULT_TOP = 10;

/** Which rows of a per-task table are shown: all, or the best and worst `top`. */
export interface ShownTasks<T> {
  /** The best `top` (ascending score), then the worst `top`; every row when nothing is hidden. */
  readonly head: readonly T[];
  readonly tail: readonly T[];
  /** Rows not shown (a row without a score is never ranked, so hidden when rows are). */
  readonly hidden: number;
  readonly top: number;
}

/**
 * --top for many tasks: every row up to {@link ALL_TASKS_UP_TO} tasks (or with "all"); else the
 * `top` rows of lowest score and the `top` of highest (default {@link DEFAULT_TOP}), in ascending
 * order. A score that is not a number (no test rows) ranks nowhere.
 */
export function topAndBottom<T>(
  rows: readonly T[],
  score: (row: T) => number,
  top: number | 'all' | undefined,
): ShownTasks<T> {
  const n =
    top === 'all'
      ? Number.POSITIVE_INFINITY
      : (top ?? (rows.length <= ALL_TASKS_UP_TO ? Number.POSITIVE_INFINITY : DEFAULT_TOP));
  if (rows.length <= 2 * n) return { head: rows, tail: [], hidden: 0, top: rows.length };
  const ranked = rows
    .map((row, i) => ({ row, i, s: score(row) }))
    .filter((r) => !Number.isNaN(r.s))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((r) => r.row);
  if (ranked.length <= 2 * n)
    return { head: ranked, tail: [], hidden: rows.length - ranked.length, top: n };
  return {
    head: ranked.slice(0, n),
    tail: ranked.slice(ranked.length - n),
    hidden: rows.length - 2 * n,
    top: n,
  };
}

/** The line under a table with hidden tasks: which are shown, how many hidden, how to see them. */
export function hiddenLine(
  shown: ShownTasks<unknown>,
  numTasks: number,
  kind: 'fit' | 'evaluate',
  family: 'gaussian' | 'binomial' | 'poisson' = 'gaussian',
): string {
  const what =
    kind === 'fit'
      ? family === 'gaussian'
        ? `the ${shown.top} tasks where hetmtl's test RMSE is lowest relative to the better ridge baseline, then the ${shown.tail.length} where it is highest`
        : `the ${shown.top} tasks where hetmtl's test deviance is lowest relative to the better ${family} GLM baseline, then the ${shown.tail.length} where it is highest`
      : family === 'gaussian'
        ? `the ${shown.top} tasks of highest R², then the ${shown.tail.length} of lowest`
        : family === 'binomial'
          ? `the ${shown.top} tasks of highest AUC, then the ${shown.tail.length} of lowest`
          : `the ${shown.top} tasks of lowest mean deviance, then the ${shown.tail.length} of highest`;
  return `${shown.hidden} of ${numTasks} tasks hidden: the table shows ${shown.tail.length > 0 ? what : 'the tasks with a score'} (the mean and all-rows lines are over every task; --top all shows every task, --json lists them all)`;
}
