import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable } from './table.js';

/** The command line this bench times (apps/cli, built). */
const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

export interface JobsBenchOptions {
  /** A CSV with a task column; none: the issue's 160-task stand-in (`simulate --tasks 160 --n 45 --p 7`). */
  readonly csv?: string;
  readonly task?: string;
  readonly target?: string;
  /** The parallel setting timed against --jobs 1 (default: the cores). */
  readonly jobs?: number;
  readonly repeats: number;
  readonly backend?: string;
  readonly quick: boolean;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * What the machine gives this process now: seconds of N units of pure-JavaScript work on N threads
 * over one unit on one thread (1.00: N free cores; N: no more than one core, as on a busy machine).
 */
async function parallelCapacity(N: number): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const unit = `let x = 0; for (let i = 0; i < 1e8; i++) x = (x + i * 1.0000001) % 1e9;`;
  const run = (threads: number) => {
    const t0 = performance.now();
    return Promise.all(
      Array.from(
        { length: threads },
        () =>
          new Promise((resolve, reject) =>
            new Worker(unit, { eval: true }).on('exit', resolve).on('error', reject),
          ),
      ),
    ).then(() => performance.now() - t0);
  };
  const one = await run(1);
  return (await run(N)) / one;
}

const load = () => loadavg()[0]?.toFixed(2) ?? '?';

/**
 * `hetmtl-bench jobs`: `hetmtl fit` with --jobs 1 and --jobs N on the same file, interleaved (1 N 1
 * N …, each fit its own process), in one run: median seconds, the ratio N / 1 and the load average
 * before and after (other work on the machine slows both alike, not one of them), and whether the
 * saved models predict the same: `hetmtl predict` with every saved model on the file, compared
 * value for value with the first --jobs 1 model's predictions.
 */
export async function jobsBench(o: JobsBenchOptions): Promise<boolean> {
  if (!existsSync(CLI)) throw new Error(`the CLI is not built (${CLI}): run pnpm build first`);
  const dir = mkdtempSync(join(tmpdir(), 'hetmtl-bench-jobs-'));
  const cli = (args: readonly string[]) =>
    execFileSync(process.execPath, [CLI, ...args], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  try {
    let csv: string = o.csv ?? '';
    let task = o.task ?? 'task';
    let target = o.target ?? 'y';
    if (o.csv === undefined) {
      const tasks = o.quick ? '20' : '160';
      cli([
        'simulate',
        '--tasks',
        tasks,
        '--n',
        '45',
        '--p',
        '7',
        '--seed',
        '1',
        '--out',
        'sim.csv',
      ]);
      csv = join(dir, 'sim.csv');
      task = 'task';
      target = 'y';
    }
    const N = o.jobs ?? availableParallelism();
    const settings = [1, N];
    const seconds: Record<number, number[]> = { 1: [], [N]: [] };
    const models: string[] = [];
    const loadBefore = load();
    for (let rep = 0; rep < o.repeats; rep++) {
      for (const jobs of settings) {
        const out = join(dir, `model-${jobs}-${rep}.json`);
        const t0 = performance.now();
        cli([
          'fit',
          csv,
          '--task',
          task,
          '--target',
          target,
          '--jobs',
          String(jobs),
          '--out',
          out,
          '--quiet',
          ...(o.quick ? ['--quick'] : []),
          ...(o.backend ? ['--backend', o.backend] : []),
        ]);
        seconds[jobs].push((performance.now() - t0) / 1000);
        models.push(out);
      }
    }
    const loadAfter = load();
    const capacity = await parallelCapacity(N);
    const predict = (model: string) =>
      cli(['predict', model, csv, ...(o.backend ? ['--backend', o.backend] : [])]);
    const reference = predict(models[0]);
    const same = models.slice(1).every((m) => predict(m) === reference);
    const doc = JSON.parse(readFileSync(models[0], 'utf8')) as {
      model: { kind: string; candidates: unknown[]; folds?: number };
    };
    const [s1, sN] = [median(seconds[1]), median(seconds[N])];
    console.log(
      `\nhetmtl fit ${o.csv ?? `(simulate --tasks ${o.quick ? 20 : 160} --n 45 --p 7)`} --task ${task} --target ${target}${o.quick ? ' --quick' : ''}` +
        ` (backend ${o.backend ?? 'the CLI default'}; ${doc.model.candidates.length} candidates, ${doc.model.folds ?? 1} fold(s); ` +
        `${o.repeats} repeat(s) interleaved; load average ${loadBefore} before, ${loadAfter} after; ${availableParallelism()} cores)`,
    );
    console.log(
      formatTable(
        ['--jobs', 'median s', 'runs (s)', 'ratio to --jobs 1'],
        settings.map((j) => [
          String(j),
          median(seconds[j]).toFixed(2),
          seconds[j].map((s) => s.toFixed(2)).join(' '),
          (median(seconds[j]) / s1).toFixed(2),
        ]),
      ),
    );
    console.log(
      `machine control: ${N} threads of pure-JavaScript work took ${capacity.toFixed(2)}× the time of one thread's (1.00: ${N} free cores; ${N}.00: one core's worth)`,
    );
    console.log(
      `saved models predict identically (hetmtl predict on the file, every model against the first): ${same ? 'yes' : 'NO'}; speed-up ${(s1 / sN).toFixed(2)}×`,
    );
    return same;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
