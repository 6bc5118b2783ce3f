import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nativeBackend } from '@hetmtl/backend-native';
import { setTransposeARouting } from '@hetmtl/backend-wasm';
import { simulateFactor } from '@hetmtl/data';
import { DualEncoderRegressor } from '@hetmtl/model';
import { type BackendPlugin, Random, type Tensor, tf, useBackend } from '@hetmtl/tensor';
import { BACKENDS } from './backends.js';
import { formatTable } from './table.js';

export interface MlpSpeedOptions {
  readonly n?: number;
  readonly p?: number;
  readonly hidden?: number;
  readonly steps?: number;
  /** Steps on the slow cpu backend (its time is reported per step). */
  readonly cpuSteps?: number;
  /**
   * Also time one fit of the method (DualEncoderRegressor on the factor simulation, seed 1) on each
   * backend; `quick` shrinks it to seconds. Default: on, quick when steps < 50.
   */
  readonly methodFit?: false | { readonly quick: boolean };
}

interface Timing {
  readonly label: string;
  readonly steps: number;
  readonly msPerStep: number;
  readonly finalLoss: number;
}

/** Full-batch Adam on a 2-layer MLP (elu), the shape of hetmtl's encoder updates. */
async function timeTraining(
  label: string,
  o: Required<MlpSpeedOptions>,
  steps: number,
): Promise<Timing> {
  const rng = new Random(1);
  const x = tf.tensor2d(Float32Array.from(rng.normals(o.n * o.p)), [o.n, o.p]);
  const y = tf.tensor2d(Float32Array.from(rng.normals(o.n)), [o.n, 1]);
  const w1 = tf.variable(
    tf.tensor2d(Float32Array.from(rng.normals(o.p * o.hidden, 0, Math.sqrt(1 / o.p))), [
      o.p,
      o.hidden,
    ]),
  );
  const b1 = tf.variable(tf.zeros([o.hidden]));
  const w2 = tf.variable(
    tf.tensor2d(Float32Array.from(rng.normals(o.hidden, 0, Math.sqrt(1 / o.hidden))), [
      o.hidden,
      1,
    ]),
  );
  const opt = tf.train.adam(1e-3);
  const loss = () =>
    tf.mean(
      tf.squaredDifference(tf.matMul(tf.elu(tf.add(tf.matMul(x, w1), b1)), w2), y),
    ) as tf.Scalar;
  // Warm-up (kernel setup, first allocations), not timed.
  opt.minimize(loss, true)?.dispose();
  const t0 = performance.now();
  let last: Tensor | null = null;
  for (let i = 0; i < steps; i++) {
    last?.dispose();
    last = opt.minimize(loss, true);
  }
  const finalLoss = (await (last as Tensor).data())[0];
  const ms = performance.now() - t0;
  tf.dispose([last as Tensor, x, y, w1, b1, w2]);
  opt.dispose();
  return { label, steps, msPerStep: ms / steps, finalLoss };
}

/** The same work in PyTorch (apps/bench/peers/mlp_torch.py, one thread), or why it did not run. */
function pytorchTiming(o: Required<MlpSpeedOptions>): Timing | string {
  const script = fileURLToPath(new URL('../peers/mlp_torch.py', import.meta.url));
  const python = process.env.HETMTL_PYTHON ?? '/usr/bin/python3';
  const args = [
    script,
    '--n',
    o.n,
    '--p',
    o.p,
    '--hidden',
    o.hidden,
    '--steps',
    o.steps,
    '--threads',
    1,
  ].map(String);
  try {
    const out = execFileSync(python, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    });
    const r = JSON.parse(out.trim().split('\n').pop() as string) as {
      msPerStep: number;
      finalLoss: number;
      torch: string;
      threads: number;
    };
    return {
      label: `PyTorch ${r.torch} (${r.threads} thread)`,
      steps: o.steps,
      msPerStep: r.msPerStep,
      finalLoss: r.finalLoss,
    };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const why = /No module named 'torch'/.test(err.stderr ?? '')
      ? 'PyTorch is not installed (Debian: apt-get install python3-torch)'
      : err.message.split('\n')[0];
    return `${python} ${script}: ${why}`;
  }
}

interface FitTiming {
  readonly label: string;
  readonly seconds: number;
  readonly rmse: number;
}

/** One fit of the method on the active backend, after a small warm-up fit (JIT, first allocations). */
async function timeMethodFit(
  label: string,
  plugin: BackendPlugin,
  quick: boolean,
): Promise<FitTiming> {
  await useBackend(plugin);
  const sim = simulateFactor({ seed: 1, ...(quick ? { p: 30, n: 60 } : {}) });
  const options = { seed: 1, ...(quick ? { maxRounds: 3, numLambdas: 8 } : {}) };
  (
    await new DualEncoderRegressor({ ...options, maxRounds: 1, numLambdas: 4 }).fit(sim.train)
  ).dispose();
  const t0 = performance.now();
  const model = await new DualEncoderRegressor(options).fit(sim.train);
  const seconds = (performance.now() - t0) / 1000;
  const rmse = model.evaluate(sim.test).meanTaskRmse;
  model.dispose();
  return { label, seconds, rmse };
}

/**
 * Times an MLP training loop (defaults: n = 2000, p = 100, 64 hidden, Adam) on cpu, wasm without
 * and with the transposeA routing, native (built-in GEMM and OpenBLAS) and tfjs-node when present,
 * and the same loop in PyTorch (one thread) when it is installed. Prints ms per step and the time of
 * the whole loop (a "fit" of the MLP), with ratios to cpu and to PyTorch measured in the same run;
 * then the time of one fit of the method on each backend.
 */
export async function mlpSpeed(options: MlpSpeedOptions = {}): Promise<Timing[]> {
  const o: Required<MlpSpeedOptions> = {
    n: 2000,
    p: 100,
    hidden: 64,
    steps: 200,
    cpuSteps: 10,
    methodFit: { quick: (options.steps ?? 200) < 50 },
    ...options,
  };
  const timings: Timing[] = [];
  const fits: { label: string; plugin: BackendPlugin }[] = [];
  await useBackend(await BACKENDS.cpu!());
  timings.push(await timeTraining('cpu', o, o.cpuSteps));
  fits.push({ label: 'cpu', plugin: await BACKENDS.cpu!() });
  await useBackend(await BACKENDS.wasm!());
  setTransposeARouting(false);
  timings.push(await timeTraining('wasm (tfjs transposeA path)', o, o.steps));
  setTransposeARouting(true);
  timings.push(await timeTraining('wasm (hetmtl: transposeA routed)', o, o.steps));
  fits.push({ label: 'wasm', plugin: await BACKENDS.wasm!() });
  const notes: string[] = [];
  for (const [label, plugin] of [
    ['native (built-in GEMM)', nativeBackend({ gemm: 'builtin' })],
    ['native (OpenBLAS)', nativeBackend({ gemm: 'openblas' })],
  ] as const) {
    const availability = await plugin.isAvailable();
    if (!availability.ok) {
      notes.push(`${label}: not available: ${availability.reason}`);
      continue;
    }
    await useBackend(plugin);
    timings.push(await timeTraining(label, o, o.steps));
    fits.push({ label, plugin });
  }
  const tfjsNode = await BACKENDS['tfjs-node']!();
  if ((await tfjsNode.isAvailable()).ok) {
    await useBackend(tfjsNode);
    timings.push(await timeTraining('tfjs-node', o, o.steps));
  }
  const torch = pytorchTiming(o);
  if (typeof torch === 'string') notes.push(`PyTorch reference not run: ${torch}`);
  else timings.push(torch);
  const base = timings[0];
  const ref = typeof torch === 'string' ? undefined : torch;
  console.log(
    `\n2-layer MLP, full-batch Adam: n = ${o.n}, p = ${o.p}, ${o.hidden} hidden, elu; a fit = ${o.steps} steps ` +
      `(ratios against cpu and PyTorch in this run)\n`,
  );
  console.log(
    formatTable(
      [
        'backend',
        'steps',
        'ms/step',
        `time per fit (${o.steps} steps)`,
        'speed-up vs cpu',
        '× PyTorch time',
        'final loss',
      ],
      timings.map((t) => [
        t.label,
        String(t.steps),
        t.msPerStep.toFixed(2),
        `${((t.msPerStep * o.steps) / 1000).toFixed(2)} s`,
        `${(base.msPerStep / t.msPerStep).toFixed(1)}×`,
        ref ? `${(t.msPerStep / ref.msPerStep).toFixed(2)}×` : '—',
        t.finalLoss.toFixed(4),
      ]),
    ),
  );
  for (const note of notes) console.log(`(${note})`);
  const [, slow, fast] = timings as [Timing, Timing, Timing];
  console.log(
    `\ntransposeA routing on wasm: ${(slow.msPerStep / fast.msPerStep).toFixed(2)}× faster per step`,
  );
  if (o.methodFit) {
    const fitTimings: FitTiming[] = [];
    for (const f of fits)
      fitTimings.push(await timeMethodFit(f.label, f.plugin, o.methodFit.quick));
    const cpuFit = fitTimings[0];
    console.log(
      `\nOne fit of the method (DualEncoderRegressor, factor simulation seed 1${o.methodFit.quick ? ', quick' : ''}; after a warm-up fit):\n`,
    );
    console.log(
      formatTable(
        ['backend', 'fit time', 'speed-up vs cpu', 'mean test RMSE'],
        fitTimings.map((t) => [
          t.label,
          `${t.seconds.toFixed(2)} s`,
          `${(cpuFit.seconds / t.seconds).toFixed(1)}×`,
          t.rmse.toFixed(4),
        ]),
      ),
    );
  }
  return timings;
}
