// The CLI's bad-input catalogue (shared/docs/bad-input-catalogue.md, December 2026) as data: one
// entry per row, plus the cases issue #11 lists that the table lacks (n "I1", "I2", …).
//
// GOOD rows assert today's behaviour (exit code and the key phrase of the message). WEAK and BAD
// rows assert the FIXED behaviour issue #11 asks for, so they fail until the fix lands.
//
// To adjust a row, edit its `expect` here; catalogue.test.ts applies these rules to every case:
// - the exit code is `exit` (or one of them);
// - on a non-zero exit, stderr has exactly one "hetmtl: error: …" line, and it matches every
//   pattern of `stderr`; on exit 0, stdout + stderr match every pattern of `onSuccess`;
// - stderr matches none of `notStderr`, never "unexpected error" / "probably a bug" / a V8 fatal
//   error, and has no stack trace line ("    at …") unless the command has --verbose;
// - exit 0 never prints Infinity or NaN on stdout (metrics) and never writes a non-finite
//   prediction (predict --out writes one finite prediction per input row), and a fitted model
//   file holds only finite statistics and coefficients;
// - files: every file of the case directory that existed before the run is byte-identical after
//   it (sha256), except the `writes` of a successful run, which must be created or replaced; a
//   failed run creates nothing and leaves an existing --out file as it was;
// - `check` runs last, for what the patterns cannot say.
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import {
  addColumn,
  type CaseDir,
  dropColumn,
  headerOf,
  lines,
  mapRows,
  nonFiniteModelNumbers,
  predictionsOf,
  setCell,
  tamper,
  unlines,
} from './catalogue-files.js';
import type { RunResult } from './run.js';

export type Verdict = 'GOOD' | 'WEAK' | 'BAD' | 'ISSUE';
export type Files = 'untouched' | { readonly writes: readonly string[] };

export interface CaseExpect {
  readonly exit: number | readonly number[];
  /** Patterns of the error line (non-zero exit). */
  readonly stderr?: RegExp | readonly RegExp[];
  /** Patterns of stdout + stderr (exit 0). */
  readonly onSuccess?: RegExp | readonly RegExp[];
  /** Patterns stderr must never match. */
  readonly notStderr?: readonly RegExp[];
  readonly files: Files;
  /** The run must end within this many milliseconds. */
  readonly maxMs?: number;
  readonly check?: (r: RunResult, c: CaseDir) => void | Promise<void>;
}

export interface Case {
  readonly n: number | string;
  readonly name: string;
  readonly verdictInCatalogue: Verdict;
  readonly args: readonly string[];
  /** Writes the case's files into its fresh directory (the base files are in `c.base`). */
  readonly setup?: (c: CaseDir) => void | Promise<void>;
  readonly expect: CaseExpect;
  /** Extra NODE_OPTIONS for the child process. */
  readonly nodeOptions?: string;
  /** Kill the run after this many ms (default 50 s). */
  readonly runTimeoutMs?: number;
  /** Skip the case, with the reason. */
  readonly skip?: string;
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/** `[Q]` of the catalogue. */
export const Q = ['--task', 'task', '--target', 'y', '--quick', '--out', 'out.json'] as const;
const fitQ = (file: string, ...more: string[]) => ['fit', file, ...Q, ...more];
const PREDICT = ['predict', 'model.json', 'new.csv', '--out', 'preds.csv'];
const EVALUATE = ['evaluate', 'model.json', 'test.csv'];

/** What an existing --out file holds before the run (it must survive a failed run). */
export const SENTINEL = 'an existing --out file: a failed run must leave it as it is\n';

const OUT_JSON: Files = { writes: ['out.json'] };
const PREDS: Files = { writes: ['preds.csv'] };

/** Setup: data.csv = f(base data.csv), and an existing out.json. */
const data =
  (f: (csv: string) => string | Uint8Array = (x) => x, name = 'data.csv') =>
  (c: CaseDir) => {
    c.write(name, f(c.base.data));
    c.write('out.json', SENTINEL);
  };
/** Setup: model.json (base model, or `model(base)`) and new.csv = f(base test.csv). */
const predictFiles =
  (
    f: (csv: string) => string | Uint8Array = (x) => x,
    model?: (c: CaseDir) => string | Uint8Array,
  ) =>
  (c: CaseDir) => {
    c.write('model.json', model ? model(c) : c.base.model);
    c.write('new.csv', f(c.base.test));
    c.write('preds.csv', SENTINEL);
  };
/** Setup: model.json and test.csv = f(base test.csv). */
const evalFiles =
  (
    f: (csv: string) => string | Uint8Array = (x) => x,
    model?: (c: CaseDir) => string | Uint8Array,
  ) =>
  (c: CaseDir) => {
    c.write('model.json', model ? model(c) : c.base.model);
    c.write('test.csv', f(c.base.test));
  };
/** Setup: model.json only. */
const modelFile = (model: (c: CaseDir) => string | Uint8Array) => (c: CaseDir) => {
  c.write('model.json', model(c));
};
// biome-ignore lint/suspicious/noExplicitAny: model documents are tampered with freely
type Doc = any;
const tamperModel = (f: (doc: Doc) => void) => (c: CaseDir) => tamper(c.base.model, f);
const tamperDual = (f: (doc: Doc) => void) => (c: CaseDir) => tamper(c.base.dual, f);

/** The error says the delimiter is wrong and names the flag, not "check the spelling". */
const DELIMITER_HINT = {
  stderr: [/--delimiter/],
  notStderr: [/Check the spelling/i],
};
/** No fitting happened before the error (no "Fitting …" line, no progress bar). */
const NO_FIT_STARTED = [/^Fitting /m, /^fit \[/m];
/** A mark on a tiny / constant task in the fit report (wording not decided yet). */
const TINY =
  /tiny|too small|small task|\b(one|1)[- ]row|\b(two|2)[- ]rows?\b|borrow|shrunk|no (held-out|test|validation) rows?|not (scored|held out|validated)/i;
const CONSTANT = /constant/i;
/** A note that rows were dropped (not the flag "--missing drop-rows" echoed, nor a path). */
const DROPPED = /\bdropped\b|\bdropping\b|\bdrops?\b(?!-rows)/i;

/** Some line naming `task` carries the mark (or a footnote symbol, with the mark explained). */
function expectMarked(stdout: string, task: string, mark: RegExp): void {
  const name = new RegExp(
    `(^|[\\s"'(])${task.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[\\s"',:;)*†‡])`,
  );
  const taskLines = stdout.split('\n').filter((l) => name.test(l));
  expect(
    taskLines.length,
    `no line of the report names task "${task}":\n${stdout}`,
  ).toBeGreaterThan(0);
  const marked =
    taskLines.some((l) => mark.test(l)) ||
    (taskLines.some((l) => /[*†‡]/.test(l)) && mark.test(stdout));
  expect(marked, `task "${task}" is not marked (${mark}) in the report:\n${stdout}`).toBe(true);
}

/** The model file a successful fit wrote loads with `info`, and `predict` on test.csv is finite. */
async function expectModelLoads(c: CaseDir, file = 'out.json'): Promise<void> {
  const bad = nonFiniteModelNumbers(c.read(file));
  expect(bad, `non-finite numbers in ${file}`).toEqual([]);
  const info = await c.run(['info', file]);
  expect(info.code, `info ${file}: ${info.stderr}`).toBe(0);
  c.write('check-test.csv', c.base.test);
  const p = await c.run(['predict', file, 'check-test.csv', '--out', 'check-preds.csv', '-q']);
  expect(p.code, `predict with ${file}: ${p.stderr}`).toBe(0);
  const preds = predictionsOf(c.read('check-preds.csv'));
  expect(preds).toHaveLength(80);
  expect(preds.every(Number.isFinite)).toBe(true);
}

function modelDoc(c: CaseDir, file = 'out.json'): Doc {
  return JSON.parse(c.read(file));
}

const sameAsReference = (c: CaseDir, column = 'prediction') => {
  const p = predictionsOf(c.read('preds.csv'), column);
  const ref = c.base.refPredictions;
  expect(p).toHaveLength(ref.length);
  const maxDiff = Math.max(...p.map((v, i) => Math.abs(v - ref[i])));
  expect(maxDiff).toBeLessThan(1e-9);
};

/** The base data with one Latin-1 byte on file line 2 ("task1" → "t\xE9sk1"). */
function latin1OnLine2(csv: string): Uint8Array {
  const buf = Buffer.from(csv, 'utf8');
  buf[csv.indexOf('\n') + 2] = 0xe9;
  return buf;
}

/** 4,096 bytes of noise that are not UTF-8 and hold no NUL byte. */
function noise(): Uint8Array {
  const b = new Uint8Array(4096);
  for (let i = 0; i < b.length; i++) b[i] = ((i * 7919 + 13) % 255) + 1;
  return b;
}

/** A site column with 3 levels a, b, c. */
const withSite = (csv: string) => addColumn(csv, 'site', (_, l) => 'abc'[l % 3]);

/** The number cited after "row " in an error line. */
const rowOf = (stderr: string): string | undefined => /\brow (\d+)/.exec(stderr)?.[1];

/** Model tampering that predict and info must both refuse (issue item 7). */
function refusedModel(n: string, name: string, f: (c: CaseDir) => string): Case {
  return {
    n,
    name,
    verdictInCatalogue: 'ISSUE',
    args: PREDICT,
    setup: predictFiles(undefined, f),
    expect: {
      exit: 1,
      stderr: [/model/i],
      files: PREDS,
      check: async (_r, c) => {
        const info = await c.run(['info', 'model.json']);
        expect(info.code, `info validates like predict:\n${info.stdout}${info.stderr}`).toBe(1);
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The catalogue

export const CASES: readonly Case[] = [
  // ----- fit: the file
  {
    n: 1,
    name: 'fit-empty-file',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data(() => ''),
    expect: { exit: 1, stderr: /File "data\.csv" is empty/, files: OUT_JSON },
  },
  {
    n: 2,
    name: 'fit-whitespace-only',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data(() => '   \n\n  \t\n'),
    expect: { exit: 1, stderr: /File "data\.csv" is empty/, files: OUT_JSON },
  },
  {
    n: 3,
    name: 'fit-header-only',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => `${lines(d)[0]}\n`),
    expect: { exit: 1, stderr: /No data rows/, files: OUT_JSON },
  },
  {
    n: 4,
    name: 'fit-bom',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => `\uFEFF${d}`),
    expect: {
      exit: 0,
      onSuccess: /Fitting 4 tasks × 5 features/,
      files: OUT_JSON,
      check: (_r, c) => expect(modelDoc(c).columns.task).toBe('task'),
    },
  },
  {
    n: 5,
    name: 'fit-crlf',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => d.replace(/\n/g, '\r\n')),
    expect: { exit: 0, onSuccess: /Fitting 4 tasks × 5 features/, files: OUT_JSON },
  },
  {
    n: 6,
    name: 'fit-quoted-comma-newline',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => mapRows(d, (c) => (c[0] === 'task1' ? ['"task,1\nx"', ...c.slice(1)] : c))),
    expect: {
      exit: 0,
      onSuccess: /Fitting 4 tasks × 5 features/,
      files: OUT_JSON,
      check: (_r, c) => expect(modelDoc(c).encoding.tasks).toContain('task,1\nx'),
    },
  },
  {
    n: 7,
    name: 'fit-ragged-extra',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => mapRows(d, (c, l) => (l === 12 ? [...c, '9'] : c))),
    expect: {
      exit: 1,
      stderr: /Ragged row \(at row 12\): expected 7 fields.*received 8/,
      files: OUT_JSON,
    },
  },
  {
    n: 8,
    name: 'fit-ragged-short',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => mapRows(d, (c, l) => (l === 12 ? c.slice(0, 5) : c))),
    expect: {
      exit: 1,
      stderr: /Ragged row \(at row 12\): expected 7 fields.*received 5/,
      files: OUT_JSON,
    },
  },
  {
    // GOOD in the catalogue; issue #11: a column of numbers with one stray token is an error
    // naming row, column and value, with the flags that resolve it.
    n: 9,
    name: 'fit-non-numeric',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'x2', 'abc')),
    expect: {
      exit: 1,
      stderr: [/row 6\b/, /"?x2"?/, /"abc"|\babc\b/, /--categorical x2/, /--na-values abc/],
      files: OUT_JSON,
    },
  },
  {
    // Issue #11: "NaN" is a common NA token → a missing value under --missing (default error),
    // and the fix names CLI flags (never naValues / missing: "…").
    n: 10,
    name: 'fit-nan-cell',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'x2', 'NaN')),
    expect: {
      exit: 1,
      stderr: [/Missing value/, /row 6\b/, /"x2"/, /--missing/],
      notStderr: [/naValues/, /missing: "/],
      files: OUT_JSON,
    },
  },
  {
    n: 11,
    name: 'fit-inf-cell',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'x2', 'Infinity')),
    expect: {
      exit: 1,
      stderr: /Non-finite value \(at task "task1", row 6, column "x2"\).*"Infinity"/,
      files: OUT_JSON,
    },
  },
  {
    n: 12,
    name: 'fit-inf-target',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'y', '-inf')),
    expect: {
      exit: 1,
      stderr: /Non-finite value \(at task "task1", row 6, column "y"\).*"-inf"/,
      files: OUT_JSON,
    },
  },
  {
    // The fix must spell the CLI flag (--missing drop-rows), not the API option.
    n: 13,
    name: 'fit-NA-cell',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'x2', 'NA')),
    expect: {
      exit: 1,
      stderr: [
        /Missing value \(at task "task1", row 6, column "x2"\)/,
        /--missing (drop-rows|mean-impute)/,
      ],
      notStderr: [/missing: "/, /naValues/],
      files: OUT_JSON,
    },
  },
  {
    // Issue #11 item 9: say how many rows were dropped, per task.
    n: 14,
    name: 'fit-NA-cell-droprows',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv', '--missing', 'drop-rows'),
    setup: data((d) => setCell(d, 6, 'x2', 'NA')),
    expect: {
      exit: 0,
      onSuccess: DROPPED,
      files: OUT_JSON,
      check: (r) => {
        const said = `${r.stderr}\n${r.stdout}`.split('\n').filter((l) => DROPPED.test(l));
        expect(said.join('\n'), 'a line says how many rows were dropped').toMatch(/\b1\b/);
        expect(said.join('\n'), 'the drop note names the task').toMatch(/task1/);
      },
    },
  },
  {
    n: 15,
    name: 'fit-missing-task-col',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--task', 'tsk'),
    setup: data(),
    expect: { exit: 1, stderr: /Unknown column \(at column "tsk"\)/, files: OUT_JSON },
  },
  {
    n: 16,
    name: 'fit-missing-target-col',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--target', 'score'),
    setup: data(),
    expect: { exit: 1, stderr: /Unknown column \(at column "score"\)/, files: OUT_JSON },
  },
  {
    // Every task has ONE row (160 tasks of 1 row): nothing within a task can be held out or
    // validated, so this stays a one-line refusal that says so (tiny tasks among larger ones are
    // fitted: I4, #64, #65). It used to name only the first task and an API call.
    n: 17,
    name: 'fit-one-row-per-task',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => mapRows(d, (c, l) => [`t${l - 2}`, ...c.slice(1)])),
    expect: {
      exit: 1,
      stderr: /No rows for the test part.*tasks of at most 1 row/,
      notStderr: [/selectTasks/],
      files: OUT_JSON,
    },
  },
  {
    // Issue #11: a constant-target task is fitted and marked (--strict restores the refusal: I12).
    n: 18,
    name: 'fit-constant-target-task',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => mapRows(d, (c) => (c[0] === 'task2' ? [...c.slice(0, -1), '3.5'] : c))),
    expect: {
      exit: 0,
      notStderr: [/constantTarget/],
      files: OUT_JSON,
      check: (r) => expectMarked(r.stdout, 'task2', CONSTANT),
    },
  },
  {
    n: 19,
    name: 'fit-constant-feature',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => mapRows(d, (c) => [...c.slice(0, 3), '1', ...c.slice(4)])),
    expect: {
      exit: 0,
      files: OUT_JSON,
      check: async (_r, c) => {
        const info = await c.run(['info', 'out.json']);
        expect(info.code).toBe(0);
        expect(info.stdout).toMatch(/constant features?:[^\n]*x3/);
      },
    },
  },
  {
    n: 20,
    name: 'fit-duplicate-colname',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => d.replace(/^task,x1,x2,x3,/, 'task,x1,x2,x1,')),
    expect: {
      exit: 1,
      stderr: /Duplicated column name \(at column "x1"\).*columns 2 and 4/,
      files: OUT_JSON,
    },
  },
  {
    // Issue #11 item 9: give the line and suggest the encoding.
    n: 21,
    name: 'fit-non-utf8',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv'),
    setup: data(latin1OnLine2),
    expect: {
      exit: 1,
      stderr: [/\b(line|row) 2\b/, /latin-?1|windows-1252|cp1252|iso-8859-1/i],
      notStderr: [/bytes 1–\d{3,}/],
      files: OUT_JSON,
    },
  },
  {
    n: 22,
    name: 'fit-binary-random',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data(noise),
    expect: { exit: 1, stderr: /File "data\.csv" is not text/, files: OUT_JSON },
  },
  {
    n: 23,
    name: 'fit-gzip',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => gzipSync(Buffer.from(d))),
    expect: { exit: 1, stderr: /is not text.*gzip-compressed/, files: OUT_JSON },
  },
  {
    // Issue #11 item 2: standardise overflow-safely (exit 0, a model that loads) or refuse the
    // value with its row and column; never "the shared factors are not finite".
    n: 24,
    name: 'fit-huge-1e308-feature',
    verdictInCatalogue: 'BAD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'x2', '1e308')),
    expect: {
      exit: [0, 1],
      stderr: [/row 6\b/, /"?x2"?/],
      notStderr: [/shared factors are not finite/i, /learning rate/i],
      files: OUT_JSON,
      check: async (r, c) => {
        if (r.code === 0) await expectModelLoads(c);
      },
    },
  },
  {
    // Issue #11 item 3: never the internal "Invalid lambdas".
    n: 25,
    name: 'fit-huge-1e308-target',
    verdictInCatalogue: 'BAD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'y', '1e308')),
    expect: {
      exit: [0, 1],
      stderr: [/row 6\b/, /column "y"|\by\b/],
      notStderr: [/Invalid lambdas/, /shared factors are not finite/i],
      files: OUT_JSON,
      check: async (r, c) => {
        if (r.code === 0) await expectModelLoads(c);
      },
    },
  },
  {
    n: 26,
    name: 'fit-overflow-1e309',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'x2', '1e309')),
    expect: {
      exit: 1,
      stderr: /Non-finite value \(at task "task1", row 6, column "x2"\).*"1e309"/,
      files: OUT_JSON,
    },
  },
  {
    n: 27,
    name: 'fit-hex-number',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'x2', '0x1A')),
    expect: { exit: 0, onSuccess: /Fitting 4 tasks × 5 features/, files: OUT_JSON },
  },
  {
    n: 28,
    name: 'fit-wrong-format-flag',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--format', 'xlsx'),
    setup: data(),
    expect: { exit: 2, stderr: /--format <format>' argument 'xlsx' is invalid/, files: OUT_JSON },
  },
  {
    n: 29,
    name: 'fit-format-json-on-csv',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--format', 'json'),
    setup: data(),
    expect: { exit: 1, stderr: /Invalid JSON/, files: OUT_JSON },
  },
  {
    n: 30,
    name: 'fit-format-arrow-on-csv',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--format', 'arrow'),
    setup: data(),
    expect: { exit: 1, stderr: /Not Arrow IPC data/, files: OUT_JSON },
  },
  {
    // Issue #11 item 9: a wrong or missing --delimiter names the delimiter and the flag.
    n: 31,
    name: 'fit-wrong-delimiter',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv', '--delimiter', ';'),
    setup: data(),
    expect: { exit: [1, 2], ...DELIMITER_HINT, files: OUT_JSON },
  },
  {
    n: 32,
    name: 'fit-multichar-delimiter',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv', '--delimiter', ';;'),
    setup: data(),
    expect: { exit: [1, 2], ...DELIMITER_HINT, files: OUT_JSON },
  },
  {
    n: 33,
    name: 'fit-semicolon-file-default-delim',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv'),
    setup: data((d) => d.replace(/,/g, ';')),
    expect: {
      exit: 1,
      stderr: [/--delimiter/, /";"|';'|semicolon|--delimiter ;/i],
      notStderr: [/Check the spelling/i],
      files: OUT_JSON,
    },
  },
  {
    n: 34,
    name: 'fit-tsv-as-csv-ext',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv'),
    setup: data((d) => d.replace(/,/g, '\t')),
    expect: {
      exit: 1,
      stderr: [/--delimiter|--format tsv/, /\btabs?\b|tab-separated|--format tsv/i],
      notStderr: [/Check the spelling/i],
      files: OUT_JSON,
    },
  },
  // ----- fit: flags
  {
    n: 35,
    name: 'fit-unknown-flag',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--foo'),
    setup: data(),
    expect: { exit: 2, stderr: /unknown option '--foo'/, files: OUT_JSON },
  },
  {
    n: 36,
    name: 'fit-k0-0',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--k0', '0'),
    setup: data(),
    expect: { exit: 2, stderr: /--k0 <n>' argument '0' is invalid/, files: OUT_JSON },
  },
  {
    n: 37,
    name: 'fit-k0-1000',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--k0', '1000'),
    setup: data(),
    expect: { exit: 2, stderr: /--k0 1000 is more than the 5 features/, files: OUT_JSON },
  },
  {
    n: 38,
    name: 'fit-k1-neg',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--k1', '-1'),
    setup: data(),
    expect: { exit: 2, stderr: /--k1 <n>' argument '-1' is invalid/, files: OUT_JSON },
  },
  {
    n: 39,
    name: 'fit-test-1.5',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--test', '1.5'),
    setup: data(),
    expect: { exit: 2, stderr: /--test <share>' argument '1\.5' is invalid/, files: OUT_JSON },
  },
  {
    n: 40,
    name: 'fit-test-neg',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--test', '-0.1'),
    setup: data(),
    expect: { exit: 2, stderr: /--test <share>' argument '-0\.1' is invalid/, files: OUT_JSON },
  },
  {
    n: 41,
    name: 'fit-seed-neg',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--seed', '-1'),
    setup: data(),
    expect: { exit: 2, stderr: /--seed <n>' argument '-1' is invalid/, files: OUT_JSON },
  },
  {
    n: 42,
    name: 'fit-seed-float',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--seed', '1.5'),
    setup: data(),
    expect: { exit: 2, stderr: /--seed <n>' argument '1\.5' is invalid/, files: OUT_JSON },
  },
  {
    n: 43,
    name: 'fit-seed-huge',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--seed', '99999999999999999999'),
    setup: data(),
    expect: {
      exit: 2,
      stderr: /--seed <n>' argument '99999999999999999999' is invalid/,
      files: OUT_JSON,
    },
  },
  {
    n: 44,
    name: 'fit-lambda-foo',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--lambda', 'foo'),
    setup: data(),
    expect: { exit: 2, stderr: /--lambda <value>' argument 'foo' is invalid/, files: OUT_JSON },
  },
  {
    n: 45,
    name: 'fit-lambda-neg',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--lambda', '-1'),
    setup: data(),
    expect: { exit: 2, stderr: /--lambda <value>' argument '-1' is invalid/, files: OUT_JSON },
  },
  {
    n: 46,
    name: 'fit-max-rounds-0',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--max-rounds', '0'),
    setup: data(),
    expect: { exit: 0, onSuccess: /Fitting 4 tasks × 5 features/, files: OUT_JSON },
  },
  {
    n: 47,
    name: 'fit-num-lambdas-0',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--num-lambdas', '0'),
    setup: data(),
    expect: { exit: 2, stderr: /--num-lambdas <n>' argument '0' is invalid/, files: OUT_JSON },
  },
  {
    n: 48,
    name: 'fit-hidden-0',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--encoder', 'mlp', '--hidden', '0'),
    setup: data(),
    expect: { exit: 2, stderr: /--hidden <sizes>' argument '0' is invalid/, files: OUT_JSON },
  },
  {
    // GOOD in the catalogue; issue #11 item 9: --hidden must not switch encoders silently: a
    // usage error naming --encoder mlp, or an explicit note.
    n: 49,
    name: 'fit-hidden-without-mlp',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--hidden', '8'),
    setup: data(),
    expect: {
      exit: [0, 2],
      stderr: [/--hidden/, /--encoder mlp/],
      onSuccess: /--hidden[^\n]*mlp|mlp[^\n]*--hidden/,
      files: OUT_JSON,
    },
  },
  {
    n: 50,
    name: 'fit-backend-bogus',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--backend', 'gpu'),
    setup: data(),
    expect: { exit: 2, stderr: /--backend <name>' argument 'gpu' is invalid/, files: OUT_JSON },
  },
  {
    n: 51,
    name: 'fit-missing-policy-bogus',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--missing', 'zero'),
    setup: data(),
    expect: { exit: 2, stderr: /--missing <policy>' argument 'zero' is invalid/, files: OUT_JSON },
  },
  {
    n: 52,
    name: 'fit-features-unknown',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--features', 'x1,x9'),
    setup: data(),
    expect: { exit: 1, stderr: /Unknown column \(at column "x9"\)/, files: OUT_JSON },
  },
  {
    n: 53,
    name: 'fit-features-include-target',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--features', 'x1,y'),
    setup: data(),
    expect: {
      exit: 1,
      stderr: /Feature is the task or target column \(at column "y"\)/,
      files: OUT_JSON,
    },
  },
  {
    n: 54,
    name: 'fit-features-include-task',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--features', 'x1,task'),
    setup: data(),
    expect: {
      exit: 1,
      stderr: /Feature is the task or target column \(at column "task"\)/,
      files: OUT_JSON,
    },
  },
  {
    n: 55,
    name: 'fit-task-equals-target',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--target', 'task'),
    setup: data(),
    expect: { exit: 1, stderr: /Task and target are the same column/, files: OUT_JSON },
  },
  {
    n: 56,
    name: 'fit-categorical-not-feature',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--features', 'x1,x2', '--categorical', 'x3'),
    setup: data(),
    expect: {
      exit: 1,
      stderr: /Categorical column is not a feature \(at column "x3"\)/,
      files: OUT_JSON,
    },
  },
  {
    n: 57,
    name: 'fit-exclude-all',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--exclude', 'x1,x2,x3,x4,x5'),
    setup: data(),
    expect: { exit: 1, stderr: /No feature columns/, files: OUT_JSON },
  },
  {
    n: 58,
    name: 'fit-missing-file',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: (c) => c.write('out.json', SENTINEL),
    expect: { exit: 1, stderr: /data file not found: "data\.csv"/, files: OUT_JSON },
  },
  {
    n: 59,
    name: 'fit-file-is-dir',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: (c) => {
      c.mkdir('data.csv');
      c.write('out.json', SENTINEL);
    },
    expect: { exit: 1, stderr: /"data\.csv" is a directory/, files: OUT_JSON },
  },
  // ----- fit: --out (issue #11 items 4 and 5: checked before any work)
  {
    n: 60,
    name: 'fit-out-missing-dir',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv', '--out', 'nodir/sub/m.json'),
    setup: data(),
    expect: {
      exit: [1, 2],
      stderr: /nodir\/sub\/m\.json/,
      notStderr: NO_FIT_STARTED,
      files: 'untouched',
    },
  },
  {
    n: 61,
    name: 'fit-out-is-dir',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv', '--out', 'adir'),
    setup: (c) => {
      data()(c);
      c.mkdir('adir');
    },
    expect: {
      exit: [1, 2],
      stderr: [/"?adir"?/, /is a directory|EISDIR/],
      notStderr: NO_FIT_STARTED,
      files: 'untouched',
    },
  },
  {
    // The catalogue ran this as uid 65534 with a read-only directory; the suite runs as any
    // user (root ignores permissions), so the unwritable path is under a regular file (ENOTDIR).
    n: 62,
    name: 'fit-out-unwritable',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv', '--out', 'afile/m.json'),
    setup: (c) => {
      data()(c);
      c.write('afile', 'a regular file\n');
    },
    expect: {
      exit: [1, 2],
      stderr: /afile\/m\.json/,
      notStderr: NO_FIT_STARTED,
      files: 'untouched',
    },
  },
  {
    n: 63,
    name: 'fit-out-same-as-input',
    verdictInCatalogue: 'BAD',
    args: fitQ('data.csv', '--out', 'data.csv'),
    setup: data(),
    expect: {
      exit: 2,
      stderr: [/--out/, /data\.csv/],
      notStderr: NO_FIT_STARTED,
      files: 'untouched',
    },
  },
  // ----- fit: tiny tasks (issue #11: fitted, not refused, and marked)
  {
    n: 64,
    name: 'fit-test-0-tiny-task',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv', '--test', '0'),
    setup: data((d) => `${d}${lines(d)[1]?.replace(/^task1,/, 'solo,')}\n`),
    expect: { exit: 0, files: OUT_JSON, check: (r) => expectMarked(r.stdout, 'solo', TINY) },
  },
  {
    n: 65,
    name: 'fit-two-rows-task',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv'),
    setup: data(
      (d) =>
        `${d}${lines(d)[1]?.replace(/^task1,/, 'duo,')}\n${lines(d)[2]?.replace(/^task1,/, 'duo,')}\n`,
    ),
    expect: { exit: 0, files: OUT_JSON, check: (r) => expectMarked(r.stdout, 'duo', TINY) },
  },
  {
    n: 66,
    name: 'fit-blank-task-cell',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'task', '')),
    expect: { exit: 1, stderr: /Missing task name \(at row 6, column "task"\)/, files: OUT_JSON },
  },
  // ----- fit: JSON and other formats
  {
    n: 67,
    name: 'fit-json-empty-array',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.json'),
    setup: data(() => '[]\n', 'data.json'),
    expect: {
      exit: 1,
      stderr: /no records|no rows|no data|empty/i,
      notStderr: [/the columns are ,/],
      files: OUT_JSON,
    },
  },
  {
    n: 68,
    name: 'fit-json-invalid',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.json'),
    setup: data(() => '[{"task": "a", x1: 1, "y": 2}]\n', 'data.json'),
    expect: { exit: 1, stderr: /Invalid JSON/, files: OUT_JSON },
  },
  {
    n: 69,
    name: 'fit-json-nan-literal',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.json'),
    setup: data(() => '[{"task":"a","x1":NaN,"y":1}]\n', 'data.json'),
    expect: { exit: 1, stderr: /Invalid JSON/, files: OUT_JSON },
  },
  {
    n: 70,
    name: 'fit-xlsx-ext-zip',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.xlsx'),
    setup: data(
      () => Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 8, 0, 1, 2, 3, 4, 5, 6]),
      'data.xlsx',
    ),
    expect: { exit: 1, stderr: /is not text.*ZIP archive/, files: OUT_JSON },
  },
  {
    n: 71,
    name: 'fit-quote-unclosed',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'task', '"task1')),
    expect: { exit: 1, stderr: /Malformed quotes \(at row 6\)/, files: OUT_JSON },
  },
  {
    n: 72,
    name: 'fit-blank-lines-inside',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => {
      const ls = lines(d);
      for (const at of [100, 50, 10]) ls.splice(at, 0, '');
      return unlines(ls);
    }),
    expect: { exit: 0, onSuccess: /128 training rows, 32 held out/, files: OUT_JSON },
  },
  {
    n: 73,
    name: 'fit-spaces-around-numbers',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => mapRows(d, (c) => c.map((v, k) => (k > 0 ? ` ${v} ` : v)))),
    expect: { exit: 0, onSuccess: /Fitting 4 tasks × 5 features/, files: OUT_JSON },
  },
  {
    n: 74,
    name: 'fit-task-names-with-spaces',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => mapRows(d, (c) => (c[0] === 'task1' ? [' task1', ...c.slice(1)] : c))),
    expect: {
      exit: 0,
      files: OUT_JSON,
      check: (_r, c) => expect(modelDoc(c).encoding.tasks).toContain(' task1'),
    },
  },
  {
    n: 75,
    name: 'more-fit-delim-empty',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--delimiter', ''),
    setup: data(),
    expect: { exit: 0, onSuccess: /Fitting 4 tasks × 5 features/, files: OUT_JSON },
  },
  {
    // A command-line mistake: exit 2, naming the flag (not "at column \"delimiter\"").
    n: 76,
    name: 'more-fit-delim-quote',
    verdictInCatalogue: 'WEAK',
    args: fitQ('data.csv', '--delimiter', '"'),
    setup: data(),
    expect: {
      exit: 2,
      stderr: /--delimiter/,
      notStderr: [/at column "delimiter"/],
      files: OUT_JSON,
    },
  },
  {
    n: 77,
    name: 'more-fit-features-empty',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--features', ','),
    setup: data(),
    expect: { exit: 2, stderr: /--features <columns>' argument ',' is invalid/, files: OUT_JSON },
  },
  {
    // A file of ONE data row: nothing to hold out or validate, a one-line refusal (as #17).
    n: 78,
    name: 'more-fit-one-data-row',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => unlines(lines(d).slice(0, 2))),
    expect: { exit: 1, stderr: /No rows for the test part.*at most 1 row/, files: OUT_JSON },
  },
  {
    n: 79,
    name: 'more-fit-json-error-doc',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv', '--json'),
    setup: data(() => ''),
    expect: {
      exit: 1,
      stderr: /File "data\.csv" is empty/,
      files: OUT_JSON,
      check: (r) => expect(r.stdout).toBe(''),
    },
  },
  {
    n: 80,
    name: 'more-fit-huge-1e160-feature',
    verdictInCatalogue: 'BAD',
    args: fitQ('data.csv'),
    setup: data((d) => setCell(d, 6, 'x2', '1e160')),
    expect: {
      exit: [0, 1],
      stderr: [/row 6\b/, /"?x2"?/],
      notStderr: [/shared factors are not finite/i, /learning rate/i],
      files: OUT_JSON,
      check: async (r, c) => {
        if (r.code === 0) await expectModelLoads(c);
      },
    },
  },
  {
    n: 81,
    name: 'more-fit-tsv-ext-valid',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.tsv'),
    setup: data((d) => d.replace(/,/g, '\t'), 'data.tsv'),
    expect: { exit: 0, onSuccess: /from data\.tsv/, files: OUT_JSON },
  },
  {
    n: 82,
    name: 'more-fit-utf16',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => Buffer.from(`\uFEFF${d}`, 'utf16le')),
    expect: { exit: 1, stderr: /is not text.*UTF-16/, files: OUT_JSON },
  },
  {
    n: 83,
    name: 'more-fit-nul-in-middle',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => {
      const b = Buffer.from(d);
      b[500] = 0;
      return b;
    }),
    expect: { exit: 1, stderr: /NUL byte at byte 501/, files: OUT_JSON },
  },
  {
    n: 84,
    name: 'more-fit-header-dup-empty-names',
    verdictInCatalogue: 'GOOD',
    args: fitQ('data.csv'),
    setup: data((d) => d.replace(/^task,x1,x2,/, 'task,,,')),
    expect: { exit: 1, stderr: /Missing column name \(at column 2\)/, files: OUT_JSON },
  },
  // ----- evaluate (a few) and predict
  {
    n: 85,
    name: 'more-eval-format-tsv-on-csv',
    verdictInCatalogue: 'WEAK',
    args: [...EVALUATE, '--format', 'tsv'],
    setup: evalFiles(),
    expect: {
      exit: 1,
      stderr: /--delimiter|--format csv/,
      notStderr: [/Check the spelling/i],
      files: 'untouched',
    },
  },
  {
    n: 86,
    name: 'more-eval-dup-feature-extra',
    verdictInCatalogue: 'GOOD',
    args: EVALUATE,
    setup: evalFiles((t) => addColumn(t, 'x1', () => '999')),
    expect: {
      exit: 1,
      stderr: /Duplicated column name \(at column "x1"\).*columns 2 and 8/,
      files: 'untouched',
    },
  },
  {
    // Issue #11 item 2: never print RMSE Infinity / NaN with exit 0.
    n: 87,
    name: 'more-eval-huge-feature',
    verdictInCatalogue: 'BAD',
    args: EVALUATE,
    setup: evalFiles((t) => setCell(t, 7, 'x2', '1e308')),
    expect: { exit: [0, 1], stderr: /"?x2"?/, files: 'untouched' },
  },
  {
    n: 88,
    name: 'pred-valid-reference',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(),
    expect: { exit: 0, files: PREDS, check: (_r, c) => sameAsReference(c) },
  },
  {
    n: 89,
    name: 'pred-columns-reordered',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) =>
      mapRows(
        t,
        (c) => [...c].reverse(),
        (h) => [...h].reverse(),
      ),
    ),
    expect: { exit: 0, files: PREDS, check: (_r, c) => sameAsReference(c) },
  },
  {
    n: 90,
    name: 'pred-extra-columns',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) => addColumn(t, 'extra', (_, l) => `e${l}`)),
    expect: {
      exit: 0,
      files: PREDS,
      check: (_r, c) => {
        sameAsReference(c);
        expect(headerOf(c.read('preds.csv'))).toContain('extra');
      },
    },
  },
  {
    n: 91,
    name: 'pred-no-target-column',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) => dropColumn(t, 'y')),
    expect: { exit: 0, files: PREDS, check: (_r, c) => sameAsReference(c) },
  },
  {
    n: 92,
    name: 'pred-missing-feature',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) => dropColumn(t, 'x2')),
    expect: { exit: 1, stderr: /Missing feature column \(at column "x2"\)/, files: PREDS },
  },
  {
    // Row 6 (predict, data rows) vs row 7 (evaluate, file lines) today: either is accepted here;
    // I13 asks that both commands give the same number.
    n: 93,
    name: 'pred-unseen-task',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) => setCell(t, 7, 'task', 'task99')),
    expect: { exit: 1, stderr: /Unknown task \(at task "task99", row [67]\b/, files: PREDS },
  },
  {
    n: 94,
    name: 'pred-unseen-level',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: siteModel((t) => setCell(withSite(t), 5, 'site', 'zzz')),
    expect: {
      exit: 1,
      stderr: /Category not seen in training \(at task "task1", row [45]\b, column "site"\)/,
      files: PREDS,
    },
  },
  {
    n: 95,
    name: 'pred-nan-feature',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) => setCell(t, 7, 'x2', 'NaN')),
    expect: {
      exit: 1,
      stderr: /(Non-finite|Missing) value \(at task "task1", row [67], column "x2"\)/,
      files: PREDS,
    },
  },
  {
    n: 96,
    name: 'pred-NA-feature',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) => setCell(t, 7, 'x2', 'NA')),
    expect: {
      exit: 1,
      stderr: /Missing value \(at task "task1", row [67], column "x2"\)/,
      files: PREDS,
    },
  },
  {
    // Issue #11 item 2: never a -Infinity prediction with exit 0.
    n: 97,
    name: 'pred-huge-feature',
    verdictInCatalogue: 'BAD',
    args: PREDICT,
    setup: predictFiles((t) => setCell(t, 7, 'x2', '1e308')),
    expect: { exit: [0, 1], stderr: [/row [67]\b/, /"?x2"?/], files: PREDS },
  },
  {
    n: 98,
    name: 'pred-empty-file',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(() => ''),
    expect: { exit: 1, stderr: /File "new\.csv" is empty/, files: PREDS },
  },
  {
    n: 99,
    name: 'pred-header-only',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) => `${lines(t)[0]}\n`),
    expect: { exit: 1, stderr: /"new\.csv" has no data rows/, files: PREDS },
  },
  {
    // Today refused as "missing x2"; after issue item 1 every reader refuses duplicate names.
    n: 100,
    name: 'pred-duplicate-colname',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) => t.replace(/^task,x1,x2,/, 'task,x1,x1,')),
    expect: {
      exit: 1,
      stderr: /Missing feature column \(at column "x2"\)|Duplicated column name \(at column "x1"\)/,
      files: PREDS,
    },
  },
  {
    // Issue #11 item 1.
    n: 101,
    name: 'pred-dup-feature-extra',
    verdictInCatalogue: 'BAD',
    args: PREDICT,
    setup: predictFiles((t) => addColumn(t, 'x1', () => '999')),
    expect: { exit: 1, stderr: /Duplicated column name \(at column "x1"\)/, files: PREDS },
  },
  {
    n: 102,
    name: 'pred-ragged',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) => mapRows(t, (c, l) => (l === 5 ? c.slice(0, -1) : c))),
    expect: { exit: 1, stderr: /Ragged (CSV )?row \(at row 5\)/, files: PREDS },
  },
  {
    n: 103,
    name: 'pred-binary',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles((t) => Buffer.concat([Buffer.from([0]), Buffer.from(t)])),
    expect: { exit: 1, stderr: /File "new\.csv" is not text/, files: PREDS },
  },
  // ----- predict: the model file
  {
    n: 104,
    name: 'pred-model-truncated',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(undefined, (c) =>
      c.base.model.slice(0, Math.floor(c.base.model.length / 2)),
    ),
    expect: {
      exit: 1,
      stderr: /"model\.json" is not a hetmtl model file \(not JSON\)/,
      files: PREDS,
    },
  },
  {
    n: 105,
    name: 'pred-model-not-json',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(undefined, () => 'this is not JSON\n'),
    expect: {
      exit: 1,
      stderr: /"model\.json" is not a hetmtl model file \(not JSON\)/,
      files: PREDS,
    },
  },
  {
    n: 106,
    name: 'pred-model-empty',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(undefined, () => ''),
    expect: { exit: 1, stderr: /"model\.json" is not a hetmtl model file/, files: PREDS },
  },
  {
    n: 107,
    name: 'pred-model-wrong-format',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(
      undefined,
      tamperModel((d) => {
        d.format = 'other/tool';
      }),
    ),
    expect: { exit: 1, stderr: /format "other\/tool", expected "hetmtl\/cli-model"/, files: PREDS },
  },
  {
    n: 108,
    name: 'pred-model-wrong-version',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(
      undefined,
      tamperModel((d) => {
        d.version = 2;
      }),
    ),
    expect: { exit: 1, stderr: /"model\.json" has model file version 2/, files: PREDS },
  },
  {
    n: 109,
    name: 'pred-model-inner-version',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(
      undefined,
      tamperModel((d) => {
        d.model.version = 99;
      }),
    ),
    expect: { exit: 1, stderr: /Unsupported model document version.*99/, files: PREDS },
  },
  {
    n: 110,
    name: 'pred-model-shape-tampered',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(
      undefined,
      tamperDual((d) => {
        d.model.dual.shared.weights['shared/w0'].shape = [4, 5];
      }),
    ),
    expect: {
      exit: 1,
      stderr:
        /"model.json" is a corrupt model file.*shared\/w0\.shape: expected \[5,4\], received \[4,5\]/,
      files: PREDS,
    },
  },
  {
    n: 111,
    name: 'pred-model-shape-values-tampered',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(
      undefined,
      tamperDual((d) => {
        const w = d.model.dual.shared.weights['shared/w0'];
        w.shape = [5, 3];
        w.values = w.values.slice(0, 15);
      }),
    ),
    expect: {
      exit: 1,
      stderr:
        /"model.json" is a corrupt model file.*shared\/w0\.shape: expected \[5,4\], received \[5,3\]/,
      files: PREDS,
    },
  },
  {
    n: 112,
    name: 'pred-model-nan-weight',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(
      undefined,
      tamperDual((d) => {
        d.model.dual.shared.weights['shared/w0'].values[0] = null;
      }),
    ),
    expect: {
      exit: 1,
      stderr:
        /"model.json" is a corrupt model file.*shared\/w0\.values\[0\]: expected a finite number, received null/,
      files: PREDS,
    },
  },
  {
    n: 113,
    name: 'pred-model-inf-weight',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(undefined, (c) =>
      tamper(c.base.dual, (d) => {
        d.model.dual.shared.weights['shared/w0'].values[0] = 'INFINITY';
      }).replace('"INFINITY"', '1e999'),
    ),
    expect: {
      exit: 1,
      stderr:
        /"model.json" is a corrupt model file.*shared\/w0\.values\[0\]: expected a finite number, received Infinity/,
      files: PREDS,
    },
  },
  {
    n: 114,
    name: 'pred-model-beta-short',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(
      undefined,
      tamperDual((d) => {
        d.model.dual.beta[0] = d.model.dual.beta[0].slice(0, 3);
      }),
    ),
    expect: {
      exit: 1,
      stderr: /"model.json" is a corrupt model file.*dual\.beta\[0\]/,
      files: PREDS,
    },
  },
  {
    // Issue #11 item 7 / row note: say which entry is bad.
    n: 115,
    name: 'pred-model-beta-nan',
    verdictInCatalogue: 'WEAK',
    args: PREDICT,
    setup: predictFiles(
      undefined,
      tamperDual((d) => {
        d.model.dual.beta[0][2] = null;
      }),
    ),
    expect: {
      exit: 1,
      stderr: [/beta\[0\]/, /beta\[0\]\[2\]|index 2|(entry|position|element|value) [23]\b/],
      notStderr: [/received 4 entries/],
      files: PREDS,
    },
  },
  {
    n: 116,
    name: 'pred-model-no-encoding',
    verdictInCatalogue: 'WEAK',
    args: PREDICT,
    setup: predictFiles(
      undefined,
      tamperModel((d) => {
        delete d.encoding;
      }),
    ),
    expect: {
      exit: 1,
      stderr: [/model\.json/, /"?encoding"?/],
      notStderr: [/encoding\.toJSON\(\)/],
      files: PREDS,
    },
  },
  {
    // Issue #11 item 7: the encoding's 4 columns vs a 5-feature model are cross-checked.
    n: 117,
    name: 'pred-model-encoding-mismatch',
    verdictInCatalogue: 'BAD',
    args: PREDICT,
    setup: predictFiles(
      undefined,
      tamperModel((d) => {
        d.encoding.columns.pop();
      }),
    ),
    expect: { exit: 1, stderr: /encoding|features?|columns?/i, files: PREDS },
  },
  {
    n: 118,
    name: 'pred-model-tasks-mismatch',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(
      (t) => mapRows(t, (c) => (c[0] === 'task4' ? ['ghost', ...c.slice(1)] : c)),
      tamperModel((d) => {
        d.encoding.tasks[3] = 'ghost';
      }),
    ),
    expect: { exit: 1, stderr: /ghost/, files: PREDS },
  },
  {
    n: 119,
    name: 'pred-model-bare-tojson',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(undefined, (c) => `${JSON.stringify(JSON.parse(c.base.model).model)}\n`),
    expect: { exit: 1, stderr: /"model\.json" is a bare model document/, files: PREDS },
  },
  {
    n: 120,
    name: 'pred-model-other-tool',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(undefined, () => '{"producer":"other-tool","weights":[1,2,3]}\n'),
    expect: {
      exit: 1,
      stderr: /"model\.json" is not a hetmtl model file \(format null/,
      files: PREDS,
    },
  },
  {
    n: 121,
    name: 'pred-model-package-json',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(undefined, () => '{"name":"x","version":"1.0.0","type":"module"}\n'),
    expect: {
      exit: 1,
      stderr: /"model\.json" is not a hetmtl model file \(format null/,
      files: PREDS,
    },
  },
  {
    n: 122,
    name: 'pred-model-is-csv',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: predictFiles(undefined, (c) => c.base.data),
    expect: {
      exit: 1,
      stderr: /"model\.json" is not a hetmtl model file \(not JSON\)/,
      files: PREDS,
    },
  },
  {
    n: 123,
    name: 'pred-model-is-dir',
    verdictInCatalogue: 'GOOD',
    args: PREDICT,
    setup: (c) => {
      c.mkdir('model.json');
      c.write('new.csv', c.base.test);
      c.write('preds.csv', SENTINEL);
    },
    expect: { exit: 1, stderr: /"model\.json" is a directory, not a model file/, files: PREDS },
  },
  {
    // Exit 1 today; 1 or 2 accepted, in case --out checks become usage errors everywhere.
    n: 124,
    name: 'pred-out-missing-dir',
    verdictInCatalogue: 'GOOD',
    args: ['predict', 'model.json', 'new.csv', '--out', 'nodir/p.csv'],
    setup: predictFiles(),
    expect: { exit: [1, 2], stderr: /"nodir\/p\.csv"/, files: 'untouched' },
  },
  {
    n: 125,
    name: 'pred-out-is-dir',
    verdictInCatalogue: 'GOOD',
    args: ['predict', 'model.json', 'new.csv', '--out', 'adir'],
    setup: (c) => {
      predictFiles()(c);
      c.mkdir('adir');
    },
    expect: { exit: [1, 2], stderr: /"adir"/, files: 'untouched' },
  },
  {
    n: 126,
    name: 'pred-column-collides',
    verdictInCatalogue: 'GOOD',
    args: [...PREDICT, '--column', 'y'],
    setup: predictFiles(),
    expect: {
      exit: 0,
      files: PREDS,
      check: (_r, c) => {
        expect(headerOf(c.read('preds.csv')).join(',')).toBe('task,x1,x2,x3,x4,x5,y,y_2');
        sameAsReference(c, 'y_2');
      },
    },
  },
  // ----- evaluate
  {
    n: 127,
    name: 'eval-valid',
    verdictInCatalogue: 'GOOD',
    args: EVALUATE,
    setup: evalFiles(),
    expect: { exit: 0, onSuccess: /^all rows\s+80\s/m, files: 'untouched' },
  },
  {
    n: 128,
    name: 'eval-columns-reordered',
    verdictInCatalogue: 'GOOD',
    args: EVALUATE,
    setup: evalFiles((t) =>
      mapRows(
        t,
        (c) => [...c].reverse(),
        (h) => [...h].reverse(),
      ),
    ),
    expect: {
      exit: 0,
      files: 'untouched',
      check: (r, c) => expect(r.stdout).toContain(c.base.refEvalAllRows),
    },
  },
  {
    n: 129,
    name: 'eval-missing-target',
    verdictInCatalogue: 'GOOD',
    args: EVALUATE,
    setup: evalFiles((t) => dropColumn(t, 'y')),
    expect: { exit: 1, stderr: /Unknown column \(at column "y"\)/, files: 'untouched' },
  },
  {
    n: 130,
    name: 'eval-unseen-task',
    verdictInCatalogue: 'GOOD',
    args: EVALUATE,
    setup: evalFiles((t) => setCell(t, 7, 'task', 'task99')),
    expect: { exit: 1, stderr: /Unknown task \(at task "task99", row [67]\b/, files: 'untouched' },
  },
  {
    n: 131,
    name: 'eval-subset-of-tasks',
    verdictInCatalogue: 'GOOD',
    args: EVALUATE,
    setup: evalFiles((t) => mapRows(t, (c) => (c[0] === 'task1' || c[0] === 'task2' ? c : null))),
    expect: {
      exit: 0,
      onSuccess: [/^task1\s/m, /^all rows\s+40\s/m],
      files: 'untouched',
      check: (r) => expect(r.stdout).not.toMatch(/^task3\s/m),
    },
  },
  {
    // Issue #11: constant-target tasks are evaluated (R² shown as for one row), not refused.
    n: 132,
    name: 'eval-constant-target',
    verdictInCatalogue: 'WEAK',
    args: EVALUATE,
    setup: evalFiles((t) => mapRows(t, (c) => (c[0] === 'task1' ? [...c.slice(0, -1), '1'] : c))),
    expect: {
      exit: 0,
      onSuccess: [/^task1\s/m, /^all rows\s+80\s/m],
      notStderr: [/constantTarget/],
      files: 'untouched',
    },
  },
  {
    n: 133,
    name: 'eval-one-row',
    verdictInCatalogue: 'GOOD',
    args: EVALUATE,
    setup: evalFiles((t) => unlines(lines(t).slice(0, 2))),
    expect: { exit: 0, onSuccess: /^task1\s.*\s-\s*$/m, files: 'untouched' },
  },
  {
    n: 134,
    name: 'eval-model-nan-weight',
    verdictInCatalogue: 'GOOD',
    args: EVALUATE,
    setup: evalFiles(
      undefined,
      tamperDual((d) => {
        d.model.dual.shared.weights['shared/w0'].values[0] = null;
      }),
    ),
    expect: {
      exit: 1,
      stderr:
        /"model.json" is a corrupt model file.*shared\/w0\.values\[0\]: expected a finite number, received null/,
      files: 'untouched',
    },
  },
  {
    n: 135,
    name: 'eval-empty-file',
    verdictInCatalogue: 'GOOD',
    args: EVALUATE,
    setup: evalFiles(() => ''),
    expect: { exit: 1, stderr: /File "test\.csv" is empty/, files: 'untouched' },
  },
  // ----- info
  {
    n: 136,
    name: 'info-valid',
    verdictInCatalogue: 'GOOD',
    args: ['info', 'model.json'],
    setup: modelFile((c) => c.base.model),
    expect: { exit: 0, onSuccess: /^tasks\s+4: task1, task2, task3, task4$/m, files: 'untouched' },
  },
  {
    n: 137,
    name: 'info-truncated',
    verdictInCatalogue: 'GOOD',
    args: ['info', 'model.json'],
    setup: modelFile((c) => c.base.model.slice(0, 300)),
    expect: {
      exit: 1,
      stderr: /"model\.json" is not a hetmtl model file \(not JSON\)/,
      files: 'untouched',
    },
  },
  {
    n: 138,
    name: 'info-not-json',
    verdictInCatalogue: 'GOOD',
    args: ['info', 'model.json'],
    setup: modelFile(() => 'model: yes\n'),
    expect: {
      exit: 1,
      stderr: /"model\.json" is not a hetmtl model file \(not JSON\)/,
      files: 'untouched',
    },
  },
  {
    n: 139,
    name: 'info-missing-file',
    verdictInCatalogue: 'GOOD',
    args: ['info', 'model.json'],
    expect: { exit: 1, stderr: /model file not found: "model\.json"/, files: 'untouched' },
  },
  {
    n: 140,
    name: 'info-is-dir',
    verdictInCatalogue: 'GOOD',
    args: ['info', 'model.json'],
    setup: (c) => c.mkdir('model.json'),
    expect: {
      exit: 1,
      stderr: /"model\.json" is a directory, not a model file/,
      files: 'untouched',
    },
  },
  {
    n: 141,
    name: 'info-csv-file',
    verdictInCatalogue: 'GOOD',
    args: ['info', 'model.json'],
    setup: modelFile((c) => c.base.data),
    expect: {
      exit: 1,
      stderr: /"model\.json" is not a hetmtl model file \(not JSON\)/,
      files: 'untouched',
    },
  },
  {
    n: 142,
    name: 'info-bare-tojson',
    verdictInCatalogue: 'GOOD',
    args: ['info', 'model.json'],
    setup: modelFile((c) => `${JSON.stringify(JSON.parse(c.base.model).model)}\n`),
    expect: { exit: 1, stderr: /"model\.json" is a bare model document/, files: 'untouched' },
  },
  {
    // Issue #11 item 7: a clear model-file message, never "unexpected error … probably a bug".
    n: 143,
    name: 'info-tampered-groups',
    verdictInCatalogue: 'BAD',
    args: ['info', 'model.json'],
    setup: modelFile(
      tamperModel((d) => {
        d.model.groups = 5;
      }),
    ),
    expect: { exit: 1, stderr: /model\.json|groups/, files: 'untouched' },
  },
  {
    // Issue #11 item 7: info validates like predict.
    n: 144,
    name: 'info-tampered-nan-weight',
    verdictInCatalogue: 'WEAK',
    args: ['info', 'model.json'],
    setup: modelFile(
      tamperDual((d) => {
        d.model.dual.shared.weights['shared/w0'].values[0] = null;
      }),
    ),
    expect: { exit: 1, stderr: /shared\/w0|non-finite|not finite/i, files: 'untouched' },
  },
  {
    n: 145,
    name: 'info-null-document',
    verdictInCatalogue: 'GOOD',
    args: ['info', 'model.json'],
    setup: modelFile(() => 'null\n'),
    expect: {
      exit: 1,
      stderr: /"model\.json" is not a hetmtl model file \(format null/,
      files: 'untouched',
    },
  },
  {
    n: 146,
    name: 'info-array-document',
    verdictInCatalogue: 'GOOD',
    args: ['info', 'model.json'],
    setup: modelFile(() => '[1,2,3]\n'),
    expect: {
      exit: 1,
      stderr: /"model\.json" is not a hetmtl model file \(format null/,
      files: 'untouched',
    },
  },
  {
    n: 147,
    name: 'info-non-utf8',
    verdictInCatalogue: 'GOOD',
    args: ['info', 'model.json'],
    setup: modelFile((c) => Buffer.concat([Buffer.from([0xe9]), Buffer.from(c.base.model)])),
    expect: { exit: 1, stderr: /"model\.json" is not a hetmtl model file/, files: 'untouched' },
  },
  // ----- simulate, the program, demo
  {
    n: 148,
    name: 'sim-tasks-0',
    verdictInCatalogue: 'GOOD',
    args: ['simulate', '--tasks', '0', '--out', 'out.csv'],
    expect: { exit: 2, stderr: /--tasks <R>' argument '0' is invalid/, files: 'untouched' },
  },
  {
    n: 149,
    name: 'sim-tasks-neg',
    verdictInCatalogue: 'GOOD',
    args: ['simulate', '--tasks', '-3', '--out', 'out.csv'],
    expect: { exit: 2, stderr: /--tasks <R>' argument '-3' is invalid/, files: 'untouched' },
  },
  {
    n: 150,
    name: 'sim-n-0',
    verdictInCatalogue: 'GOOD',
    args: ['simulate', '--n', '0', '--out', 'out.csv'],
    expect: { exit: 2, stderr: /--n <rows>' argument '0' is invalid/, files: 'untouched' },
  },
  {
    n: 151,
    name: 'sim-p-0',
    verdictInCatalogue: 'GOOD',
    args: ['simulate', '--p', '0', '--out', 'out.csv'],
    expect: { exit: 2, stderr: /--p <features>' argument '0' is invalid/, files: 'untouched' },
  },
  {
    // Issue #11 item 9: usage mistakes in simulate exit 2 and name the flag.
    n: 152,
    name: 'sim-p-1',
    verdictInCatalogue: 'WEAK',
    args: [
      'simulate',
      '--p',
      '1',
      '--tasks',
      '2',
      '--n',
      '5',
      '--test-rows',
      '2',
      '--out',
      'sim.csv',
    ],
    expect: {
      exit: 2,
      stderr: /--p\b/,
      notStderr: [/at column "p"/],
      files: 'untouched',
    },
  },
  {
    n: 153,
    name: 'sim-sigma-neg',
    verdictInCatalogue: 'WEAK',
    args: ['simulate', '--sigma', '-1', '--out', 'out.csv'],
    expect: {
      exit: 2,
      stderr: /--sigma\b/,
      notStderr: [/at column "sigma"/],
      files: 'untouched',
    },
  },
  {
    n: 154,
    name: 'sim-sigma-foo',
    verdictInCatalogue: 'GOOD',
    args: ['simulate', '--sigma', 'foo', '--out', 'out.csv'],
    expect: { exit: 2, stderr: /--sigma <v>' argument 'foo' is invalid/, files: 'untouched' },
  },
  {
    n: 155,
    name: 'sim-design-bogus',
    verdictInCatalogue: 'GOOD',
    args: ['simulate', '--design', 'spiral'],
    expect: {
      exit: 2,
      stderr: /--design <design>' argument 'spiral' is invalid/,
      files: 'untouched',
    },
  },
  {
    // Issue #11 item 8: bound the sizes up front. Run with a 256 MB heap so that today's
    // out-of-memory abort comes quickly and does not take the shared machine's memory.
    n: 156,
    name: 'sim-tasks-huge',
    verdictInCatalogue: 'BAD',
    args: ['simulate', '--tasks', '1000000000', '--out', 'out.csv'],
    nodeOptions: '--max-old-space-size=256',
    runTimeoutMs: 40_000,
    expect: {
      exit: 2,
      stderr: /--tasks/,
      notStderr: [/heap out of memory/i, /FATAL ERROR/],
      maxMs: 10_000,
      files: 'untouched',
    },
  },
  {
    n: 157,
    name: 'sim-out-missing-dir',
    verdictInCatalogue: 'GOOD',
    args: ['simulate', '--out', 'nodir/x.csv'],
    expect: { exit: [1, 2], stderr: /"nodir\/x\.csv"/, files: 'untouched' },
  },
  {
    n: 158,
    name: 'sim-out-is-dir',
    verdictInCatalogue: 'GOOD',
    args: ['simulate', '--out', 'adir'],
    setup: (c) => c.mkdir('adir'),
    expect: { exit: [1, 2], stderr: /"adir"/, files: 'untouched' },
  },
  {
    // Issue #11 / brief: a usage error naming the supported extensions.
    n: 159,
    name: 'sim-out-bad-ext',
    verdictInCatalogue: 'WEAK',
    args: [
      'simulate',
      '--out',
      'x.parquet',
      '--tasks',
      '2',
      '--n',
      '5',
      '--p',
      '5',
      '--test-rows',
      '2',
    ],
    expect: {
      exit: 2,
      stderr: [/--out/, /\.?csv/, /\.?json/],
      files: 'untouched',
    },
  },
  {
    n: 160,
    name: 'sim-unknown-flag',
    verdictInCatalogue: 'GOOD',
    args: ['simulate', '--bogus', '1'],
    expect: { exit: 2, stderr: /unknown option '--bogus'/, files: 'untouched' },
  },
  {
    // Issue #11 item 4: two outputs that are one file are a usage error; nothing written.
    n: 161,
    name: 'sim-test-out-same-as-out',
    verdictInCatalogue: 'BAD',
    args: [
      'simulate',
      '--tasks',
      '2',
      '--n',
      '5',
      '--p',
      '5',
      '--test-rows',
      '2',
      '--out',
      'a.csv',
      '--test-out',
      'a.csv',
    ],
    expect: { exit: 2, stderr: [/--test-out|--out/, /a\.csv/], files: 'untouched' },
  },
  {
    n: 162,
    name: 'cli-unknown-command',
    verdictInCatalogue: 'GOOD',
    args: ['fitt', 'x.csv'],
    expect: { exit: 2, stderr: /unknown command 'fitt'.*Did you mean fit\?/, files: 'untouched' },
  },
  {
    n: 163,
    name: 'cli-no-args-fit',
    verdictInCatalogue: 'GOOD',
    args: ['fit'],
    expect: {
      exit: 2,
      stderr: /required option '--task <column>' not specified/,
      files: 'untouched',
    },
  },
  {
    // Issue #11 item 9: exit 2 as fit does, naming --k0 (not "Pass K0 ≤ 30").
    n: 164,
    name: 'demo-k0-huge',
    verdictInCatalogue: 'WEAK',
    args: ['demo', '--quick', '--k0', '1000'],
    expect: { exit: 2, stderr: /--k0/, notStderr: [/Pass K0/], files: 'untouched' },
  },

  // ===========================================================================================
  // Cases issue #11 lists that the table lacks
  {
    n: 'I1',
    name: 'fit-text-column-no-flags',
    verdictInCatalogue: 'ISSUE',
    args: fitQ('data.csv'),
    setup: data(withSite),
    expect: {
      exit: 0,
      onSuccess: /site[^\n]*\b3\b[^\n]*(levels?|categor)/i,
      files: OUT_JSON,
      check: async (_r, c) => {
        expect(modelDoc(c).columns.categorical).toEqual(['site']);
        const info = await c.run(['info', 'out.json']);
        expect(info.code).toBe(0);
        expect(info.stdout).toMatch(/site[^\n]*\b3\b[^\n]*(levels?|categor)/i);
      },
    },
  },
  {
    n: 'I2',
    name: 'pred-unseen-levels-zero',
    verdictInCatalogue: 'ISSUE',
    args: [...PREDICT, '--unseen-levels', 'zero'],
    setup: siteModel((t) => setCell(withSite(t), 5, 'site', 'zzz')),
    expect: {
      exit: 0,
      onSuccess: [/zero/i, /site|zzz/],
      files: PREDS,
    },
  },
  {
    n: 'I3',
    name: 'pred-unseen-level-default-names-flag',
    verdictInCatalogue: 'ISSUE',
    args: PREDICT,
    setup: siteModel((t) => setCell(withSite(t), 5, 'site', 'zzz')),
    expect: {
      exit: 1,
      stderr: [/"zzz"/, /"site"/, /--unseen-levels zero/],
      files: PREDS,
    },
  },
  {
    n: 'I4',
    name: 'fit-one-row-task',
    verdictInCatalogue: 'ISSUE',
    args: fitQ('data.csv'),
    setup: data((d) => `${d}${lines(d)[1]?.replace(/^task1,/, 'solo,')}\n`),
    expect: { exit: 0, files: OUT_JSON, check: (r) => expectMarked(r.stdout, 'solo', TINY) },
  },
  {
    n: 'I5',
    name: 'fit-id-column',
    verdictInCatalogue: 'ISSUE',
    args: fitQ('data.csv'),
    setup: data((d) => addColumn(d, 'id', (_, l) => String(1000 + l))),
    expect: {
      exit: 0,
      onSuccess: /\bid\b[^\n]*--features|--features[^\n]*\bid\b/,
      files: OUT_JSON,
      check: (_r, c) =>
        expect(modelDoc(c).columns.features).toEqual(['x1', 'x2', 'x3', 'x4', 'x5']),
    },
  },
  {
    n: 'I6',
    name: 'fit-out-same-as-input-other-spelling',
    verdictInCatalogue: 'ISSUE',
    args: fitQ('data.csv', '--out', './data.csv'),
    setup: data(),
    expect: {
      exit: 2,
      stderr: [/--out/, /data\.csv/],
      notStderr: NO_FIT_STARTED,
      files: 'untouched',
    },
  },
  {
    // "predict on the same files writes every row": a text column and NA tokens, fitted with no
    // --categorical, then every row of the training file predicted.
    n: 'I7',
    name: 'pred-writes-every-row',
    verdictInCatalogue: 'ISSUE',
    args: ['predict', 'model.json', 'data.csv', '--out', 'preds.csv'],
    setup: async (c) => {
      c.write('data.csv', setCell(setCell(withSite(c.base.data), 6, 'x2', 'NA'), 20, 'x3', ''));
      await fitInSetup(c, [
        'fit',
        'data.csv',
        '--task',
        'task',
        '--target',
        'y',
        '--quick',
        '--missing',
        'mean-impute',
        '--out',
        'model.json',
      ]);
      c.write('preds.csv', SENTINEL);
    },
    expect: {
      exit: 0,
      files: PREDS,
      check: (_r, c) => expect(predictionsOf(c.read('preds.csv'))).toHaveLength(160),
    },
  },
  {
    n: 'I8',
    name: 'fit-na-tokens-mean-impute',
    verdictInCatalogue: 'ISSUE',
    args: fitQ('data.csv', '--missing', 'mean-impute'),
    setup: data((d) =>
      ['NA', 'NaN', '', '.', 'null'].reduce((acc, tok, i) => setCell(acc, 3 + i, 'x2', tok), d),
    ),
    expect: { exit: 0, onSuccess: /Fitting 4 tasks × 5 features/, files: OUT_JSON },
  },
  {
    n: 'I9',
    name: 'fit-few-level-integer-stays-numeric',
    verdictInCatalogue: 'ISSUE',
    args: fitQ('data.csv'),
    setup: data((d) => addColumn(d, 'grade', (_, l) => String((l % 3) + 1))),
    expect: {
      exit: 0,
      files: OUT_JSON,
      check: (_r, c) => {
        const doc = modelDoc(c);
        expect(doc.columns.features).toContain('grade');
        expect(doc.columns.categorical).toEqual([]);
      },
    },
  },
  {
    // The fix the #9 message suggests works from the command line.
    n: 'I10',
    name: 'fit-na-values-flag-resolves-stray-token',
    verdictInCatalogue: 'ISSUE',
    args: fitQ('data.csv', '--na-values', 'abc', '--missing', 'drop-rows'),
    setup: data((d) => setCell(d, 6, 'x2', 'abc')),
    expect: { exit: 0, files: OUT_JSON },
  },
  {
    // Issue item 3: tasks of 3 rows → "Invalid lambdas … length 0" today.
    n: 'I11',
    name: 'fit-three-row-tasks',
    verdictInCatalogue: 'ISSUE',
    args: fitQ('data.csv'),
    setup: async (c) => {
      const r = await c.run([
        'simulate',
        '--tasks',
        '20',
        '--n',
        '3',
        '--p',
        '5',
        '--test-rows',
        '2',
        '--seed',
        '1',
        '--out',
        'data.csv',
        '-q',
      ]);
      if (r.code !== 0) throw new Error(`setup: simulate failed: ${r.stderr}`);
      c.write('out.json', SENTINEL);
    },
    expect: { exit: 0, notStderr: [/Invalid lambdas/], files: OUT_JSON },
  },
  {
    // The --strict variant of #18: today's refusal, in CLI words.
    n: 'I12',
    name: 'fit-constant-target-task-strict',
    verdictInCatalogue: 'ISSUE',
    args: fitQ('data.csv', '--strict'),
    setup: data((d) => mapRows(d, (c) => (c[0] === 'task2' ? [...c.slice(0, -1), '3.5'] : c))),
    expect: {
      exit: 1,
      stderr: [/Constant target/, /task2/],
      notStderr: [/constantTarget/],
      files: OUT_JSON,
    },
  },
  {
    // Issue item 9: predict and evaluate number the same cell's row the same way.
    n: 'I13',
    name: 'pred-eval-same-row-number',
    verdictInCatalogue: 'ISSUE',
    args: PREDICT,
    setup: (c) => {
      const t = setCell(c.base.test, 7, 'task', 'task99');
      c.write('model.json', c.base.model);
      c.write('new.csv', t);
      c.write('test.csv', t);
      c.write('preds.csv', SENTINEL);
    },
    expect: {
      exit: 1,
      stderr: /Unknown task \(at task "task99", row \d+/,
      files: PREDS,
      check: async (r, c) => {
        const e = await c.run(EVALUATE);
        expect(e.code).toBe(1);
        expect(rowOf(e.stderr), `predict: ${r.stderr}evaluate: ${e.stderr}`).toBe(rowOf(r.stderr));
      },
    },
  },
  // Issue item 7: fromJSON accepts invalid documents; predict and info must refuse them.
  refusedModel(
    'I14',
    'pred-model-factor-scale-zero',
    tamperDual((d) => {
      d.model.dual.sd0[0] = 0;
    }),
  ),
  refusedModel(
    'I15',
    'pred-model-factor-scale-negative',
    tamperDual((d) => {
      d.model.dual.sd0[0] = -1;
    }),
  ),
  refusedModel(
    'I16',
    'pred-model-clip-bounds-swapped',
    tamperDual((d) => {
      const { gMin, gMax } = d.model.dual;
      [gMin[0], gMax[0]] = [gMax[0], gMin[0]];
    }),
  ),
  refusedModel(
    'I17',
    'pred-model-duplicate-task-names',
    tamperModel((d) => {
      d.model.taskNames[1] = d.model.taskNames[0];
    }),
  ),
  refusedModel(
    'I18',
    'pred-model-feature-name-missing',
    tamperModel((d) => {
      d.model.featureNames.pop();
    }),
  ),
  refusedModel(
    'I19',
    'pred-model-lambda-abc',
    tamperModel((d) => {
      d.model.lambda = 'abc';
    }),
  ),
  refusedModel(
    'I20',
    'pred-model-lambda-negative',
    tamperModel((d) => {
      d.model.lambda = -1;
    }),
  ),
  refusedModel(
    'I21',
    'pred-model-k0-mismatch',
    tamperDual((d) => {
      d.model.dual.K0 = 3;
    }),
  ),
  refusedModel(
    'I22',
    'pred-model-unknown-key',
    tamperModel((d) => {
      d.model.bogus = 1;
    }),
  ),
  // ===========================================================================================
  // The response families (issue #15): bad input of --family, --weights, --offset, --exposure,
  // --positive, each one line naming the file row and column and the flag; an all-one-class task fitted.
  glmCase(
    'G1',
    'fit-weights-negative',
    'binomial',
    'yn',
    ['--weights', 'w'],
    'w',
    '-1',
    /row 10, column "w".*received -1.*--weights/,
  ),
  glmCase(
    'G2',
    'fit-weights-infinite',
    'binomial',
    'yn',
    ['--weights', 'w'],
    'w',
    'inf',
    /row 10, column "w".*--weights/,
  ),
  glmCase(
    'G3',
    'fit-binomial-third-level',
    'binomial',
    'yn',
    [],
    'yn',
    'maybe',
    /row 10, column "yn".*"maybe".*--family binomial takes a target of two levels/,
  ),
  glmCase(
    'G4',
    'fit-poisson-negative-count',
    'poisson',
    'cnt',
    [],
    'cnt',
    '-1',
    /row 10, column "cnt".*non-negative integer.*received -1/,
  ),
  glmCase(
    'G5',
    'fit-poisson-fractional-count',
    'poisson',
    'cnt',
    [],
    'cnt',
    '2.5',
    /row 10, column "cnt".*non-negative integer.*received 2\.5/,
  ),
  glmCase(
    'G6',
    'fit-exposure-zero',
    'poisson',
    'cnt',
    ['--exposure', 'ex'],
    'ex',
    '0',
    /row 10, column "ex".*exposure > 0.*--exposure/,
  ),
  glmCase(
    'G7',
    'fit-exposure-negative',
    'poisson',
    'cnt',
    ['--exposure', 'ex'],
    'ex',
    '-2',
    /row 10, column "ex".*received -2.*--exposure/,
  ),
  glmCase(
    'G8',
    'fit-offset-nan',
    'poisson',
    'cnt',
    ['--offset', 'off'],
    'off',
    'NaN',
    /row 10, column "off".*--offset/,
  ),
  glmCase(
    'G9',
    'fit-offset-empty',
    'poisson',
    'cnt',
    ['--offset', 'off'],
    'off',
    '',
    /row 10, column "off".*--offset/,
  ),
  offsetUsageCase('G10', 'fit-offset-with-gaussian', 'gaussian', 'cnt'),
  offsetUsageCase('G11', 'fit-offset-with-binomial', 'binomial', 'yn'),
  {
    n: 'G12',
    name: 'fit-positive-not-a-level',
    verdictInCatalogue: 'ISSUE',
    args: glmArgs('binomial', 'yn', ['--positive', 'maybe']),
    setup: data(withGlmColumns),
    expect: {
      exit: 1,
      stderr: /positive level is not a level.*received --positive "maybe".*Pass --positive/,
      files: 'untouched',
    },
  },
  {
    n: 'G13',
    name: 'fit-binomial-task-all-one-class',
    verdictInCatalogue: 'ISSUE',
    args: glmArgs('binomial', 'yn', []),
    setup: data((csv) =>
      mapRows(withGlmColumns(csv), (cells, line) => {
        const first = lines(csv)[1].split(',')[0];
        const h = headerOf(withGlmColumns(csv));
        if (line > 1 && cells[0] === first) cells[h.indexOf('yn')] = 'no';
        return cells;
      }),
    ),
    expect: {
      exit: 0,
      onSuccess: [/Family binomial/, /constant target 0/, /"yes" read as 1, "no" as 0/],
      files: OUT_JSON,
    },
  },
  {
    n: 'G14',
    name: 'eval-poisson-negative-count',
    verdictInCatalogue: 'ISSUE',
    args: ['evaluate', 'model.json', 'test.csv'],
    setup: async (c) => {
      c.write('data.csv', withGlmColumns(c.base.data));
      await fitInSetup(c, [
        ...glmArgs('poisson', 'cnt', ['--exposure', 'ex']).slice(0, -2),
        '--out',
        'model.json',
      ]);
      c.write('test.csv', setCell(withGlmColumns(c.base.test), 7, 'cnt', '-3'));
    },
    expect: {
      exit: 1,
      stderr: /row 7, column "cnt".*non-negative integer.*received -3/,
      files: 'untouched',
    },
  },
  {
    n: 'G15',
    name: 'pred-exposure-zero',
    verdictInCatalogue: 'ISSUE',
    args: ['predict', 'model.json', 'new.csv', '--out', 'preds.csv'],
    setup: async (c) => {
      c.write('data.csv', withGlmColumns(c.base.data));
      await fitInSetup(c, [
        ...glmArgs('poisson', 'cnt', ['--exposure', 'ex']).slice(0, -2),
        '--out',
        'model.json',
      ]);
      c.write('new.csv', setCell(withGlmColumns(c.base.test), 5, 'ex', '0'));
      c.write('preds.csv', SENTINEL);
    },
    expect: {
      exit: 1,
      stderr: /row 5, column "ex".*exposure > 0.*--exposure ex/,
      files: 'untouched',
    },
  },
  {
    n: 'I23',
    name: 'fit-ctrl-c-2000-tasks',
    verdictInCatalogue: 'ISSUE',
    args: [],
    skip: "issue item 6 (Ctrl-C ignored during a 2,000-task fit): the fit takes ~464 s and ~1 GB today, beyond this suite's budget on a shared 2-core machine; belongs in a dedicated slow test",
    expect: { exit: 130, files: 'untouched' },
  },
];

// ---------------------------------------------------------------------------------------------

async function fitInSetup(c: CaseDir, args: readonly string[]): Promise<void> {
  const r = await c.run([...args, '-q']);
  if (r.code !== 0)
    throw new Error(`setup: ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
}

/** Setup: model.json fitted (in the case directory) on data.csv with a 3-level site column. */
function siteModel(newCsv: (test: string) => string) {
  return async (c: CaseDir) => {
    c.write('train.csv', withSite(c.base.data));
    await fitInSetup(c, [
      'fit',
      'train.csv',
      '--task',
      'task',
      '--target',
      'y',
      '--quick',
      '--categorical',
      'site',
      '--out',
      'model.json',
    ]);
    c.write('new.csv', newCsv(c.base.test));
    c.write('preds.csv', SENTINEL);
  };
}

// ---------------------------------------------------------------------------------------------
// The families' cases (G…)

/** The base data with a two-level target yn, a count cnt, a weight w, an exposure ex and an offset off. */
function withGlmColumns(csv: string): string {
  const y = headerOf(csv).indexOf('y');
  let out = addColumn(csv, 'yn', (c) => (Number(c[y]) > 0 ? 'yes' : 'no'));
  out = addColumn(out, 'cnt', (c) => String(Math.round(Math.abs(Number(c[y])))));
  out = addColumn(out, 'w', (_, l) => String(1 + (l % 2)));
  out = addColumn(out, 'ex', (_, l) => String(1 + (l % 3)));
  return addColumn(out, 'off', (_, l) => String(Math.log(1 + (l % 3))));
}

/** fit data.csv of a family and target; every other added column (and y) left out of the features. */
function glmArgs(family: string, target: string, flags: readonly string[]): string[] {
  const used = new Set([target, ...flags.filter((_, i) => i % 2 === 1)]);
  const GLM_COLUMNS = ['y', 'yn', 'cnt', 'w', 'ex', 'off'];
  return [
    ...fitQ('data.csv', '--target', target, '--family', family, ...flags),
    '--exclude',
    GLM_COLUMNS.filter((c) => !used.has(c)).join(','),
    '--jobs',
    '1',
  ];
}

/** --offset with a family other than poisson: a usage error naming the flag and the family. */
function offsetUsageCase(n: string, name: string, family: string, target: string): Case {
  return {
    n,
    name,
    verdictInCatalogue: 'ISSUE',
    args: glmArgs(family, target, ['--offset', 'off']),
    setup: data(withGlmColumns),
    expect: {
      exit: 2,
      stderr: new RegExp(`--offset off goes with --family poisson.*${family}`),
      files: 'untouched',
    },
  };
}

/** A fit refused for one bad cell (line 10 of data.csv): one line naming the row, column and flag. */
function glmCase(
  n: string,
  name: string,
  family: string,
  target: string,
  flags: readonly string[],
  column: string,
  value: string,
  stderr: RegExp,
): Case {
  return {
    n,
    name,
    verdictInCatalogue: 'ISSUE',
    args: glmArgs(family, target, flags),
    setup: data((csv) => setCell(withGlmColumns(csv), 10, column, value)),
    expect: { exit: 1, stderr, files: 'untouched' },
  };
}
