import { describeReceived, opt, ValidationError } from '@hetmtl/tensor';

/** What to do with a missing value: fail (default), drop the row, or fill it with the training mean. */
export type MissingPolicy = 'error' | 'drop-rows' | 'mean-impute';

/** Storage type of a dataset's feature matrices. Targets are always Float64Array. */
export type Dtype = 'float64' | 'float32';

/** Feature storage: row-major n×p. */
export type FloatArray = Float64Array | Float32Array;

/**
 * Strings read as a missing value by default (exact match after trimming spaces, case as listed):
 * what R, pandas, SAS/Stata (".") and JSON exports write for a missing cell.
 */
export const DEFAULT_NA_VALUES: readonly string[] = Object.freeze([
  '',
  'NA',
  'N/A',
  'NaN',
  '.',
  'null',
  'NULL',
]);

export const MISSING_POLICIES: readonly MissingPolicy[] = ['error', 'drop-rows', 'mean-impute'];

/** Largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Why a cell is not a usable number. */
export type BadValue = 'missing' | 'nan' | 'infinite' | 'non-numeric';

/** Missing-value markers, prepared for fast look-ups. */
export interface NaSet {
  readonly values: readonly string[];
  readonly set: ReadonlySet<string>;
  /** True when a marker is itself a number (e.g. "-999"): then every cell is looked up. */
  readonly numeric: boolean;
}

export function naSet(values: readonly string[] = DEFAULT_NA_VALUES): NaSet {
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
    throw new ValidationError('Invalid naValues option', {
      column: 'naValues',
      expected: 'an array of strings, e.g. ["", "NA"]',
      received: describeReceived(values),
      fix: ['Pass ', opt('naValues'), ' as the strings that mark a missing value in your data'],
    });
  }
  const set = new Set<string>();
  for (const v of values) {
    set.add(v);
    set.add(v.trim());
  }
  const numeric = values.some((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  return { values: Object.freeze([...values]), set, numeric };
}

const NAN_RE = /^[-+]?nan$/i;
const INF_RE = /^[-+]?(inf|infinity)$/i;

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
];

/**
 * The value of a plain decimal `[+-]digits[.digits]` with at most 15 significant digits and at
 * most 22 decimals, else NaN (the caller then takes the careful path). Exact: the digits form an
 * integer below 2^53 and 10^k (k ≤ 22) is exact, so the one division is correctly rounded
 * (Clinger's fast path) and the result equals `Number(s)`.
 */
export function fastDecimal(s: string): number {
  const n = s.length;
  let i = 0;
  let c = n > 0 ? s.charCodeAt(0) : 0;
  const neg = c === 45;
  if (neg || c === 43) i = 1;
  let m = 0;
  let digits = 0;
  let frac = 0;
  let any = false;
  for (; i < n; i++) {
    c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    m = m * 10 + c;
    if (m !== 0) digits++;
    any = true;
  }
  if (i < n && s.charCodeAt(i) === 46) {
    for (i++; i < n; i++) {
      c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      m = m * 10 + c;
      if (m !== 0) digits++;
      frac++;
      any = true;
    }
  }
  if (i !== n || !any || digits > 15 || frac > 22) return Number.NaN;
  const v = m / POW10[frac];
  return neg ? -v : v;
}

/** Classifies a string that is not a plain finite number. */
export function classifyString(s: string, na: NaSet): BadValue | number {
  const t = s.trim();
  if (na.set.has(s) || na.set.has(t)) return 'missing';
  if (NAN_RE.test(t)) return 'nan';
  if (INF_RE.test(t)) return 'infinite';
  if (t === '') return 'non-numeric';
  const v = Number(t);
  if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) return 'infinite';
  if (Number.isNaN(v)) return 'non-numeric';
  return v;
}

/**
 * A string cell as a number, or the reason it is not one. Numbers are read with JavaScript's
 * `Number()` (decimal and exponent notation, surrounding spaces allowed).
 */
export function parseNumber(s: string, na: NaSet): number | BadValue {
  if (na.numeric && (na.set.has(s) || na.set.has(s.trim()))) return 'missing';
  const f = fastDecimal(s);
  if (!Number.isNaN(f)) return f;
  const v = +s;
  // `+""` and `+"  "` are 0: a zero that is not written "0" takes the careful path.
  if (Number.isFinite(v) && (v !== 0 || s === '0')) return v;
  return classifyString(s, na);
}

/** Any cell value (from records, columns or Arrow) as a number, or the reason it is not one. */
export function valueToNumber(value: unknown, na: NaSet): number | BadValue {
  switch (typeof value) {
    case 'number':
      if (Number.isFinite(value))
        return na.numeric && na.set.has(String(value)) ? 'missing' : value;
      // A NaN number is missing when "NaN" is a missing-value marker (the default), as the text is.
      if (Number.isNaN(value)) return na.set.has('NaN') ? 'missing' : 'nan';
      return 'infinite';
    case 'string':
      return parseNumber(value, na);
    case 'bigint':
      return Number(value);
    case 'boolean':
      return value ? 1 : 0;
    case 'undefined':
      return 'missing';
    default:
      return value === null ? 'missing' : 'non-numeric';
  }
}

/** A cell value as a category label or task name; `undefined` when missing, `null` when unusable. */
export function valueToLabel(value: unknown, na: NaSet): string | undefined | null {
  switch (typeof value) {
    case 'string':
      return na.set.has(value) || na.set.has(value.trim()) ? undefined : value;
    case 'number':
      return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? undefined : null;
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'undefined':
      return undefined;
    default:
      return value === null ? undefined : null;
  }
}

/** How a received cell is shown in an error message. */
export function showCell(value: unknown): string {
  if (typeof value === 'string')
    return value === '' ? 'an empty cell ("")' : describeReceived(value);
  if (value === undefined) return 'no value (the field is absent)';
  if (value === null) return 'null';
  return describeReceived(value);
}

export interface Where {
  readonly task?: string;
  readonly row?: number;
  readonly column?: string | number;
}

const MISSING_FIX = [
  'Fill it in, or pass ',
  opt('missing', 'drop-rows'),
  ' (drop such rows) or ',
  opt('missing', 'mean-impute'),
  ' (fill with the training mean)',
];

/** The error for a cell that is not a usable number. */
export function badNumberError(
  kind: BadValue,
  value: unknown,
  where: Where,
  isTarget = false,
): ValidationError {
  const received = showCell(value);
  switch (kind) {
    case 'missing':
      return new ValidationError(isTarget ? 'Missing target value' : 'Missing value', {
        ...where,
        expected: 'a number (missing values are an error by default)',
        received,
        fix: isTarget
          ? ['Fill it in, or pass ', opt('missing', 'drop-rows'), ' to drop rows without a target']
          : MISSING_FIX,
      });
    case 'nan':
    case 'infinite':
      return new ValidationError('Non-finite value', {
        ...where,
        expected: 'a finite number',
        received,
        fix: [
          'Replace it with a finite number; if it marks a missing value, add it to ',
          opt('naValues'),
          ' and choose ',
          opt('missing', 'drop-rows'),
          ' or ',
          opt('missing', 'mean-impute'),
        ],
      });
    default:
      return new ValidationError('Non-numeric value in a numeric column', {
        ...where,
        expected: 'a number',
        received,
        fix: isTarget
          ? 'Correct the value; the target must be numeric (recode a yes/no target as 1/0)'
          : [
              'Correct the value, or list the column in ',
              opt('categorical'),
              ' if it holds categories',
            ],
      });
  }
}

/** Levenshtein distance, for "did you mean" hints on column names. */
/** Levenshtein distance (insertions, deletions and substitutions cost 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n];
}

/** The closest name to `name` among `names`, when one is close enough to be a likely typo. */
export function closestName(name: string, names: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const ci = names.find((n) => n.toLowerCase() === lower);
  if (ci !== undefined) return ci;
  let best: string | undefined;
  // Short names are too close to each other for a spelling hint to mean anything.
  let bestD = name.length < 4 ? 0 : Math.min(2, Math.floor(name.length / 3));
  if (bestD === 0) return undefined;
  for (const n of names) {
    const d = editDistance(name, n);
    if (d <= bestD) {
      bestD = d - 1;
      best = n;
    }
  }
  return best;
}

/** A short list of names for messages: the first few, then a count. */
export function listNames(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n));
  return names.length > max ? `${shown.join(', ')}, … (${names.length} in all)` : shown.join(', ');
}

/** Natural order for category labels: numbers by value, then strings by code unit. */
export function compareLabels(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  const xn = a.trim() !== '' && Number.isFinite(x);
  const yn = b.trim() !== '' && Number.isFinite(y);
  if (xn && yn) return x - y || (a < b ? -1 : a > b ? 1 : 0);
  if (xn !== yn) return xn ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function checkMissingPolicy(missing: unknown): MissingPolicy {
  if (missing === undefined) return 'error';
  if (!MISSING_POLICIES.includes(missing as MissingPolicy)) {
    throw new ValidationError('Invalid missing option', {
      column: 'missing',
      expected: '"error", "drop-rows" or "mean-impute"',
      received: describeReceived(missing),
      fix: ['Pass one of the three policies, e.g. ', opt('missing', 'drop-rows')],
    });
  }
  return missing as MissingPolicy;
}

export function checkDtype(dtype: unknown): Dtype | undefined {
  if (dtype === undefined) return undefined;
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new ValidationError('Invalid dtype option', {
      column: 'dtype',
      expected: '"float64" or "float32"',
      received: describeReceived(dtype),
      fix: [
        'Pass ',
        opt('dtype', 'float64'),
        ' (the default) or ',
        opt('dtype', 'float32'),
        ' (half the memory)',
      ],
    });
  }
  return dtype;
}

export function allocFloat(dtype: Dtype, n: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}
