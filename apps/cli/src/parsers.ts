import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: a bad value is a usage error (exit 2) naming what was expected. */
export const parse = {
  int(min: number) {
    return (value: string): number => {
      const v = Number(value);
      if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(v) || v < min)
        throw new InvalidArgumentError(`expected an integer ≥ ${min}, received "${value}".`);
      return v;
    };
  },
  fraction(allowZero: boolean) {
    return (value: string): number => {
      const v = Number(value);
      if (value.trim() === '' || !Number.isFinite(v) || v < 0 || v >= 1 || (!allowZero && v === 0))
        throw new InvalidArgumentError(
          `expected a share in ${allowZero ? '[0, 1)' : '(0, 1)'}, e.g. 0.2, received "${value}".`,
        );
      return v;
    };
  },
  number(value: string): number {
    const v = Number(value);
    if (value.trim() === '' || !Number.isFinite(v))
      throw new InvalidArgumentError(`expected a number, received "${value}".`);
    return v;
  },
  /** "a,b" (repeatable: values accumulate). */
  list(value: string, previous: string[] | undefined): string[] {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (items.length === 0)
      throw new InvalidArgumentError('expected comma-separated column names, e.g. x1,x2.');
    return [...(previous ?? []), ...items];
  },
  /** "NA,-99" (repeatable); an empty token stands for the empty cell. */
  tokens(value: string, previous: string[] | undefined): string[] {
    return [...(previous ?? []), ...value.split(',').map((s) => s.trim())];
  },
  intList(value: string): number[] {
    const items = value.split(',').map((s) => s.trim());
    const out = items.map(Number);
    if (items.some((s) => !/^\d+$/.test(s)) || out.some((v) => v < 1))
      throw new InvalidArgumentError(
        `expected comma-separated integers ≥ 1, e.g. 32,16, received "${value}".`,
      );
    return out;
  },
  /** One character (a tab as "\t" or "tab" too), never a quote or a line break. */
  delimiter(value: string): string {
    const v = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
    if (v === 'auto' || v === '') return v; // "" keeps the default, as leaving the flag out
    if ([...v].length !== 1 || v === '"' || v === '\n' || v === '\r')
      throw new InvalidArgumentError(
        `expected one character other than a quote or a line break (e.g. ";", "|", or "\\t" for a tab), received ${JSON.stringify(value)}.`,
      );
    return v;
  },
  /** --top: "all" or a number of tasks ≥ 1. */
  top(value: string): number | 'all' {
    const v = value.trim().toLowerCase();
    if (v === 'all') return 'all';
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1)
      throw new InvalidArgumentError(
        `expected a number of tasks ≥ 1 or "all", received "${value}".`,
      );
    return n;
  },
  lambda(value: string): number | 'path' {
    const v = value.trim().toLowerCase();
    if (v === 'path') return 'path';
    if (v === 'inf' || v === 'infinity' || v === '∞') return Number.POSITIVE_INFINITY;
    const n = Number(v);
    if (v === '' || !Number.isFinite(n) || n < 0)
      throw new InvalidArgumentError(
        `expected "path", a number ≥ 0 or "inf", received "${value}".`,
      );
    return n;
  },
};
