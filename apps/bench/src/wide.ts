import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulatePdxLike } from '@hetmtl/data';
import { RidgeRegressor } from '@hetmtl/baselines';
import { adjustedRandIndex } from '@hetmtl/estimator';
import { selectBackend } from './backends.js';
import { DUAL, METHODS, type MethodEntry, method } from './roster.js';
import { mean, meanSd } from './stats.js';
import { formatTable } from './table.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** One fit of the wide setting: the PDX-like design (5 tasks × 20–45 rows, 100 test rows per task) at p genes. */
export interface WideSetting {
  readonly p: number;
  readonly seed: number;
  readonly method: string;
  readonly quick: boolean;
  readonly backend?: string;
}

export interface WideResult extends WideSetting {
  readonly backendName: string;
  /** Mean over tasks of the test RMSE (units of y, days). */
  readonly rmse: number;
  readonly seconds: number;
  /** Peak resident memory of the worker process (data, fit and scoring). */
  readonly peakRssMB: number;
  /** Adjusted Rand index of the learned groups against the simulation's (the method). */
  readonly ari?: number;
  readonly error?: string;
}

/**
 * One fit in this process (the worker): the learner gets the training rows only and chooses its
 * setting as `fit` does by default (the model: K folds by task for tasks this small; the baselines:
 * the seed protocol's hold-out split), then is scored on the test rows.
 */
export async function wideWorker(json: string): Promise<void> {
  const s = JSON.parse(json) as WideSetting;
  const backendName = await selectBackend(s.backend);
  const sim = simulatePdxLike({ seed: s.seed, p: s.p });
  const entry = ENTRIES.find((m) => m.id === s.method) as MethodEntry;
  const t0 = performance.now();
  const fitted = await entry.make(s.seed, s.quick).fit(sim.train);
  const seconds = (performance.now() - t0) / 1000;
  const ev = fitted.evaluate(sim.test);
  const groups = fitted.groupLabels?.();
  fitted.dispose();
  const result: WideResult = {
    ...s,
    backendName,
    rmse: ev.meanTaskRmse,
    seconds,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    ...(groups ? { ari: adjustedRandIndex(groups, [...sim.truth.groups]) } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The wide setting's extra learners: the method and per-task ridge on the log of the response (log-normal in the PDX design). */
const LOG_METHODS: readonly MethodEntry[] = [
  {
    id: 'hetmtl-log',
    label: 'hetmtl, log target',
    kind: 'method',
    make: method({ logTarget: true }),
  },
  {
    id: 'dual-log',
    label: 'dual, log target',
    kind: 'ablation',
    make: method({ ...DUAL, logTarget: true }),
  },
  {
    id: 'ridge-task-log',
    label: 'single-task ridge, log target',
    kind: 'baseline',
    make: (seed) => new RidgeRegressor({ mode: 'per-task', seed, logTarget: true }),
  },
];
const ENTRIES: readonly MethodEntry[] = [...METHODS, ...LOG_METHODS];

/** The learners of the wide setting: the method, its dual encoder alone, and the linear and neural baselines. */
const WIDE_METHODS = [
  'hetmtl-log',
  'ridge-task-log',
  'hetmtl',
  'dual',
  'ridge-task',
  'ridge-pooled',
  'mean-regularized',
  'centre-shrinkage',
  'mlp-pooled',
  'mlp-task',
];

/**
 * `hetmtl-bench wide`: the PDX-like design at p = 300, 2,000, 5,000 and 20,000 genes (method.md §8;
 * the paper's own shape of data), every learner in the same train/test splits, each fit in its own
 * process so that its time and peak memory are its own. Prints per p the mean task test RMSE (mean ±
 * sd over seeds), seconds and peak RSS per fit, the method's ARI, and the seconds per fit relative to
 * p = 2,000 (linear growth in p gives the ratio of the p's). Writes wide.json into `out`.
 */
export async function runWide(options: {
  readonly quick: boolean;
  readonly seeds: number;
  readonly ps?: readonly number[];
  readonly methods?: readonly string[];
  readonly backend?: string;
  readonly out: string;
}): Promise<boolean> {
  const ps = options.ps ?? (options.quick ? [300, 2000] : [300, 2000, 5000, 20000]);
  const methods = options.methods ?? WIDE_METHODS;
  for (const m of methods)
    if (!ENTRIES.some((e) => e.id === m))
      throw new Error(
        `unknown method "${m}" in --methods (known: ${ENTRIES.map((e) => e.id).join(', ')})`,
      );
  const results: WideResult[] = [];
  for (const p of ps) {
    for (let seed = 1; seed <= options.seeds; seed++) {
      for (const method of methods) {
        const setting: WideSetting = {
          p,
          seed,
          method,
          quick: options.quick,
          ...(options.backend ? { backend: options.backend } : {}),
        };
        let result: WideResult;
        try {
          const out = execFileSync(
            process.execPath,
            ['--max-old-space-size=8192', MAIN, 'wide-worker', JSON.stringify(setting)],
            { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
          );
          result = JSON.parse(out.trim().split('\n').pop() as string) as WideResult;
        } catch (e) {
          result = {
            ...setting,
            backendName: options.backend ?? '?',
            rmse: Number.NaN,
            seconds: Number.NaN,
            peakRssMB: Number.NaN,
            error: (e as Error).message.split('\n')[0],
          };
        }
        console.error(
          `wide p=${p} seed ${seed} ${method}: ${result.error ?? `${result.rmse.toFixed(3)} in ${result.seconds.toFixed(1)} s, ${result.peakRssMB.toFixed(0)} MB`}`,
        );
        results.push(result);
      }
    }
  }
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'wide.json'), `${JSON.stringify(results, null, 1)}\n`);
  const backendName = results.find((r) => !r.error)?.backendName ?? options.backend ?? '?';
  console.log(
    `Wide data: PDX-like design (5 tasks × 20–45 rows, 100 test rows per task), ${options.seeds} seed(s), backend ${backendName}, load average ${loadavg()[0]?.toFixed(2)}`,
  );
  const of = (p: number, m: string) => results.filter((r) => r.p === p && r.method === m);
  const base = ps.includes(2000) ? 2000 : ps[0];
  const label = (id: string) => ENTRIES.find((e) => e.id === id)?.label ?? id;
  for (const p of ps) {
    console.log(`\np = ${p}`);
    console.log(
      formatTable(
        ['method', 'test RMSE', 's per fit', 'peak RSS (MB)', `s ÷ s at p=${base}`, 'ARI'],
        methods.map((m) => {
          const rs = of(p, m);
          const failed = rs.find((r) => r.error);
          const secs = mean(rs.map((r) => r.seconds));
          const baseSecs = mean(of(base, m).map((r) => r.seconds));
          const aris = rs.flatMap((r) => (r.ari === undefined ? [] : [r.ari]));
          return [
            label(m),
            failed ? `failed: ${failed.error}` : meanSd(rs.map((r) => r.rmse)),
            secs.toFixed(2),
            Math.max(...rs.map((r) => r.peakRssMB)).toFixed(0),
            (secs / baseSecs).toFixed(2),
            aris.length ? meanSd(aris, 2) : '',
          ];
        }),
      ),
    );
  }
  return results.every((r) => !r.error);
}
