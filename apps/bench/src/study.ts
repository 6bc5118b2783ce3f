import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { trainTestSplit } from '@hetmtl/data';
import { adjustedRandIndex, metrics } from '@hetmtl/estimator';
import { ProgressBar } from './progress.js';
import { compareMethods, describeMethods, type MethodEntry } from './roster.js';
import { type StudyDesign, studySettings } from './study-designs.js';
import { studyMarkdown, studyPlots } from './study-report.js';

/** One method in one replication. */
export interface StudyScore {
  readonly method: string;
  /** Mean over tasks of the test RMSE. */
  readonly rmse: number;
  /** Adjusted Rand index of the learned groups against the true ones (methods with groups). */
  readonly ari?: number;
  readonly seconds: number;
}

/** One replication of one setting: every method on the same simulated splits. */
export interface StudyRun {
  readonly key: string;
  readonly seed: number;
  /** Mean over tasks of the RMSE of the noise-free means (the noise level the methods cannot beat). */
  readonly oracle: number;
  readonly scores: readonly StudyScore[];
}

export interface StudyResults {
  readonly design: string;
  readonly title: string;
  readonly command: string;
  readonly machine: string;
  readonly backend: string;
  readonly date: string;
  readonly quick: boolean;
  readonly reps: number;
  readonly methods: readonly { id: string; label: string; kind: string }[];
  readonly defaults: Readonly<Record<string, number>>;
  readonly factors: readonly {
    key: string;
    label: string;
    levels: readonly number[];
    settings: readonly string[];
  }[];
  readonly runs: readonly StudyRun[];
}

export interface StudyOptions {
  readonly design: StudyDesign;
  readonly methods: readonly MethodEntry[];
  readonly reps: number;
  readonly quick: boolean;
  /** Directory for <design>.json, <design>.md, <design>-<factor>.svg and the run log. */
  readonly out: string;
  /** Keep the replications already in <design>.runs.jsonl (same settings and methods). */
  readonly resume: boolean;
  readonly backend: string;
  readonly command: string;
}

export function machineDescription(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}`;
}

/** The simulation study of method.md §7 for one design; writes JSON, markdown and SVG plots. */
export async function runStudy(o: StudyOptions): Promise<StudyResults> {
  const { design, methods, reps, quick } = o;
  const { settings, byFactor } = studySettings(design, quick);
  mkdirSync(o.out, { recursive: true });
  const log = join(o.out, `${design.name}.runs.jsonl`);
  const done = new Map<string, StudyRun>();
  const runKey = (key: string, seed: number) => `${key}#${seed}`;
  const wanted = new Set(methods.map((m) => m.id));
  if (o.resume) {
    // The run log of an interrupted run, else the runs of a finished one (<design>.json).
    const json = join(o.out, `${design.name}.json`);
    const prior: readonly StudyRun[] = existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter((line) => line.trim())
          .map((line) => JSON.parse(line) as StudyRun)
      : existsSync(json)
        ? (JSON.parse(readFileSync(json, 'utf8')) as StudyResults).runs
        : [];
    for (const run of prior) {
      const has = new Set(run.scores.map((s) => s.method));
      if ([...wanted].every((id) => has.has(id))) done.set(runKey(run.key, run.seed), run);
    }
  }
  writeFileSync(log, [...done.values()].map((run) => `${JSON.stringify(run)}\n`).join(''));
  const todo = settings.flatMap((s) =>
    Array.from({ length: reps }, (_, i) => ({ setting: s, seed: i + 1 })).filter(
      (t) => !done.has(runKey(t.setting.key, t.seed)),
    ),
  );
  console.log(
    `${design.title}: ${settings.length} settings × ${reps} replications × ${methods.length} methods` +
      (done.size ? ` (${done.size} replications kept from an earlier run)` : ''),
  );
  const bar = new ProgressBar(todo.length * methods.length, 'fits');
  const defaults = quick ? design.quickDefaults : design.defaults;
  try {
    for (const { setting, seed } of todo) {
      const varied = Object.entries(setting.options)
        .filter(([k, v]) => defaults[k] !== v)
        .map(([k, v]) => `${k}=${v}`);
      const where = `${design.name} ${varied.join(',') || 'defaults'} seed ${seed}`;
      const sim = design.simulate({ ...setting.options }, seed);
      const split = trainTestSplit(sim.train, { test: 0.2, seed });
      const results = await compareMethods(
        methods,
        { train: split.train, validation: split.test, test: sim.test },
        seed,
        quick,
        (r) => bar.tick(1, `${where} ${r.method}`),
      );
      const truth = [...sim.truth.groups];
      const run: StudyRun = {
        key: setting.key,
        seed,
        oracle: oracleRmse(sim.test, sim.truth.testMeans),
        scores: results.map((r) => ({
          method: r.method,
          rmse: r.rmse,
          ...(r.groups ? { ari: adjustedRandIndex([...r.groups], truth) } : {}),
          seconds: r.seconds,
        })),
      };
      appendFileSync(log, `${JSON.stringify(run)}\n`);
      done.set(runKey(setting.key, seed), run);
    }
  } finally {
    bar.stop();
  }
  const results: StudyResults = {
    design: design.name,
    title: design.title,
    command: o.command,
    machine: machineDescription(),
    backend: o.backend,
    date: new Date().toISOString().slice(0, 10),
    quick,
    reps,
    methods: describeMethods(methods),
    defaults,
    factors: design.factors.map((f) => ({
      key: f.key,
      label: f.label,
      levels: quick ? f.quick : f.levels,
      settings: byFactor.get(f.key) ?? [],
    })),
    runs: settings.flatMap((s) =>
      Array.from({ length: reps }, (_, i) => done.get(runKey(s.key, i + 1)) as StudyRun),
    ),
  };
  writeFileSync(join(o.out, `${design.name}.json`), `${JSON.stringify(results, null, 1)}\n`);
  writeFileSync(join(o.out, `${design.name}.md`), studyMarkdown(results));
  for (const [file, svg] of studyPlots(results)) writeFileSync(join(o.out, file), svg);
  return results;
}

/** Mean over tasks of the RMSE of the noise-free means against the test responses. */
export function oracleRmse(
  test: { tasks(): Iterable<{ index: number; y: Float64Array }> },
  means: readonly Float64Array[],
): number {
  let sum = 0;
  let count = 0;
  for (const t of test.tasks()) {
    sum += metrics(t.y, means[t.index]).rmse;
    count++;
  }
  return sum / count;
}
