import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The built command (tests run what users run: `node dist/main.js`). */
export const MAIN = resolve(here, '../../dist/main.js');

/**
 * The real School data, read where it lives (never copied into the repository): `shared/` beside
 * the clone (`<clone>/../shared/data/school.csv`), or the path in HETMTL_SCHOOL_CSV.
 */
export const SCHOOL_CSV =
  process.env.HETMTL_SCHOOL_CSV ?? resolve(here, '../../../../../shared/data/school.csv');
export const hasSchool = existsSync(SCHOOL_CSV);

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  /** Called with each stderr chunk and the child (e.g. to send SIGINT once the fit has started). */
  readonly onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
  readonly timeoutMs?: number;
  /** Extra NODE_OPTIONS for the child (e.g. a small heap for an out-of-memory case). */
  readonly nodeOptions?: string;
}

/** Runs `node dist/main.js ...args` and collects its exit code and output. */
export function hetmtl(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: {
        ...process.env,
        FORCE_COLOR: '0',
        NO_COLOR: '1',
        ...(options.nodeOptions
          ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${options.nodeOptions}`.trim() }
          : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hetmtl ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 110_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** A fresh temporary directory for one test file. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hetmtl-cli-${prefix}-`));
}

/** The lines of stderr that are not progress output. */
export function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^fit \[/.test(l) && !/^Fitting /.test(l));
}

/** A stack trace line ("    at f (file.js:1:2)"). */
export const STACK_LINE = /^\s+at\s.+[:(]/m;

/** The simulated files of a test: `train.csv` (and `test.csv` with `testRows`) in `dir`. */
export async function simulateInto(
  dir: string,
  o: {
    readonly tasks?: number;
    readonly n: number;
    readonly p: number;
    readonly testRows?: number;
    readonly seed?: number;
  },
): Promise<void> {
  const args = ['simulate', '--n', String(o.n), '--p', String(o.p), '--out', 'train.csv', '-q'];
  if (o.tasks !== undefined) args.push('--tasks', String(o.tasks));
  if (o.seed !== undefined) args.push('--seed', String(o.seed));
  if (o.testRows !== undefined)
    args.push('--test-rows', String(o.testRows), '--test-out', 'test.csv');
  const r = await hetmtl(args, { cwd: dir });
  if (r.code !== 0) throw new Error(`hetmtl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
}

/** `hetmtl fit <file> --task task --target y --quick -q` and more flags (the simulated columns). */
export const quickFit = (file: string, ...extra: string[]): string[] => [
  'fit',
  file,
  '--task',
  'task',
  '--target',
  'y',
  '--quick',
  '-q',
  ...extra,
];
