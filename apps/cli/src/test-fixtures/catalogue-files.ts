// Files for the bad-input catalogue suite (catalogue.test.ts): the base files made once with the
// built command, a fresh directory per case, CSV / model-file edits, directory snapshots (hash of
// every file before and after a run), and a runner that can limit the child's heap.
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { hetmtl, type RunResult, scratchDir } from './run.js';

// ---------------------------------------------------------------------------------------------
// Running the command

export interface CatalogueRunOptions {
  readonly cwd: string;
  readonly timeoutMs?: number;
  /** Extra NODE_OPTIONS for the child (e.g. a small heap for the out-of-memory case). */
  readonly nodeOptions?: string;
}

/** Runs `node dist/main.js ...args` through run.ts's `hetmtl`, timing it. */
export async function runCli(
  args: readonly string[],
  o: CatalogueRunOptions,
): Promise<RunResult & { ms: number }> {
  const t0 = performance.now();
  const r = await hetmtl(args, {
    cwd: o.cwd,
    timeoutMs: o.timeoutMs ?? 50_000,
    ...(o.nodeOptions ? { nodeOptions: o.nodeOptions } : {}),
  });
  return { ...r, ms: performance.now() - t0 };
}

/** A limiter: at most `n` callers run at once (vitest's maxConcurrency is config-only). */
export function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(f: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await f();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

// ---------------------------------------------------------------------------------------------
// The base files (made once per suite with the built command)

export interface Base {
  /** The suite's temporary directory: the base files, and `cases/` (one directory per case). */
  readonly dir: string;
  /** data.csv: 4 tasks × 40 rows × 5 features (simulate --seed 1). */
  readonly data: string;
  /** test.csv: 4 tasks × 20 test rows. */
  readonly test: string;
  /** model.json: `fit data.csv --task task --target y --quick --no-trunk --no-average`. */
  readonly model: string;
  /**
   * dual.json: the same fit with --no-linear-floor, so the dual encoder model is chosen and has
   * encoder weights ("shared/w0") and beta to tamper with (the default fit chooses the linear
   * MTL floor on this data, which has no encoder weights).
   */
  readonly dual: string;
  /** `predict model.json test.csv` (the reference predictions, one per test row). */
  readonly refPredictions: number[];
  /** The "all rows" line of `evaluate model.json test.csv`. */
  readonly refEvalAllRows: string;
}

const SIMULATE = [
  'simulate',
  '--tasks',
  '4',
  '--n',
  '40',
  '--p',
  '5',
  '--test-rows',
  '20',
  '--seed',
  '1',
  '--out',
  'data.csv',
  '--test-out',
  'test.csv',
];
// One candidate's model (no trunk, no averaging): the catalogue's cases tamper with its fields.
const FIT = [
  'fit',
  'data.csv',
  '--task',
  'task',
  '--target',
  'y',
  '--quick',
  '--no-trunk',
  '--no-average',
  '-q',
];

function mustSucceed(what: string, r: RunResult): void {
  if (r.code !== 0) throw new Error(`catalogue base: ${what} failed (exit ${r.code})\n${r.stderr}`);
}

export async function makeBase(): Promise<Base> {
  const dir = scratchDir('catalogue');
  mkdirSync(join(dir, 'cases'));
  mustSucceed('simulate', await runCli(SIMULATE, { cwd: dir, timeoutMs: 60_000 }));
  const [m, d] = await Promise.all([
    runCli([...FIT, '--out', 'model.json'], { cwd: dir, timeoutMs: 60_000 }),
    runCli([...FIT, '--no-linear-floor', '--out', 'dual.json'], { cwd: dir, timeoutMs: 60_000 }),
  ]);
  mustSucceed('fit model.json', m);
  mustSucceed('fit --no-linear-floor dual.json', d);
  const dual = readFileSync(join(dir, 'dual.json'), 'utf8');
  if (JSON.parse(dual).model.kind !== 'dual')
    throw new Error('catalogue base: the --no-linear-floor fit did not choose the dual model');
  const p = await runCli(['predict', 'model.json', 'test.csv', '--out', 'ref-preds.csv', '-q'], {
    cwd: dir,
  });
  mustSucceed('predict', p);
  const e = await runCli(['evaluate', 'model.json', 'test.csv', '-q'], { cwd: dir });
  mustSucceed('evaluate', e);
  return {
    dir,
    data: readFileSync(join(dir, 'data.csv'), 'utf8'),
    test: readFileSync(join(dir, 'test.csv'), 'utf8'),
    model: readFileSync(join(dir, 'model.json'), 'utf8'),
    dual,
    refPredictions: predictionsOf(readFileSync(join(dir, 'ref-preds.csv'), 'utf8')),
    refEvalAllRows: allRowsLine(e.stdout),
  };
}

// ---------------------------------------------------------------------------------------------
// One case's directory

export interface CaseDir {
  readonly dir: string;
  readonly base: Base;
  /** Writes a file (text as UTF-8, or bytes) relative to the case directory. */
  write(name: string, content: string | Uint8Array): void;
  /** Creates a directory (with parents). */
  mkdir(name: string): void;
  /** Reads a file of the case directory as text. */
  read(name: string): string;
  path(name: string): string;
  /** Runs the built command in the case directory (for setups that need a fit, and checks). */
  run(args: readonly string[], timeoutMs?: number): Promise<RunResult & { ms: number }>;
}

export function caseDir(base: Base, label: string): CaseDir {
  const dir = mkdtempSync(join(base.dir, 'cases', `${label.replace(/[^a-z0-9-]/gi, '_')}-`));
  return {
    dir,
    base,
    write: (name, content) => writeFileSync(join(dir, name), content),
    mkdir: (name) => mkdirSync(join(dir, name), { recursive: true }),
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    path: (name) => join(dir, name),
    run: (args, timeoutMs) => runCli(args, { cwd: dir, timeoutMs: timeoutMs ?? 50_000 }),
  };
}

/** Every file under `dir` → its sha256, and every directory → "dir". */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const rel = relative(dir, full);
      const st = statSync(full);
      if (st.isDirectory()) {
        out.set(rel, 'dir');
        walk(full);
      } else {
        out.set(rel, createHash('sha256').update(readFileSync(full)).digest('hex'));
      }
    }
  };
  walk(dir);
  return out;
}

// ---------------------------------------------------------------------------------------------
// CSV edits (text is the whole file; `line` is the 1-based line of the file, the header is 1)

export const lines = (text: string): string[] => text.replace(/\n$/, '').split('\n');
export const unlines = (ls: readonly string[]): string => `${ls.join('\n')}\n`;

export function headerOf(text: string): string[] {
  return lines(text)[0].split(',');
}

/** Sets the cell of `column` on file line `line` (simple CSV: no quoted fields). */
export function setCell(text: string, line: number, column: string, value: string): string {
  const ls = lines(text);
  const j = headerOf(text).indexOf(column);
  if (j < 0) throw new Error(`setCell: no column ${column}`);
  const cells = ls[line - 1].split(',');
  cells[j] = value;
  ls[line - 1] = cells.join(',');
  return unlines(ls);
}

/** Applies `f(cells, line)` to every data line (line ≥ 2) and `h(header)` to the header. */
export function mapRows(
  text: string,
  f: (cells: string[], line: number) => string[] | null,
  h: (header: string[]) => string[] = (x) => x,
): string {
  const ls = lines(text);
  const out: string[] = [h(ls[0].split(',')).join(',')];
  for (let i = 1; i < ls.length; i++) {
    const r = f(ls[i].split(','), i + 1);
    if (r) out.push(r.join(','));
  }
  return unlines(out);
}

/** Adds a column (name, value per data line). */
export function addColumn(
  text: string,
  name: string,
  value: (cells: string[], line: number) => string,
): string {
  return mapRows(
    text,
    (c, l) => [...c, value(c, l)],
    (h) => [...h, name],
  );
}

/** Drops a column by name. */
export function dropColumn(text: string, name: string): string {
  const j = headerOf(text).indexOf(name);
  return mapRows(
    text,
    (c) => c.filter((_, k) => k !== j),
    (h) => h.filter((_, k) => k !== j),
  );
}

/** The column index of `name`. */
export const col = (text: string, name: string): number => headerOf(text).indexOf(name);

// ---------------------------------------------------------------------------------------------
// Model files

/** Parses a model file, applies `f` to the document, and serialises it again. */
// biome-ignore lint/suspicious/noExplicitAny: model documents are tampered with freely
export function tamper(json: string, f: (doc: any) => void): string {
  const doc = JSON.parse(json);
  f(doc);
  return `${JSON.stringify(doc)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Outputs

/** The prediction column (last column) of a predictions CSV. */
export function predictionsOf(csv: string, column = 'prediction'): number[] {
  const ls = lines(csv);
  const j = ls[0].split(',').lastIndexOf(column);
  return ls.slice(1).map((l) => Number(l.split(',')[j]));
}

export function allRowsLine(stdout: string): string {
  return (stdout.split('\n').find((l) => /^all rows\s/.test(l)) ?? '').trim();
}

/** The numbers a model file must hold as finite (preprocessing statistics and coefficients). */
export function nonFiniteModelNumbers(json: string): string[] {
  const bad: string[] = [];
  const doc = JSON.parse(json);
  const visit = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        if (x === null || (typeof x === 'number' && !Number.isFinite(x))) bad.push(`${path}[${i}]`);
        else visit(x, `${path}[${i}]`);
      });
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) visit(x, `${path}.${k}`);
    }
  };
  visit(doc.model?.preprocessing, 'preprocessing');
  visit(doc.model?.linear, 'linear');
  visit(doc.model?.dual, 'dual');
  return bad;
}
