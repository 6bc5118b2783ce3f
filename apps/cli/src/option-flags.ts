import type { OptionRef, OptionRenderer } from '@hetmtl/tensor';

/**
 * The one table of library option ↔ command-line flag. The library's errors name options with
 * `opt('missing', 'drop-rows')`; the CLI renders them with this table (`--missing drop-rows`), and
 * builds the readers' options from the flags with it too, so the two directions cannot drift.
 */
export interface FlagSpec {
  /** The flag, e.g. `--missing`. */
  readonly flag: string;
  /** The placeholder shown when an error names the option without a value. */
  readonly placeholder?: string;
  /** How a suggested value is typed after the flag (default: as is; lists comma-separated). */
  readonly value?: (v: NonNullable<OptionRef['value']>) => string;
  /** The whole words for a suggested value, for flags whose value is not the option's. */
  readonly words?: (v: OptionRef['value']) => string;
  /** The option's value from the flag's (for flags whose value is not the option's). */
  readonly toOption?: (flagValue: unknown) => unknown;
}

const list = (v: NonNullable<OptionRef['value']>) =>
  Array.isArray(v) ? v.map(String).join(',') : String(v);

const shellWord = (s: string) => (/^[\w.,:+=@%/-]+$/.test(s) ? s : JSON.stringify(s));

export const OPTION_FLAGS: Readonly<Record<string, FlagSpec>> = Object.freeze({
  // Reading a table (@hetmtl/data's TableOptions).
  task: { flag: '--task', placeholder: '<column>' },
  target: { flag: '--target', placeholder: '<column>' },
  features: { flag: '--features', placeholder: '<columns>', value: list },
  exclude: { flag: '--exclude', placeholder: '<columns>', value: list },
  categorical: { flag: '--categorical', placeholder: '<columns>', value: list },
  numeric: { flag: '--numeric', placeholder: '<columns>', value: list },
  missing: { flag: '--missing', placeholder: '<policy>' },
  naValues: {
    flag: '--na-values',
    placeholder: '<tokens>',
    value: (v) => shellWord(list(v)),
  },
  unseenCategory: { flag: '--unseen-levels', placeholder: 'zero' },
  constantTarget: {
    flag: '--strict',
    words: (v) => (v === 'allow' ? 'no --strict (the default)' : '--strict'),
    toOption: (strict) => (strict ? 'error' : 'allow'),
  },
  delimiter: {
    flag: '--delimiter',
    placeholder: '<char>',
    value: (v) => (v === '\t' ? "$'\\t'" : JSON.stringify(String(v))),
  },
  format: { flag: '--format', placeholder: '<format>' },
  // Keeping the most variable columns (@hetmtl/data's mostVariableColumns).
  maxFeatures: { flag: '--max-features', placeholder: '<k>' },
  skew: { flag: '--skew', placeholder: '<mode>' },
  logTarget: {
    flag: '--log-target',
    words: (v) => (v === false ? 'no --log-target' : '--log-target'),
  },
  // The response family (issue #15): the model's family, a two-level target and the row-value columns.
  family: { flag: '--family', placeholder: '<family>' },
  binaryTarget: {
    flag: '--family',
    words: (v) => (v === false ? 'no --family binomial' : '--family binomial'),
  },
  positive: { flag: '--positive', placeholder: '<level>' },
  weights: { flag: '--weights', placeholder: '<column>' },
  offset: { flag: '--offset', placeholder: '<column>' },
  exposure: { flag: '--exposure', placeholder: '<column>' },
  // The model (@hetmtl/model's options).
  seed: { flag: '--seed', placeholder: '<n>' },
  K0: { flag: '--k0', placeholder: '<n>' },
  K1: { flag: '--k1', placeholder: '<n>' },
  maxRounds: { flag: '--max-rounds', placeholder: '<n>' },
  numLambdas: { flag: '--num-lambdas', placeholder: '<n>' },
  lambda: {
    flag: '--lambda',
    placeholder: '<value>',
    value: (v) => (v === Number.POSITIVE_INFINITY || v === 'Infinity' ? 'inf' : String(v)),
  },
  hidden: { flag: '--hidden', placeholder: '<sizes>', value: list },
  jobs: { flag: '--jobs', placeholder: '<n>' },
});

/** How the command line says an option: `--missing drop-rows`, `--categorical <columns>`. */
export const cliOptionWords: OptionRenderer = (ref) => {
  const spec = OPTION_FLAGS[ref.option];
  if (spec === undefined) {
    // An option the command line does not expose: say so rather than print API syntax.
    return `the library option ${ref.option}${ref.value === undefined ? '' : ` = ${JSON.stringify(ref.value)}`} (not settable from the command line)`;
  }
  if (spec.words) return spec.words(ref.value);
  if (ref.value === undefined)
    return spec.placeholder ? `${spec.flag} ${spec.placeholder}` : spec.flag;
  return `${spec.flag} ${spec.value ? spec.value(ref.value) : shellWord(list(ref.value))}`;
};

/** The reader options (@hetmtl/data's TableOptions) that have flags, in the order of the help. */
export const READER_OPTIONS = [
  'features',
  'exclude',
  'categorical',
  'numeric',
  'missing',
  'naValues',
  'unseenCategory',
  'constantTarget',
] as const;

export type ReaderOption = (typeof READER_OPTIONS)[number];

/** Commander's property for a flag: `--na-values` → `naValues`. */
export function flagProperty(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The reader options the flags set (through the table), leaving out flags not given. */
export function readerOptionsFromFlags(
  flags: Readonly<Record<string, unknown>>,
): Partial<Record<ReaderOption, unknown>> {
  const out: Partial<Record<ReaderOption, unknown>> = {};
  for (const name of READER_OPTIONS) {
    const spec = OPTION_FLAGS[name];
    const raw = flags[flagProperty(spec.flag)];
    const value = spec.toOption ? spec.toOption(raw) : raw;
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[name] = value;
  }
  return out;
}
