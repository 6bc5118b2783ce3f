// Training on the native backend agrees with cpu: an MLP + Adam loss trajectory (both GEMMs), with
// no tensor left behind, and the estimator's own fit (DualEncoderRegressor) predicts as on cpu.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { simulateFactor } from '@hetmtl/data';
import { DualEncoderRegressor } from '@hetmtl/model';
import {
  type BackendPlugin,
  countTensors,
  Random,
  type Tensor,
  tf,
  useBackend,
} from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { nativeBackend, nativeKernelStats, resetNativeKernelStats } from './index.js';
import { GEMMS, skipNative } from './test-fixtures/native.js';

/** Full-batch Adam on a 2-layer MLP (the shape of hetmtl's encoder updates); the loss at every step. */
async function mlpLosses(
  plugin: BackendPlugin,
  steps: number,
  activation: 'elu' | 'relu' | 'tanh' | 'sigmoid',
): Promise<number[]> {
  await useBackend(plugin);
  const rng = new Random(7);
  const n = 200;
  const p = 30;
  const h = 16;
  const x = tf.tensor2d(Float32Array.from(rng.normals(n * p)), [n, p]);
  const y = tf.tensor2d(Float32Array.from(rng.normals(n)), [n, 1]);
  const [w1, b1, w2] = tf.tidy(() => [
    tf.variable(tf.tensor2d(Float32Array.from(rng.normals(p * h, 0, Math.sqrt(1 / p))), [p, h])),
    tf.variable(tf.zeros([h])),
    tf.variable(tf.tensor2d(Float32Array.from(rng.normals(h, 0, Math.sqrt(1 / h))), [h, 1])),
  ]) as [tf.Variable, tf.Variable, tf.Variable];
  const opt = tf.train.adam(0.01);
  const loss = () =>
    tf.mean(
      tf.squaredDifference(tf.matMul(tf[activation](tf.add(tf.matMul(x, w1), b1)), w2), y),
    ) as tf.Scalar;
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const l = opt.minimize(loss, true) as Tensor;
    losses.push((await l.data())[0]);
    l.dispose();
  }
  opt.dispose();
  tf.dispose([x, y, w1, b1, w2]);
  return losses;
}

describe.skipIf(skipNative)('training on the native backend', () => {
  for (const activation of ['elu', 'relu', 'tanh', 'sigmoid'] as const) {
    it.each(GEMMS)(
      `MLP (${activation}) + Adam: 60 losses agree with cpu, no leaked tensors (%s GEMM)`,
      async (gemm) => {
        const want = await mlpLosses(cpuBackend(), 60, activation);
        const before = countTensors();
        resetNativeKernelStats();
        const got = await mlpLosses(nativeBackend({ gemm }), 60, activation);
        expect(countTensors()).toBe(before);
        for (let i = 0; i < want.length; i++)
          expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4 * Math.max(1, want[i]));
        expect(got[59]).toBeLessThan(got[0]);
        // Every kernel of the step ran natively.
        const fallbacks = Object.entries(nativeKernelStats()).filter(([, c]) => c.fallback > 0);
        expect(fallbacks).toEqual([]);
      },
    );
  }

  it.each(GEMMS)("the estimator's fit predicts as on cpu (%s GEMM)", async (gemm) => {
    const sim = simulateFactor({ seed: 1, numTasks: 4, n: 60, p: 12 });
    const fitAndPredict = async (plugin: BackendPlugin) => {
      await useBackend(plugin);
      const before = countTensors();
      // Without the linear floor the fitted model is the dual-encoder one, whose predictions run
      // through TensorFlow.js (the linear floor would predict in Float64 JavaScript on any backend).
      const model = new DualEncoderRegressor({
        seed: 1,
        maxRounds: 3,
        stepsPerBlock: 5,
        selection: { linearFloor: false, trunk: false },
      });
      await model.fit(sim.train);
      expect(model.summary().kind).toBe('dual');
      const predictions = sim.test
        .tasks()
        .map((t) => Array.from(model.predict(t.X, { task: t.name })));
      model.dispose();
      expect(countTensors()).toBe(before);
      return predictions.flat();
    };
    const want = await fitAndPredict(cpuBackend());
    resetNativeKernelStats();
    const got = await fitAndPredict(nativeBackend({ gemm }));
    const counts = nativeKernelStats();
    expect(counts.BatchMatMul?.native).toBeGreaterThan(0);
    expect(Object.values(counts).reduce((a, c) => a + c.fallback, 0)).toBe(0);
    let scale = 1;
    let err = 0;
    for (let i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]));
      err = Math.max(err, Math.abs(got[i] - want[i]));
    }
    expect(got.length).toBe(want.length);
    console.log(
      `fit predictions (${gemm}): max relative difference native vs cpu ${(err / scale).toExponential(2)} over ${want.length} predictions`,
    );
    expect(err / scale).toBeLessThan(1e-4);
  });
});
