#!/usr/bin/env node
import { conformanceTable } from './conformance.js';
import { methodDemo } from './method-demo.js';
import { manyTasks, manyTasksWorker } from './many-tasks.js';
import { methodSpeed, speedWorker } from './method-speed.js';
import { jobsBench } from './jobs.js';
import { mlpSpeed } from './mlp-speed.js';
import { REAL_METHODS, selectMethods, setModelJobs } from './roster.js';
import { runReal } from './real.js';
import { runStudy } from './study.js';
import { DESIGNS } from './study-designs.js';
import { runWide, wideWorker } from './wide.js';
import { runWideGroups } from './wide-groups.js';
import { selectBackend } from './backends.js';

const USAGE = `usage: hetmtl-bench <command> [--quick] [--verbose] [--backend wasm|cpu|tfjs-node|native]

commands:
  demo          fit the method on the default factor simulation: per-task RMSE next to per-task
                ridge, the learned and the true groups
  conformance   run the backend conformance suite on every backend and print the table
  mlp-speed     time an MLP training loop on each backend (ratios to cpu in the same run)
  speed         time the method's fit at fixed work on each backend next to the same algorithm in
                PyTorch (1 thread, apps/bench/peers/method_torch.py): ms per Adam step, s per fit,
                peak RSS, ratios to PyTorch; scaling with R and n_r; kernels per Adam step
                (--no-scaling skips the scaling tables; --backend limits the backends)
  many-tasks    seconds and peak RSS of one fit at R = 20 / 200 / 2,000 tasks of 3 rows (p = 5, the
                CLI's --quick settings, λ = 0.1), each in its own process, with the cost per task
                relative to R = 20 (--quick: R = 20 / 60)
  wide          the PDX-like design at p = 300 / 2,000 / 5,000 / 20,000 genes (or --p a,b), --seeds
                seeds (default 5), the method and the linear and neural baselines (or --methods
                id,id) in the same splits, each fit in its own process: mean task test RMSE, s and
                peak RSS per fit, s relative to p = 2,000, the method's group ARI; writes wide.json
                into --out (default wide-results)
  wide-groups   whether the PDX-like design's groups can be recovered: the dual encoder (log target)
                at K0 = 4 and 3 next to an oracle that fuses the true shared factors, at 20–45, 60
                and 120 training rows per task, --p genes (default 2,000), --seeds (default 5);
                ARI against the truth; writes wide-groups.json into --out (default wide-results)
  study         the simulation study of method.md §7: both designs (or --design factor|covariate;
                --design pdx: the PDX-like design of §8, p = 300 to 20,000 genes, effect size, noise),
                each of 8 factors varied alone, --reps replications per point (default 10), every
                method and baseline (or --methods id,id) in the same splits; writes <design>.json,
                <design>.md (mean ± sd test RMSE, group ARI, where the method loses, time per fit)
                and <design>-<factor>.svg into --out (default study-results); --resume keeps the
                replications already done (<design>.runs.jsonl, else <design>.json). Backend:
                --backend, else native, else wasm
  real <csv> --task <column> --target <column> [--categorical a,b] [--exclude a,b]
                every method on a CSV with a task column: --repeats random splits stratified by
                task (default 10; --test share of each task's rows, default 0.25), the same for
                every method; writes <name>.json and <name>.md into --out (default real-results):
                mean ± sd test RMSE and explained variance per method, and per task whether the
                method beat single-task and pooled ridge. --methods id,id picks entries, among
                them the Python peers xgboost and sklearn-mlp (apps/bench/peers/*.py in
                /usr/bin/python3 or $HETMTL_PYTHON; left out with a note when it lacks xgboost /
                sklearn / pandas). School:
                hetmtl-bench real ../shared/data/school.csv --task school --target score
  jobs [<csv> --task <column> --target <column>] [--jobs n] [--repeats r]
                hetmtl fit with --jobs 1 and --jobs n (default: the cores) interleaved, each fit its
                own process, --repeats times (default 3): median seconds, the ratio, the load
                average, and whether the saved models predict the same; without a CSV the 160-task
                stand-in (simulate --tasks 160 --n 45 --p 7; --quick: 20 tasks and fit --quick)
  all           demo, conformance, mlp-speed and speed (with --quick: study too)

  --jobs n      worker threads for the method's model selection in study, real and wide
                (default: the cores; 1: the main thread)

  --quick       tiny sizes (for CI: checks the commands run, not their numbers)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const quick = rest.includes('--quick');
  const verbose = rest.includes('--verbose');
  const value = (name: string): string | undefined => {
    const at = rest.indexOf(name);
    return at >= 0 ? rest[at + 1] : undefined;
  };
  const backend = value('--backend');
  /** A count option: an integer ≥ 1, else a usage error. */
  const count = (name: string, fallback: number): number => {
    const v = Number(value(name) ?? fallback);
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`${name} must be an integer ≥ 1, got "${value(name)}"`);
    }
    return v;
  };
  if (command === 'speed-worker') {
    await speedWorker(rest[0]);
    return 0;
  }
  if (command === 'many-tasks-worker') {
    await manyTasksWorker(rest[0]);
    return 0;
  }
  if (command === 'wide-worker') {
    await wideWorker(rest[0]);
    return 0;
  }
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const list = (name: string) =>
    value(name)
      ?.split(',')
      .map((x) => x.trim());
  if (value('--jobs') !== undefined) setModelJobs(count('--jobs', 1));
  const commands: Record<string, () => Promise<boolean>> = {
    demo: () => methodDemo({ quick, ...(backend ? { backend } : {}) }),
    conformance: () => conformanceTable({ verbose }),
    'mlp-speed': async () => {
      await mlpSpeed(quick ? { n: 200, p: 20, hidden: 8, steps: 5, cpuSteps: 2 } : {});
      return true;
    },
    speed: () =>
      methodSpeed({
        quick,
        noScaling: rest.includes('--no-scaling'),
        ...(backend ? { backends: [backend] } : {}),
      }),
    'many-tasks': () => manyTasks({ quick, ...(backend ? { backend } : {}) }),
    wide: () => {
      const ps = list('--p')?.map((v) => {
        const p = Number(v);
        if (!Number.isInteger(p) || p < 10) throw new Error(`--p takes integers ≥ 10, got "${v}"`);
        return p;
      });
      const methods = list('--methods');
      return runWide({
        quick,
        seeds: count('--seeds', quick ? 1 : 5),
        ...(ps ? { ps } : {}),
        ...(methods ? { methods } : {}),
        ...(backend ? { backend } : {}),
        out: value('--out') ?? 'wide-results',
      });
    },
    'wide-groups': () => {
      const p = Number(value('--p') ?? (quick ? 300 : 2000));
      if (!Number.isInteger(p) || p < 10)
        throw new Error(`--p takes an integer ≥ 10, got "${value('--p')}"`);
      return runWideGroups({
        p,
        quick,
        seeds: count('--seeds', quick ? 1 : 5),
        ...(backend ? { backend } : {}),
        out: value('--out') ?? 'wide-results',
      });
    },
    study: async () => {
      const which = value('--design') ?? 'both';
      const designs = which === 'both' ? [DESIGNS.factor, DESIGNS.covariate] : [DESIGNS[which]];
      if (designs.some((d) => !d)) {
        throw new Error(`unknown --design "${which}" (known: factor, covariate, pdx, both)`);
      }
      const reps = count('--reps', quick ? 2 : 10);
      const methods = selectMethods(value('--methods'));
      const backendName = await selectBackend(backend);
      for (const design of designs) {
        await runStudy({
          design: design,
          methods,
          reps,
          quick,
          out: value('--out') ?? 'study-results',
          resume: rest.includes('--resume'),
          backend: backendName,
          // Replications are seeded, so a resumed run gives what one uninterrupted run gives.
          command: `hetmtl-bench ${argv.filter((a) => a !== '--resume').join(' ')}`,
        });
      }
      return true;
    },
    jobs: () => {
      const csv = rest[0] && !rest[0].startsWith('--') ? rest[0] : undefined;
      const task = value('--task');
      const target = value('--target');
      if (csv && (!task || !target))
        throw new Error(
          'jobs with a CSV needs --task and --target, e.g. hetmtl-bench jobs ../shared/data/school.csv --task school --target score',
        );
      return jobsBench({
        ...(csv ? { csv, task, target } : {}),
        ...(value('--jobs') !== undefined ? { jobs: count('--jobs', 1) } : {}),
        repeats: count('--repeats', quick ? 1 : 3),
        ...(backend ? { backend } : {}),
        quick,
      });
    },
    real: async () => {
      const csv = rest[0] && !rest[0].startsWith('--') ? rest[0] : undefined;
      const task = value('--task');
      const target = value('--target');
      if (!csv || !task || !target) {
        throw new Error(
          'real needs a CSV file, --task and --target, e.g. hetmtl-bench real ../shared/data/school.csv --task school --target score',
        );
      }
      const repeats = count('--repeats', quick ? 2 : 10);
      const test = Number(value('--test') ?? 0.25);
      if (!(test > 0 && test < 1))
        throw new Error(`--test must be in (0, 1), got "${value('--test')}"`);
      const methods = selectMethods(value('--methods'), REAL_METHODS);
      const backendName = await selectBackend(backend);
      const categorical = list('--categorical');
      const exclude = list('--exclude');
      await runReal({
        csv,
        task,
        target,
        ...(categorical ? { categorical } : {}),
        ...(exclude ? { exclude } : {}),
        repeats,
        test,
        methods,
        quick,
        out: value('--out') ?? 'real-results',
        backend: backendName,
        command: `hetmtl-bench ${argv.join(' ')}`,
      });
      return true;
    },
  };
  if (command === 'all') {
    let ok = true;
    for (const [name, run] of Object.entries(commands)) {
      if (
        name === 'real' ||
        name === 'jobs' ||
        name === 'many-tasks' ||
        name === 'wide' ||
        name === 'wide-groups' ||
        (name === 'study' && !quick)
      )
        continue;
      ok = (await run()) && ok;
    }
    return ok ? 0 : 1;
  }
  const run = commands[command];
  if (!run) {
    console.error(
      `hetmtl-bench: unknown command "${command}". Run hetmtl-bench --help for the list.`,
    );
    return 2;
  }
  return (await run()) ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  // Usage mistakes and bad input: one line, no stack.
  console.error(`hetmtl-bench: ${(e as Error).message}`);
  process.exitCode = 2;
}
