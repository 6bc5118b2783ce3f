import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { simulateFactor } from '@hetmtl/data';
import { DualEncoderRegressor } from '@hetmtl/model';
import { selectBackend } from './backends.js';
import { formatTable } from './table.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** The fit the CLI runs for `fit --quick --test 0 --lambda 0.1` on `simulate --tasks R --n 3 --p 5`. */
export interface ManyTasksSetting {
  readonly tasks: number;
  readonly rows: number;
  readonly p: number;
  readonly backend?: string;
}

export interface ManyTasksResult extends ManyTasksSetting {
  readonly backendName: string;
  readonly seconds: number;
  /** CPU seconds (user + system) of the fit: what a busy machine's wall-clock time hides. */
  readonly cpuSeconds: number;
  readonly peakRssMB: number;
  readonly finite: boolean;
}

/** One fit in this process (the worker): seconds and peak RSS. */
export async function manyTasksWorker(json: string): Promise<void> {
  const s = JSON.parse(json) as ManyTasksSetting;
  const backendName = await selectBackend(s.backend);
  const sim = simulateFactor({ seed: 1, numTasks: s.tasks, n: s.rows, p: s.p, testRows: 1 });
  const model = new DualEncoderRegressor({
    seed: 0,
    // The CLI's --quick settings, with λ fixed as in the reproduction.
    maxRounds: 3,
    numLambdas: 8,
    stepsPerBlock: 10,
    lambda: 0.1,
    K0: Math.min(4, s.p),
    K1: Math.min(2, Math.max(0, s.p - 4)),
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await model.fit(sim.train);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const pred = model.predict(sim.test.tasks()[0]?.X as Float64Array, {
    task: sim.test.taskNames[0],
  });
  model.dispose();
  const result: ManyTasksResult = {
    ...s,
    backendName,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    finite: Array.from(pred).every(Number.isFinite),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * `hetmtl-bench many-tasks`: what a fit costs as the number of tasks grows at fixed rows per task
 * (3 rows, p = 5, the CLI's --quick settings with λ = 0.1), each size in its own process so that
 * its peak memory is its own. Prints seconds (wall and CPU) and peak RSS per fit, and the ratios to
 * R = 20 per task, so that growth faster than linear in R shows as a rising ratio.
 */
export async function manyTasks(options: {
  readonly quick?: boolean;
  readonly backend?: string;
}): Promise<boolean> {
  const sizes = options.quick ? [20, 60] : [20, 200, 2000];
  const results: ManyTasksResult[] = [];
  for (const tasks of sizes) {
    const setting: ManyTasksSetting = {
      tasks,
      rows: 3,
      p: 5,
      ...(options.backend ? { backend: options.backend } : {}),
    };
    const out = execFileSync(
      process.execPath,
      [MAIN, 'many-tasks-worker', JSON.stringify(setting)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 24,
      },
    );
    const line = out.trim().split('\n').pop() as string;
    results.push(JSON.parse(line) as ManyTasksResult);
  }
  const base = results[0];
  console.log(
    `Many tasks: simulate --tasks R --n 3 --p 5, fit --quick --test 0 --lambda 0.1 (backend ${base.backendName}; load average ${(await import('node:os')).loadavg()[0]?.toFixed(2)})`,
  );
  console.log(
    formatTable(
      [
        'R',
        'rows',
        's per fit',
        'CPU s',
        'peak RSS (MB)',
        's per task ÷ R=20',
        'CPU s per task ÷ R=20',
        'finite',
      ],
      results.map((r) => [
        String(r.tasks),
        String(r.tasks * r.rows),
        r.seconds.toFixed(2),
        r.cpuSeconds.toFixed(2),
        r.peakRssMB.toFixed(0),
        (r.seconds / r.tasks / (base.seconds / base.tasks)).toFixed(2),
        (r.cpuSeconds / r.tasks / (base.cpuSeconds / base.tasks)).toFixed(2),
        r.finite ? 'yes' : 'NO',
      ]),
    ),
  );
  return results.every((r) => r.finite);
}
