import { setTransposeARouting } from '@hetmtl/backend-wasm';
import { Random, type Tensor, tf, useBackend } from '@hetmtl/tensor';
import { BACKENDS } from './backends.js';
import { formatTable } from './table.js';

export interface MlpSpeedOptions {
  readonly n?: number;
  readonly p?: number;
  readonly hidden?: number;
  readonly steps?: number;
  /** Steps on the slow cpu backend (its time is reported per step). */
  readonly cpuSteps?: number;
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
  const finalLoss = (await (last as Tensor).data())[0] as number;
  const ms = performance.now() - t0;
  tf.dispose([last as Tensor, x, y, w1, b1, w2]);
  opt.dispose();
  return { label, steps, msPerStep: ms / steps, finalLoss };
}

/**
 * Times an MLP training loop (defaults: n = 2000, p = 100, 64 hidden, Adam) on cpu, wasm without
 * and with the transposeA routing, and tfjs-node when present. Prints ms per step and ratios to
 * the cpu baseline measured in the same run.
 */
export async function mlpSpeed(options: MlpSpeedOptions = {}): Promise<Timing[]> {
  const o: Required<MlpSpeedOptions> = {
    n: 2000,
    p: 100,
    hidden: 64,
    steps: 200,
    cpuSteps: 10,
    ...options,
  };
  const timings: Timing[] = [];
  await useBackend(BACKENDS.cpu!());
  timings.push(await timeTraining('cpu', o, o.cpuSteps));
  await useBackend(BACKENDS.wasm!());
  setTransposeARouting(false);
  timings.push(await timeTraining('wasm (tfjs transposeA path)', o, o.steps));
  setTransposeARouting(true);
  timings.push(await timeTraining('wasm (hetmtl: transposeA routed)', o, o.steps));
  const native = BACKENDS['tfjs-node']!();
  if ((await native.isAvailable()).ok) {
    await useBackend(native);
    timings.push(await timeTraining('tfjs-node', o, o.steps));
  }
  const base = timings[0] as Timing;
  console.log(
    `\n2-layer MLP, full-batch Adam: n = ${o.n}, p = ${o.p}, ${o.hidden} hidden, elu (ratios against cpu in this run)\n`,
  );
  console.log(
    formatTable(
      ['backend', 'steps', 'ms/step', `time for ${o.steps} steps`, 'speed-up vs cpu', 'final loss'],
      timings.map((t) => [
        t.label,
        String(t.steps),
        t.msPerStep.toFixed(2),
        `${((t.msPerStep * o.steps) / 1000).toFixed(2)} s`,
        `${(base.msPerStep / t.msPerStep).toFixed(1)}×`,
        t.finalLoss.toFixed(4),
      ]),
    ),
  );
  const [, slow, fast] = timings as [Timing, Timing, Timing];
  console.log(
    `\ntransposeA routing on wasm: ${(slow.msPerStep / fast.msPerStep).toFixed(2)}× faster per step`,
  );
  return timings;
}
