#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { conformanceTable } from './conformance.js';
import { methodDemo } from './method-demo.js';
import { manyTasks, manyTasksWorker } from './many-tasks.js';
import { methodSpeed, speedWorker } from './method-speed.js';
import { jobsBench } from './jobs.js';
import { mlpSpeed } from './mlp-speed.js';
import { REAL_METHODS, selectMethods, setModelJobs } from './roster.js';
import { glmMethods } from './glm-roster.js';
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
                --family binomial|poisson [--positive level] [--offset col | --exposure col]:
                hetmtl with the family, per-task / pooled (task intercepts) / mean-regularised
                GLM and xgboost (binary:logistic / count:poisson, offset as base_margin), scored
                with log loss, AUC, Brier, accuracy or mean Poisson deviance and RMSE
  jobs [<csv> --task <column> --target <column>] [--jobs n] [--repeats r]
                hetmtl fit with --jobs 1 and --jobs n (default: the cores) interleaved, each fit its
                own process, --repeats times (default 3): median seconds, the ratio, the load
                average, and whether the saved models predict the same; without a CSV the 160-task
                stand-in (simulate --tasks 160 --n 45 --p 7; --quick: 20 tasks and fit --quick)
  all           demo, conformance, mlp-speed and speed (with --quick: study too)

  --jobs n      worker threads for the method's model selection in study, real and wide
                (default: the cores; 1: the main thread)

  --quick       tiny sizes (for CI: checks the commands run, not their numbers)`;

/** The flags of every command (each command declares the ones it takes; commander rejects others). */
interface Flags {
  quick?: boolean;
  verbose?: boolean;
  backend?: string;
  jobs?: number;
  scaling?: boolean;
  p?: number;
  seeds?: number;
  methods?: string;
  out?: string;
  design?: string;
  reps?: number;
  resume?: boolean;
  task?: string;
  target?: string;
  repeats?: number;
  test?: number;
  categorical?: string[];
  exclude?: string[];
  family?: 'gaussian' | 'binomial' | 'poisson';
  positive?: string;
  offset?: string;
  exposure?: string;
}

/** A count option: an integer ≥ 1, else a usage error. */
const count =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be an integer ≥ 1, got "${v}"`);
    return n;
  };

const list = (v: string): string[] => v.split(',').map((x) => x.trim());

const widePs = (v: string): number[] =>
  list(v).map((x) => {
    const p = Number(x);
    if (x === '' || !Number.isInteger(p) || p < 10)
      throw new InvalidArgumentError(`--p takes integers ≥ 10, got "${x}"`);
    return p;
  });

const groupsP = (v: string): number => {
  const p = Number(v);
  if (v.trim() === '' || !Number.isInteger(p) || p < 10)
    throw new InvalidArgumentError(`--p takes an integer ≥ 10, got "${v}"`);
  return p;
};

const share = (v: string): number => {
  const t = Number(v);
  if (v.trim() === '' || !(t > 0 && t < 1))
    throw new InvalidArgumentError(`--test must be in (0, 1), got "${v}"`);
  return t;
};

const BACKEND_FLAG = ['--backend <name>', 'wasm, cpu, tfjs-node or native'] as const;
const QUICK_FLAG = [
  '--quick',
  'tiny sizes (for CI: checks the command runs, not its numbers)',
] as const;
const JOBS_FLAG = [
  '--jobs <n>',
  "worker threads for the method's model selection (default: the cores; 1: the main thread)",
  count('--jobs'),
] as const;

/** The commands, each on the flags commander parsed for it. */
const RUN = {
  demo: (o: Flags) =>
    methodDemo({ quick: o.quick === true, ...(o.backend ? { backend: o.backend } : {}) }),
  conformance: (o: Flags) => conformanceTable({ verbose: o.verbose === true }),
  'mlp-speed': async (o: Flags) => {
    await mlpSpeed(o.quick ? { n: 200, p: 20, hidden: 8, steps: 5, cpuSteps: 2 } : {});
    return true;
  },
  speed: (o: Flags) =>
    methodSpeed({
      quick: o.quick === true,
      noScaling: o.scaling === false,
      ...(o.backend ? { backends: [o.backend] } : {}),
    }),
  'many-tasks': (o: Flags) =>
    manyTasks({ quick: o.quick === true, ...(o.backend ? { backend: o.backend } : {}) }),
  wide: (o: Omit<Flags, 'p'> & { p?: number[] }) =>
    runWide({
      quick: o.quick === true,
      seeds: o.seeds ?? (o.quick ? 1 : 5),
      ...(o.p ? { ps: o.p } : {}),
      ...(o.methods ? { methods: list(o.methods) } : {}),
      ...(o.backend ? { backend: o.backend } : {}),
      out: o.out ?? 'wide-results',
    }),
  'wide-groups': (o: Flags) =>
    runWideGroups({
      p: o.p ?? (o.quick ? 300 : 2000),
      quick: o.quick === true,
      seeds: o.seeds ?? (o.quick ? 1 : 5),
      ...(o.backend ? { backend: o.backend } : {}),
      out: o.out ?? 'wide-results',
    }),
  study: async (o: Flags, argv: readonly string[]) => {
    const which = o.design ?? 'both';
    const designs = which === 'both' ? [DESIGNS.factor, DESIGNS.covariate] : [DESIGNS[which]];
    if (designs.some((d) => !d)) {
      throw new Error(`unknown --design "${which}" (known: factor, covariate, pdx, both)`);
    }
    const reps = o.reps ?? (o.quick ? 2 : 10);
    const methods = selectMethods(o.methods);
    const backendName = await selectBackend(o.backend);
    for (const design of designs) {
      await runStudy({
        design: design,
        methods,
        reps,
        quick: o.quick === true,
        out: o.out ?? 'study-results',
        resume: o.resume === true,
        backend: backendName,
        // Replications are seeded, so a resumed run gives what one uninterrupted run gives.
        command: `hetmtl-bench ${argv.filter((a) => a !== '--resume').join(' ')}`,
      });
    }
    return true;
  },
  jobs: (o: Flags, csv: string | undefined) => {
    const { task, target } = o;
    if (csv && (!task || !target))
      throw new Error(
        'jobs with a CSV needs --task and --target, e.g. hetmtl-bench jobs ../shared/data/school.csv --task school --target score',
      );
    return jobsBench({
      ...(csv ? { csv, task, target } : {}),
      ...(o.jobs !== undefined ? { jobs: o.jobs } : {}),
      repeats: o.repeats ?? (o.quick ? 1 : 3),
      ...(o.backend ? { backend: o.backend } : {}),
      quick: o.quick === true,
    });
  },
  real: async (o: Flags, csv: string | undefined, argv: readonly string[]) => {
    const { task, target } = o;
    if (!csv || !task || !target) {
      throw new Error(
        'real needs a CSV file, --task and --target, e.g. hetmtl-bench real ../shared/data/school.csv --task school --target score',
      );
    }
    const family = o.family ?? 'gaussian';
    if ((o.offset !== undefined || o.exposure !== undefined) && family !== 'poisson')
      throw new Error('--offset and --exposure go with --family poisson');
    const methods = selectMethods(
      o.methods,
      family === 'gaussian' ? REAL_METHODS : glmMethods(family),
    );
    const backendName = await selectBackend(o.backend);
    await runReal({
      csv,
      task,
      target,
      ...(o.categorical ? { categorical: o.categorical } : {}),
      ...(o.exclude ? { exclude: o.exclude } : {}),
      repeats: o.repeats ?? (o.quick ? 2 : 10),
      test: o.test ?? 0.25,
      methods,
      quick: o.quick === true,
      out: o.out ?? 'real-results',
      backend: backendName,
      command: `hetmtl-bench ${argv.join(' ')}`,
      ...(family !== 'gaussian' ? { family } : {}),
      ...(o.positive !== undefined ? { positive: o.positive } : {}),
      ...(o.offset !== undefined ? { offset: o.offset } : {}),
      ...(o.exposure !== undefined ? { exposure: o.exposure } : {}),
    });
    return true;
  },
  /** demo, conformance, mlp-speed and speed (with --quick: study too). */
  all: async (o: Flags, argv: readonly string[]) => {
    let ok = await RUN.demo(o);
    ok = (await RUN.conformance(o)) && ok;
    ok = (await RUN['mlp-speed'](o)) && ok;
    ok = (await RUN.speed(o)) && ok;
    if (o.quick) ok = (await RUN.study(o, argv)) && ok;
    return ok;
  },
};

/** A subcommand that throws its usage errors to the caller rather than exiting. */
function sub(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showHelpAfterError(false);
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    console.log(USAGE);
    return 2;
  }
  let status = 0;
  const done = (ok: boolean) => {
    status = ok ? 0 : 1;
  };
  const program = new Command('hetmtl-bench')
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .configureHelp({ formatHelp: () => `${USAGE}\n` });
  const add = (cmd: Command, jobs = false): Command => {
    if (jobs)
      cmd.hook('preAction', (c) => {
        const n = c.opts<Flags>().jobs;
        if (n !== undefined) setModelJobs(n);
      });
    program.addCommand(cmd);
    return cmd;
  };
  for (const [name, worker] of [
    ['speed-worker', speedWorker],
    ['many-tasks-worker', manyTasksWorker],
    ['wide-worker', wideWorker],
  ] as const)
    program.addCommand(
      sub(name, 'internal: one measurement in its own process')
        .argument('<json>')
        .action(async (json: string) => worker(json)),
      { hidden: true },
    );
  add(
    sub('demo', 'fit the method on the default factor simulation')
      .option(...QUICK_FLAG)
      .option(...BACKEND_FLAG)
      .action(async (o: Flags) => done(await RUN.demo(o))),
  );
  add(
    sub('conformance', 'run the backend conformance suite on every backend')
      .option('--verbose', 'every check, not only the table')
      .action(async (o: Flags) => done(await RUN.conformance(o))),
  );
  add(
    sub('mlp-speed', 'time an MLP training loop on each backend')
      .option(...QUICK_FLAG)
      .action(async (o: Flags) => done(await RUN['mlp-speed'](o))),
  );
  add(
    sub('speed', "time the method's fit at fixed work on each backend next to PyTorch")
      .option(...QUICK_FLAG)
      .option('--no-scaling', 'skip the scaling tables')
      .option(...BACKEND_FLAG)
      .action(async (o: Flags) => done(await RUN.speed(o))),
  );
  add(
    sub('many-tasks', 'seconds and peak RSS of one fit at R = 20 / 200 / 2,000 tasks')
      .option(...QUICK_FLAG)
      .option(...BACKEND_FLAG)
      .action(async (o: Flags) => done(await RUN['many-tasks'](o))),
  );
  add(
    sub('wide', 'the PDX-like design at p = 300 / 2,000 / 5,000 / 20,000 genes')
      .option(...QUICK_FLAG)
      .option('--p <list>', 'gene counts, e.g. 300,2000 (integers ≥ 10)', widePs)
      .option('--seeds <n>', 'seeds (default 5; --quick: 1)', count('--seeds'))
      .option('--methods <ids>', 'methods and baselines, e.g. hetmtl,ridge-task (default: all)')
      .option(...BACKEND_FLAG)
      .option('--out <dir>', 'where wide.json goes (default wide-results)')
      .option(...JOBS_FLAG)
      .action(async (o: Omit<Flags, 'p'> & { p?: number[] }) => done(await RUN.wide(o))),
    true,
  );
  add(
    sub('wide-groups', "whether the PDX-like design's groups can be recovered")
      .option(...QUICK_FLAG)
      .option('--p <n>', 'genes (default 2,000; --quick: 300)', groupsP)
      .option('--seeds <n>', 'seeds (default 5; --quick: 1)', count('--seeds'))
      .option(...BACKEND_FLAG)
      .option('--out <dir>', 'where wide-groups.json goes (default wide-results)')
      .option(...JOBS_FLAG)
      .action(async (o: Flags) => done(await RUN['wide-groups'](o))),
    true,
  );
  add(
    sub('study', 'the simulation study of method.md §7')
      .option(...QUICK_FLAG)
      .option('--design <name>', 'factor, covariate, pdx or both (default both)')
      .option('--reps <n>', 'replications per point (default 10; --quick: 2)', count('--reps'))
      .option('--methods <ids>', 'methods and baselines, e.g. hetmtl,ridge-task (default: all)')
      .option(...BACKEND_FLAG)
      .option('--out <dir>', 'where the results go (default study-results)')
      .option('--resume', 'keep the replications already done')
      .option(...JOBS_FLAG)
      .action(async (o: Flags) => done(await RUN.study(o, argv))),
    true,
  );
  add(
    sub('real', 'every method on a CSV with a task column')
      .argument('[csv]', 'the CSV file')
      .option(...QUICK_FLAG)
      .option('--task <column>', 'the task column')
      .option('--target <column>', 'the target column')
      .option('--categorical <columns>', 'categorical columns, e.g. a,b', list)
      .option('--exclude <columns>', 'columns left out, e.g. a,b', list)
      .option('--repeats <n>', 'random splits (default 10; --quick: 2)', count('--repeats'))
      .option('--test <share>', "share of each task's rows for test (default 0.25)", share)
      .option('--methods <ids>', 'methods, baselines and Python peers (default: all)')
      .addOption(
        new Option(
          '--family <family>',
          'the response: gaussian (default), binomial (a 0/1 or two-level target) or poisson (counts); binomial and poisson run hetmtl, the GLM baselines and xgboost with the family objective',
        ).choices(['gaussian', 'binomial', 'poisson']),
      )
      .option(
        '--positive <level>',
        'binomial: the level read as 1 (default: second in sorted order)',
      )
      .option('--offset <column>', 'poisson: a column of offsets (log exposure), not a feature')
      .option(
        '--exposure <column>',
        'poisson: a column of exposures > 0 (log taken), not a feature',
      )
      .option(...BACKEND_FLAG)
      .option('--out <dir>', 'where the results go (default real-results)')
      .option(...JOBS_FLAG)
      .action(async (csv: string | undefined, o: Flags) => done(await RUN.real(o, csv, argv))),
    true,
  );
  add(
    sub('jobs', 'hetmtl fit with --jobs 1 and --jobs n interleaved')
      .argument('[csv]', 'the CSV file (default: the 160-task stand-in)')
      .option(...QUICK_FLAG)
      .option('--task <column>', 'the task column')
      .option('--target <column>', 'the target column')
      .option('--jobs <n>', 'the threads to compare with 1 (default: the cores)', count('--jobs'))
      .option('--repeats <n>', 'repeats (default 3; --quick: 1)', count('--repeats'))
      .option(...BACKEND_FLAG)
      .action(async (csv: string | undefined, o: Flags) => done(await RUN.jobs(o, csv))),
  );
  add(
    sub('all', 'demo, conformance, mlp-speed and speed (with --quick: study too)')
      .option(...QUICK_FLAG)
      .option('--verbose', 'every conformance check, not only the table')
      .option(...BACKEND_FLAG)
      .option(...JOBS_FLAG)
      .action(async (o: Flags) => done(await RUN.all(o, argv))),
    true,
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.exitCode === 0) return 0; // --help
    const where = program.commands.some((c) => c.name() === argv[0]) ? `${argv[0]} ` : '';
    if (e.code === 'commander.unknownCommand')
      throw new Error(`unknown command "${argv[0]}". Run hetmtl-bench --help for the list.`);
    throw new Error(
      `${e.message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ')}. Run hetmtl-bench ${where}--help for usage.`.replace(
        /\.\. Run/,
        '. Run',
      ),
    );
  }
  return status;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  // Usage mistakes and bad input: one line, no stack.
  console.error(`hetmtl-bench: ${(e as Error).message}`);
  process.exitCode = 2;
}
