import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeInfo } from '@hetmtl/backend-native';
import { Standardizer, simulateFactor } from '@hetmtl/data';
import { standardizeTasks } from '@hetmtl/estimator';
import { linear } from '@hetmtl/encoders';
import {
  DualTrainer,
  encoderBlocks,
  objectiveTensor,
  runDual,
  start,
  type TrainerConfig,
} from '@hetmtl/model';
import { type FusionProblem, fusionPath, lambdaGrid, mcp } from '@hetmtl/regularizers';
import { type Matrix, matrix, Random, tf, useBackend } from '@hetmtl/tensor';
import { BACKENDS } from './backends.js';
import { formatTable } from './table.js';

/** The fixed work of one fit (method.md §3–§4 with linear encoders; no early stopping). */
export interface SpeedWork {
  /** Tasks R. */
  readonly R: number;
  /** Training rows per task n_r. */
  readonly n: number;
  readonly p: number;
  /** Outer rounds of blocks (a) – (d). */
  readonly outer: number;
  /** Adam steps per block (a) and (b) and round. */
  readonly steps: number;
  /** Points on the λ path (mcp, ADMM), run once on the final encoders. */
  readonly lambdas: number;
}

/** What the method's defaults put in the objective (method.md §3). */
const MODEL = {
  K0: 4,
  K1: 2,
  mu: 0.1,
  omega: 1,
  tau: 1e-3,
  nu: 1e-4,
  ridge: 1e-3,
  lr: 1e-2,
} as const;

/**
 * How the Adam blocks get their gradient: 'analytic' is the model's default (the fused step for
 * linear encoders with the fused Adam update); 'autodiff' is tfjs's tape and tfjs's Adam (the
 * reference, and the model's step before the fused one).
 */
export type GradientMode = 'analytic' | 'autodiff';

function trainerConfig(steps: number, gradient: GradientMode = 'analytic'): TrainerConfig {
  return {
    gradient,
    shared: linear(),
    specific: linear(),
    K0: MODEL.K0,
    K1: MODEL.K1,
    mu: MODEL.mu,
    omega: MODEL.omega,
    tau: MODEL.tau,
    nu: MODEL.nu,
    ridge: MODEL.ridge,
    taskWeights: 'size',
    learningRate: MODEL.lr,
    stepsPerBlock: steps,
  };
}

/** One backend's (or PyTorch's) medians over repeated fits. */
export interface FitStats {
  readonly initMs: number;
  readonly msPerStepA: number;
  readonly msPerStepB: number;
  readonly rescaleMs: number;
  readonly coefMs: number;
  /** The O rounds of (a)–(d). */
  readonly encoderPhaseMs: number;
  /** Initialisation + the O rounds. */
  readonly fitMs: number;
  /** The λ path: building the coefficient problem, the grid and the warm-started ADMM path. */
  readonly pathMs?: number;
  /** ADMM iterations summed over the path's λ values (the path's amount of work). */
  readonly pathIterations?: number;
  readonly objective: number;
  readonly peakRssMB: number;
  readonly repeats: number;
  readonly profile?: StepProfile;
  readonly label?: string;
  readonly opsPerStepB?: number;
}

/** Kernels per Adam step (tf.profile over a whole block run, divided by its steps). */
export interface StepProfile {
  readonly kernelsPerStepA: number;
  readonly kernelsPerStepB: number;
  /** Sum of the kernels' own times per step (backend timer), or NaN when the backend has none. */
  readonly kernelMsPerStepA: number;
  readonly kernelMsPerStepB: number;
  readonly topKernelsB: readonly [string, number][];
  /** Kernels of the objective's forward pass alone (the rest of a step: gradients and Adam). */
  readonly forwardKernels: number;
}

// ---------------------------------------------------------------------------------------------
// Data file shared with the PyTorch peer: <base>.json (meta) and <base>.f64 (X_r..., y_r...)

function writeData(dir: string, w: SpeedWork): string {
  const sim = simulateFactor({ seed: 1, numTasks: w.R, n: w.n, p: w.p, testRows: 1 });
  const data = standardizeTasks(sim.train, new Standardizer().fit(sim.train));
  const base = join(dir, `sim-R${w.R}-n${w.n}-p${w.p}`);
  const counts = data.y.map((y) => y.length);
  const total = data.X.reduce((a, x) => a + x.length, 0) + counts.reduce((a, b) => a + b, 0);
  const flat = new Float64Array(total);
  let at = 0;
  for (const x of data.X) {
    flat.set(x, at);
    at += x.length;
  }
  for (const y of data.y) {
    flat.set(y, at);
    at += y.length;
  }
  writeFileSync(`${base}.f64`, new Uint8Array(flat.buffer));
  writeFileSync(`${base}.json`, JSON.stringify({ R: w.R, p: data.p, counts, ...MODEL }));
  return base;
}

function readData(base: string): { X: Float64Array[]; y: Float64Array[]; p: number } {
  const meta = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { p: number; counts: number[] };
  const buf = readFileSync(`${base}.f64`);
  const flat = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const X: Float64Array[] = [];
  const y: Float64Array[] = [];
  let at = 0;
  for (const n of meta.counts) {
    X.push(flat.slice(at, at + n * meta.p));
    at += n * meta.p;
  }
  for (const n of meta.counts) {
    y.push(flat.slice(at, at + n));
    at += n;
  }
  return { X, y, p: meta.p };
}

// ---------------------------------------------------------------------------------------------
// The worker: one backend, one size, in its own process (clean peak RSS, no cross-talk).

interface WorkerArgs {
  readonly backend: string;
  readonly data: string;
  readonly work: SpeedWork;
  readonly repeats: number;
  readonly profile: boolean;
  readonly gradient?: GradientMode;
  /** Write the last fit's coefficient problem here (for the λ path port check). */
  readonly dumpProblem?: string;
}

type Timed = Omit<FitStats, 'peakRssMB' | 'repeats' | 'profile' | 'label'>;

async function oneFit(
  data: ReturnType<typeof readData>,
  w: SpeedWork,
  gradient: GradientMode,
  keep?: { problem?: FusionProblem },
): Promise<Timed> {
  // The model's own sequence (start → encoder phase → λ path), at fixed work: no validation rows,
  // every round run (tolerance 0), the λ path on the default grid of w.lambdas points.
  const run = await runDual(trainerConfig(w.steps, gradient), data, new Random(1), {
    encoderPhase: { maxRounds: w.outer, tolerance: 0 },
    path: {
      similarity: mcp(),
      ridge: MODEL.ridge,
      numLambdas: w.lambdas,
      lambda: 'path',
      criterion: 'bic',
    },
    timeBlocks: true,
  });
  try {
    const t = run.timing;
    if (keep && 'A' in run.problem.fusion) keep.problem = run.problem.fusion;
    const perStep = (name: string) => (t.blocks[name] ?? 0) / (w.outer * w.steps);
    const last = run.phase.trace[run.phase.trace.length - 1];
    return {
      initMs: t.startMs,
      msPerStepA: perStep('task-specific'),
      msPerStepB: perStep('shared'),
      rescaleMs: (t.blocks.rescale ?? 0) / w.outer,
      coefMs: (t.blocks.coefficients ?? 0) / w.outer,
      encoderPhaseMs: t.encoderPhaseMs,
      fitMs: t.startMs + t.encoderPhaseMs,
      pathMs: t.pathMs,
      pathIterations: run.path.reduce((a, r) => a + (r.iterations ?? 0), 0),
      objective: last?.objective ?? Number.NaN,
    };
  } finally {
    run.fitted.dispose();
  }
}

async function profileSteps(
  data: ReturnType<typeof readData>,
  w: SpeedWork,
  gradient: GradientMode,
): Promise<StepProfile> {
  const rng = new Random(1);
  const trainer = new DualTrainer(trainerConfig(w.steps, gradient), data, rng);
  try {
    await start(trainer, rng.child());
    const blocks = encoderBlocks(trainer);
    try {
      const [a, b] = blocks as [(typeof blocks)[number], (typeof blocks)[number]];
      await a.run({ round: 1 });
      await b.run({ round: 1 });
      const measure = async (block: typeof a) => {
        const info = await tf.profile(async () => {
          await block.run({ round: 2 });
          return [];
        });
        let ms = 0;
        const byName = new Map<string, number>();
        for (const k of info.kernels) {
          const t = await k.kernelTimeMs;
          ms += typeof t === 'number' ? t : Number.NaN;
          byName.set(k.name, (byName.get(k.name) ?? 0) + 1);
        }
        return { count: info.kernels.length / w.steps, ms: ms / w.steps, byName };
      };
      const pa = await measure(a);
      const pb = await measure(b);
      const fwd = await tf.profile(() => objectiveTensor(trainer));
      (fwd.result as tf.Tensor).dispose();
      return {
        kernelsPerStepA: pa.count,
        kernelsPerStepB: pb.count,
        kernelMsPerStepA: pa.ms,
        kernelMsPerStepB: pb.ms,
        topKernelsB: [...pb.byName.entries()]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 8)
          .map(([k, c]) => [k, c / w.steps] as [string, number]),
        forwardKernels: fwd.kernels.length,
      };
    } finally {
      for (const b of blocks) b.dispose?.();
    }
  } finally {
    trainer.dispose();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Medians of every numeric field over interleaved single-fit runs (the first run's profile and label). */
function medianStats(runs: readonly FitStats[]): FitStats {
  const first = runs[0];
  const out: Record<string, unknown> = { ...first };
  for (const [k, v] of Object.entries(first))
    if (typeof v === 'number')
      out[k] = median(runs.map((r) => (r as unknown as Record<string, number>)[k]));
  out.repeats = runs.length;
  return out as unknown as FitStats;
}

/** The `speed-worker` command (internal): prints one JSON line of {@link FitStats}. */
export async function speedWorker(json: string): Promise<void> {
  const a = JSON.parse(json) as WorkerArgs;
  const make = BACKENDS[a.backend];
  if (!make) throw new Error(`unknown backend ${a.backend}`);
  await useBackend(await make());
  const data = readData(a.data);
  // Warm-up (JIT, kernel setup, first allocations), not timed.
  const gradient = a.gradient ?? 'analytic';
  await oneFit(data, { ...a.work, outer: 1, steps: 2, lambdas: 2 }, gradient);
  const runs: Timed[] = [];
  const keep: { problem?: FusionProblem } = {};
  for (let i = 0; i < a.repeats; i++) runs.push(await oneFit(data, a.work, gradient, keep));
  if (a.dumpProblem && keep.problem)
    writeFileSync(a.dumpProblem, JSON.stringify(pathCheckInput(keep.problem, a.work.lambdas)));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(runs[0]) as (keyof Timed)[])
    out[k] = median(runs.map((r) => r[k] as number));
  out.peakRssMB = process.resourceUsage().maxRSS / 1024;
  out.repeats = a.repeats;
  if (a.profile) out.profile = await profileSteps(data, a.work, gradient);
  if (a.backend === 'native') out.label = `native (${nativeInfo().gemm})`;
  console.log(JSON.stringify(out));
}

// ---------------------------------------------------------------------------------------------
// The `speed` command.

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

function runWorker(args: WorkerArgs): FitStats | string {
  try {
    const out = execFileSync(process.execPath, [MAIN, 'speed-worker', JSON.stringify(args)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 1_800_000,
      maxBuffer: 1 << 24,
    });
    return JSON.parse(out.trim().split('\n').pop() as string) as FitStats;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return (err.stderr || err.message).trim().split('\n')[0]?.slice(0, 120) ?? 'failed';
  }
}

function runTorch(data: string, w: SpeedWork, repeats: number, ops: boolean): FitStats | string {
  const script = fileURLToPath(new URL('../peers/method_torch.py', import.meta.url));
  const python = process.env.HETMTL_PYTHON ?? '/usr/bin/python3';
  const args = [
    script,
    '--data',
    data,
    '--outer',
    String(w.outer),
    '--steps',
    String(w.steps),
    '--lambdas',
    String(w.lambdas),
    '--repeats',
    String(repeats),
    '--threads',
    '1',
    ...(ops ? ['--ops'] : []),
  ];
  try {
    const out = execFileSync(python, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 1_800_000,
    });
    const r = JSON.parse(out.trim().split('\n').pop() as string) as FitStats & {
      torch: string;
      threads: number;
    };
    return { ...r, label: `PyTorch ${r.torch} (${r.threads} thread)` };
  } catch (e) {
    const err = e as { stderr?: string; message: string; code?: string };
    const why =
      err.code === 'ENOENT'
        ? `${python} not found`
        : /No module named 'torch'/.test(err.stderr ?? '')
          ? 'PyTorch is not installed (Debian: apt-get install python3-torch)'
          : (err.stderr || err.message).trim().split('\n').slice(-1)[0];
    return `${python} ${script}: ${why}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The λ path port check: the peer's path against fusionPath on the same A_r, b_r (an oracle that
// the two sides run the same algorithm, hence the same work).

/** A coefficient problem as the peer's `--check-path` reads it. */
interface PathCheckInput {
  readonly A: number[][][];
  readonly b: number[][];
  readonly weights: number[];
  readonly ridge: number;
  readonly numLambdas: number;
}

interface PeerPath {
  readonly grid: number[];
  readonly numPairs: number;
  readonly path: {
    readonly lambda: number;
    readonly groups: number[];
    readonly iterations: number;
    readonly converged: boolean;
    readonly objective: number;
    readonly beta: number[][];
  }[];
}

function pathCheckInput(p: FusionProblem, numLambdas: number): PathCheckInput {
  return {
    A: p.A.map((m) =>
      Array.from({ length: m.rows }, (_, i) =>
        Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)),
      ),
    ),
    b: p.b.map((v) => Array.from(v)),
    weights: [...p.weights],
    ridge: MODEL.ridge,
    numLambdas,
  };
}

/** What {@link oneFit} runs after the rounds: the default grid, then the path over its λ > 0. */
function jsPath(c: PathCheckInput) {
  const problem: FusionProblem = {
    A: c.A.map((rows) => matrix(rows.length, rows.length, Float64Array.from(rows.flat()))),
    b: c.b.map((v) => Float64Array.from(v)),
    weights: c.weights,
  };
  const penalty = mcp();
  const grid = lambdaGrid(problem, penalty, { numLambdas: c.numLambdas, ridge: c.ridge });
  const path = fusionPath(problem, penalty, { ridge: c.ridge, lambdas: grid.filter((l) => l > 0) });
  return { grid, path };
}

/**
 * R tasks in `groups` planted groups (coefficients a common centre plus noise sd 0.05), A_r the
 * Gram matrix of 30 standard normal rows, b_r = A_r β_r + noise. With R > 30 the path runs on the
 * k-nearest-neighbour fusion graph.
 */
function plantedProblem(R: number, K: number, groups: number, seed: number): FusionProblem {
  const rng = new Random(seed);
  const n = 30;
  const centres = Array.from({ length: groups }, () =>
    Array.from({ length: K }, () => rng.normal()),
  );
  const A: Matrix[] = [];
  const b: Float64Array[] = [];
  for (let r = 0; r < R; r++) {
    const X = Float64Array.from({ length: n * K }, () => rng.normal());
    const a = new Float64Array(K * K);
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += X[t * K + i] * X[t * K + j];
        a[i * K + j] = s / n;
      }
    const beta = centres[r % groups].map((c) => c + rng.normal(0, 0.05));
    const br = new Float64Array(K);
    for (let i = 0; i < K; i++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += a[i * K + j] * beta[j];
      br[i] = s + rng.normal(0, 0.05);
    }
    A.push(matrix(K, K, a));
    b.push(br);
  }
  return { A, b, weights: Array.from({ length: R }, () => 1 / R) };
}

function runPeerPaths(files: readonly string[]): PeerPath[] | string {
  const script = fileURLToPath(new URL('../peers/method_torch.py', import.meta.url));
  const python = process.env.HETMTL_PYTHON ?? '/usr/bin/python3';
  try {
    const out = execFileSync(python, [script, '--threads', '1', '--check-path', ...files], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
      maxBuffer: 1 << 26,
    });
    return out
      .trim()
      .split('\n')
      .slice(-files.length)
      .map((l) => JSON.parse(l) as PeerPath);
  } catch (e) {
    const err = e as { stderr?: string; message: string; code?: string };
    return err.code === 'ENOENT'
      ? `${python} not found`
      : ((err.stderr || err.message).trim().split('\n').slice(-1)[0] ?? 'failed');
  }
}

/**
 * Runs the peer's λ path on the given problems and compares it with fusionPath: the grid, the
 * groups at every λ, β (max absolute difference), the objective and the ADMM iterations. Prints a
 * table; returns the disagreements (empty when the port agrees or the peer could not run).
 */
function checkPathPort(
  dir: string,
  cases: readonly { name: string; input: PathCheckInput }[],
): string[] {
  const files = cases.map((c, i) => {
    const f = join(dir, `path-check-${i}.json`);
    writeFileSync(f, JSON.stringify(c.input));
    return f;
  });
  console.log(
    `\nλ path port check: peers/method_torch.py's path against fusionPath (mcp κ = 3, ADMM ϑ = 1, ridge ${MODEL.ridge}, ` +
      'tol 1e-5, ≤ 1000 iterations per λ, warm starts) on the same A_r, b_r; they agree when the groups match at every λ and max |Δβ| ≤ 1e-6:\n',
  );
  const peer = runPeerPaths(files);
  if (typeof peer === 'string') {
    console.log(`λ path port check not run: ${peer}`);
    return [];
  }
  const failures: string[] = [];
  const rows = cases.map((c, i) => {
    const js = jsPath(c.input);
    const py = peer[i];
    const groupsJs = js.path.map((r) => r.numGroups);
    let gridDiff = 0;
    js.grid.forEach((l, k) => {
      gridDiff = Math.max(gridDiff, Math.abs(l - (py.grid[k] ?? Number.NaN)) / Math.abs(l || 1));
    });
    let sameGroups = js.path.length === py.path.length && js.grid.length === py.grid.length;
    let betaDiff = 0;
    let objDiff = 0;
    let sameIterations = 0;
    js.path.forEach((r, k) => {
      const q = py.path[k];
      if (!q) return;
      if (r.groups.length !== q.groups.length || r.groups.some((g, t) => g !== q.groups[t]))
        sameGroups = false;
      r.fusedBeta.forEach((b, t) =>
        b.forEach((v, j) => {
          betaDiff = Math.max(betaDiff, Math.abs(v - (q.beta[t]?.[j] ?? Number.NaN)));
        }),
      );
      objDiff = Math.max(objDiff, Math.abs(r.objective - q.objective));
      if (r.iterations === q.iterations) sameIterations++;
    });
    const agree = sameGroups && py.numPairs === js.path[0]?.numPairs && betaDiff <= 1e-6;
    if (!agree)
      failures.push(
        `λ path port check: ${c.name}: the peer's path differs from fusionPath (groups ${sameGroups ? 'same' : 'differ'}, max |Δβ| ${betaDiff.toExponential(1)})`,
      );
    return [
      c.name,
      String(c.input.b.length),
      `${js.path[0]?.numPairs ?? 0} / ${py.numPairs}`,
      String(js.path.length),
      groupsJs.join(' '),
      sameGroups ? 'yes' : 'NO',
      `${sameIterations}/${js.path.length} (${js.path.reduce((a, r) => a + r.iterations, 0)} / ${py.path.reduce((a, r) => a + r.iterations, 0)})`,
      gridDiff.toExponential(1),
      Number.isNaN(betaDiff) ? 'NaN' : betaDiff.toExponential(1),
      objDiff.toExponential(1),
      agree ? 'agree' : 'DIFFER',
    ];
  });
  console.log(
    formatTable(
      [
        'problem',
        'R',
        'pairs JS / peer',
        'λ > 0',
        'groups per λ (JS)',
        'same groups at every λ',
        'λ with equal ADMM iterations (total JS / peer)',
        'max rel. Δ grid',
        'max |Δβ|',
        'max |Δ objective|',
        'verdict',
      ],
      rows,
    ),
  );
  return failures;
}

export interface SpeedOptions {
  readonly quick?: boolean;
  /** Only these backends (default: every available one). */
  readonly backends?: readonly string[];
  /** Skip the R and n_r scaling tables. */
  readonly noScaling?: boolean;
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
/** Initialisation + rounds + λ path. */
const wholeMs = (s: FitStats) => (s.pathMs === undefined ? undefined : s.fitMs + s.pathMs);
const fmt = (x: number | undefined, d = 2) =>
  x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d);
const ratio = (x: number | undefined, ref: number | undefined) =>
  x === undefined || ref === undefined || !(ref > 0) ? '—' : `${(x / ref).toFixed(2)}×`;

async function availableBackends(only?: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of only ?? ['cpu', 'wasm', 'native', 'tfjs-node']) {
    const make = BACKENDS[name];
    if (!make) continue;
    const availability = await (await make()).isAvailable();
    if (availability.ok) out.push(name);
    else console.log(`(${name}: not available: ${availability.reason})`);
  }
  return out;
}

/**
 * The method's fit at a fixed amount of work on every available backend and in PyTorch (one
 * thread) on the same data, side by side; then how the time grows with R and n_r; then a profile
 * of one Adam step (kernels per step, time per kernel).
 */
export async function methodSpeed(options: SpeedOptions = {}): Promise<boolean> {
  const quick = options.quick ?? false;
  const work: SpeedWork = quick
    ? { R: 3, n: 40, p: 20, outer: 2, steps: 3, lambdas: 4 }
    : { R: 5, n: 120, p: 100, outer: 10, steps: 20, lambdas: 20 };
  const repeats = quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'hetmtl-speed-'));
  try {
    const backends = await availableBackends(options.backends);
    const base = writeData(dir, work);
    console.log(
      `\nThe method's fit at fixed work: factor simulation (seed 1) R = ${work.R}, n_r = ${work.n}, p = ${work.p}; ` +
        `linear encoders, K0 = ${MODEL.K0}, K1 = ${MODEL.K1}, μ = ${MODEL.mu}, ω = ${MODEL.omega}, τ = ${MODEL.tau}, ν = ${MODEL.nu}; ` +
        `initialisation + ${work.outer} rounds × [(a) ${work.steps} Adam steps, (b) ${work.steps} Adam steps, (c) rescale, (d) coefficients], ` +
        `then the λ path on the final encoders (the coefficient problem, a ${work.lambdas}-point grid, mcp by ADMM with warm starts; ` +
        'PyTorch: a torch float64 port of fusionPath, checked against it below). No early stopping. ' +
        `Each backend twice: 'autodiff (before)' = tfjs's tape and tfjs's Adam (the model's step before the fused one), ` +
        "'fused' = the model's default (the analytic gradient for linear encoders and the fused Adam update). " +
        `Medians of ${repeats} interleaved round(s) (cpu: 1), one fit per process after a warm-up, every row and PyTorch in each round. ` +
        'Whole fit = init + rounds + λ path (the final objective is taken before the path).\n',
    );
    // Repeats interleaved (A B A B …): every backend in both gradient modes, then PyTorch, one fit
    // per process, round after round; medians across rounds. A busy spell hits every row alike.
    const modes: GradientMode[] = ['autodiff', 'analytic'];
    const fitProblem = join(dir, 'fit-problem.json');
    const runs = new Map<string, FitStats[]>();
    const failed = new Map<string, string>();
    const torchRuns: FitStats[] = [];
    let torchFailure: string | undefined;
    const load0 = loadavg()[0];
    for (let rep = 0; rep < repeats; rep++) {
      for (const b of backends) {
        if (b === 'cpu' && rep > 0) continue; // cpu: one fit (20 s with autodiff)
        for (const gradient of modes) {
          const key = `${b}|${gradient}`;
          if (failed.has(key)) continue;
          const r = runWorker({
            backend: b,
            data: base,
            work,
            repeats: 1,
            profile: rep === 0,
            gradient,
            ...(rep === 0 && b === backends[0] && gradient === 'analytic'
              ? { dumpProblem: fitProblem }
              : {}),
          });
          if (typeof r === 'string') failed.set(key, r);
          else runs.set(key, [...(runs.get(key) ?? []), r]);
        }
      }
      if (torchFailure === undefined) {
        const t = runTorch(base, work, 1, rep === 0);
        if (typeof t === 'string') torchFailure = t;
        else torchRuns.push(t);
      }
    }
    const load1 = loadavg()[0];
    const rows: { name: string; gradient: GradientMode; s: FitStats | string }[] = [];
    for (const b of backends)
      for (const gradient of modes) {
        const key = `${b}|${gradient}`;
        const got = runs.get(key);
        rows.push({
          name: b,
          gradient,
          s: got ? medianStats(got) : (failed.get(key) ?? 'not run'),
        });
      }
    const torch: FitStats | string =
      torchRuns.length > 0 ? medianStats(torchRuns) : (torchFailure ?? 'not run');
    console.log(
      `Load average (1 min): ${load0.toFixed(2)} before, ${load1.toFixed(2)} after the runs (${repeats} interleaved round(s)).`,
    );
    const ref = typeof torch === 'string' ? undefined : torch;
    const header = [
      'backend',
      'ms/Adam step (a)',
      'ms/Adam step (b)',
      '× PyTorch (a)',
      '× PyTorch (b)',
      'init ms',
      'rescale ms',
      'coef ms',
      ...FIT_HEADERS,
      'peak RSS MB',
      'final objective',
    ];
    const modeLabel = (m: GradientMode) => (m === 'analytic' ? 'fused' : 'autodiff (before)');
    const line = (label: string, s: FitStats) => [
      label,
      fmt(s.msPerStepA),
      fmt(s.msPerStepB),
      ratio(s.msPerStepA, ref?.msPerStepA),
      ratio(s.msPerStepB, ref?.msPerStepB),
      fmt(s.initMs, 1),
      fmt(s.rescaleMs, 2),
      fmt(s.coefMs, 2),
      ...fitCells(s, ref),
      fmt(s.peakRssMB, 0),
      s.objective.toFixed(5),
    ];
    const table: string[][] = [];
    const failures: string[] = [];
    for (const r of rows) {
      if (typeof r.s === 'string') failures.push(`${r.name} ${r.gradient}: failed: ${r.s}`);
      else table.push(line(`${r.s.label ?? r.name}, ${modeLabel(r.gradient)}`, r.s));
    }
    if (ref) table.push(line(ref.label ?? 'PyTorch', ref));
    console.log(formatTable(header, table));
    if (typeof torch === 'string') console.log(`PyTorch reference not run: ${torch}`);
    for (const f of failures) console.log(`(${f})`);

    // The peer's λ path against fusionPath on the same problems: the first backend's final
    // coefficient problem and a planted one with R > 30 (the k-nearest-neighbour fusion graph).
    const checks: { name: string; input: PathCheckInput }[] = [];
    if (existsSync(fitProblem)) {
      const input = JSON.parse(readFileSync(fitProblem, 'utf8')) as PathCheckInput;
      checks.push({ name: `the fit's final problem (${backends[0]})`, input });
    }
    checks.push({
      name: 'planted, 4 groups',
      input: pathCheckInput(plantedProblem(40, MODEL.K0, 4, 7), work.lambdas),
    });
    failures.push(...checkPathPort(dir, checks));

    // Profile of one Adam step.
    console.log(
      '\nProfile of one Adam step (tf.profile over a block run, per step; wall time from the table above):\n',
    );
    const prof: string[][] = [];
    for (const r of rows) {
      if (typeof r.s === 'string' || !r.s.profile) continue;
      const p = r.s.profile;
      const wallB = r.s.msPerStepB;
      const before = rows.find((x) => x.name === r.name && x.gradient === 'autodiff')?.s;
      prof.push([
        `${r.s.label ?? r.name}, ${modeLabel(r.gradient)}`,
        fmt(r.s.msPerStepA, 3),
        ratio(r.s.msPerStepA, typeof before === 'string' ? undefined : before?.msPerStepA),
        ratio(r.s.msPerStepB, typeof before === 'string' ? undefined : before?.msPerStepB),
        ratio(wholeMs(r.s), typeof before === 'string' || !before ? undefined : wholeMs(before)),
        fmt(p.kernelsPerStepA, 0),
        fmt(p.kernelsPerStepB, 0),
        r.gradient === 'autodiff' ? fmt(p.forwardKernels, 0) : '—',
        fmt(p.kernelMsPerStepB, 3),
        fmt(wallB, 3),
        Number.isFinite(p.kernelMsPerStepB)
          ? `${((100 * p.kernelMsPerStepB) / wallB).toFixed(0)}%`
          : '—',
        fmt((1000 * wallB) / p.kernelsPerStepB, 1),
        p.topKernelsB.map(([k, c]) => `${k} ${Number.isInteger(c) ? c : c.toFixed(1)}`).join(', '),
      ]);
    }
    if (ref?.opsPerStepB !== undefined)
      prof.push([
        ref.label ?? 'PyTorch',
        fmt(ref.msPerStepA, 3),
        '—',
        '—',
        '—',
        '—',
        `${ref.opsPerStepB} aten ops`,
        '—',
        '—',
        fmt(ref.msPerStepB, 3),
        '—',
        fmt((1000 * ref.msPerStepB) / ref.opsPerStepB, 1),
        '',
      ]);
    console.log(
      formatTable(
        [
          'backend, step',
          'wall ms/step (a)',
          '× autodiff (a)',
          '× autodiff (b)',
          '× autodiff (whole fit)',
          'kernels/step (a)',
          'kernels/step (b)',
          'of which forward',
          'kernel ms/step (b)',
          'wall ms/step (b)',
          'kernels share of wall (b)',
          'µs wall per kernel (b)',
          'most frequent kernels per step (b)',
        ],
        prof,
      ),
    );

    if (!options.noScaling) {
      await scaling(dir, work, backends, quick);
    }
    return failures.length === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FIT_HEADERS = [
  'init + rounds s',
  '× PyTorch (init + rounds)',
  'λ path s',
  'ADMM iterations',
  '× PyTorch (λ path)',
  'whole fit s',
  '× PyTorch (whole fit)',
];

/** Init + rounds, λ path and whole fit (the columns FIT_HEADERS): seconds and ratios to the reference. */
function fitCells(s: FitStats, ref: FitStats | undefined): string[] {
  return [
    fmt(s.fitMs / 1000, 3),
    ratio(s.fitMs, ref?.fitMs),
    fmt(seconds(s.pathMs), 3),
    s.pathIterations === undefined ? '—' : String(s.pathIterations),
    ratio(s.pathMs, ref?.pathMs),
    fmt(seconds(wholeMs(s)), 3),
    ratio(wholeMs(s), ref && wholeMs(ref)),
  ];
}

function scalingRow(w: SpeedWork, label: string, s: FitStats, ref: FitStats | undefined): string[] {
  return [
    String(w.R),
    String(w.n),
    label,
    fmt(s.msPerStepA),
    fmt(s.msPerStepB),
    ...fitCells(s, ref),
    fmt(s.peakRssMB, 0),
  ];
}

async function scaling(
  dir: string,
  work: SpeedWork,
  backends: readonly string[],
  quick: boolean,
): Promise<void> {
  const fastest = backends.includes('native')
    ? 'native'
    : backends.includes('wasm')
      ? 'wasm'
      : 'cpu';
  const Rs = quick ? [2] : [5, 50, 200];
  const ns = quick ? [60] : [50, 500, 5000];
  const cases: (SpeedWork & { smallest: boolean })[] = [
    ...Rs.map((R) => ({ ...work, R, smallest: R === Math.min(...Rs) })),
    ...ns.map((n) => ({ ...work, R: quick ? work.R : 5, n, smallest: n === Math.min(...ns) })),
  ];
  const smallest = (w: { smallest: boolean }) => w.smallest;
  console.log(
    `\nScaling (same fixed work per fit; ${fastest}, cpu at the smallest sizes, PyTorch; one fit each after a warm-up):\n`,
  );
  const rows: string[][] = [];
  for (const w of cases) {
    const base = writeData(dir, w);
    const torch = runTorch(base, w, 1, false);
    const ref = typeof torch === 'string' ? undefined : torch;
    const names = [
      fastest,
      ...(fastest !== 'cpu' && smallest(w) && backends.includes('cpu') ? ['cpu'] : []),
    ];
    for (const b of names) {
      const s = runWorker({ backend: b, data: base, work: w, repeats: 1, profile: false });
      if (typeof s === 'string') {
        rows.push([String(w.R), String(w.n), b, `failed: ${s}`]);
        continue;
      }
      rows.push(scalingRow(w, s.label ?? b, s, ref));
    }
    rows.push(
      ref
        ? scalingRow(w, ref.label ?? 'PyTorch', ref, ref)
        : [String(w.R), String(w.n), 'PyTorch', `not run: ${torch}`],
    );
  }
  console.log(
    formatTable(
      ['R', 'n_r', 'backend', 'ms/step (a)', 'ms/step (b)', ...FIT_HEADERS, 'peak RSS MB'],
      rows,
    ),
  );
}
