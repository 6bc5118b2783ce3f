import { encoderRegistry, type EncoderInstance } from '@hetmtl/encoders';
import { AdamBlock } from '@hetmtl/optimizer';
import {
  Pacer,
  type PrincipalSide,
  type Random,
  type Scalar,
  type Tensor,
  tf,
  topPrincipalDirections,
} from '@hetmtl/tensor';
import { solveCoefficients } from './coefficient-block.js';
import { restandardize } from './rescale.js';
import type { DualTrainer } from './trainer.js';

/**
 * The two-stage start of method.md §4: (1) g0 from the top-K0 principal directions of the pooled
 * standardised X; (2) each g_r from the top-K1 principal directions of task r's X after removing its
 * projection on the shared directions; then standardised factors and the unfused coefficients.
 * Each set of directions comes from the p×p covariance when p is at most the rows, else from the
 * rows' Gram matrix (N×N pooled, n_r×n_r per task; `topPrincipalDirections`), so a wide start
 * costs O(N²p), not O(p³).
 */
export async function start(
  tr: DualTrainer,
  rng: Random,
  signal?: AbortSignal,
  side: PrincipalSide | 'auto' = 'auto',
): Promise<void> {
  const { p, R, counts, data } = tr;
  const N = counts.reduce((a, b) => a + b, 0);
  const pooledMean = new Float64Array(p);
  data.X.forEach((X) => {
    for (let i = 0; i < X.length; i++) pooledMean[i % p] = pooledMean[i % p] + X[i] / N;
  });
  const centred = data.X.map((X) => {
    const Xc = new Float64Array(X.length);
    for (let i = 0; i < X.length; i++) Xc[i] = X[i] - pooledMean[i % p];
    return Xc;
  });
  // The pooled covariance's top directions: p×p when p ≤ N, else through the N×N Gram.
  const V0 =
    encoderRegistry.fixedOutputDim(tr.shared.spec, p) !== undefined
      ? null
      : topPrincipalDirections(centred, N, p, tr.K0, rng, { side }).vectors;
  if (V0) await fitLinearMap(tr, tr.shared, V0, pooledMean, null, signal);
  if (tr.specific) {
    const Ws: Float64Array[] = [];
    const means: Float64Array[] = [];
    const pacer = new Pacer(signal);
    for (let r = 0; r < R; r++) {
      await pacer.tick();
      const X = data.X[r];
      const n = counts[r];
      const mean = new Float64Array(p);
      for (let i = 0; i < X.length; i++) mean[i % p] = mean[i % p] + X[i] / n;
      const Xc = new Float64Array(X.length);
      for (let i = 0; i < X.length; i++) Xc[i] = X[i] - mean[i % p];
      if (V0) {
        // Xc ← Xc (I − V0 V0ᵀ)
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < tr.K0; k++) {
            let s = 0;
            for (let a = 0; a < p; a++) s += Xc[i * p + a] * V0[a * tr.K0 + k];
            for (let a = 0; a < p; a++) Xc[i * p + a] = Xc[i * p + a] - s * V0[a * tr.K0 + k];
          }
        }
      }
      Ws.push(topPrincipalDirections(Xc, n, p, tr.K1, rng, { side }).vectors);
      means.push(mean);
    }
    await fitLinearMap(tr, tr.specific, Ws, means, R, signal);
  }
  restandardize(tr, false);
  solveCoefficients(tr);
}

/** Sets a linear encoder exactly; pre-trains any other encoder to reproduce the linear map. */
async function fitLinearMap(
  tr: DualTrainer,
  enc: EncoderInstance,
  W: Float64Array | Float64Array[],
  mean: Float64Array | Float64Array[],
  tasks: number | null,
  signal?: AbortSignal,
): Promise<void> {
  if (enc.setLinearMap) {
    enc.setLinearMap(W, mean);
    return;
  }
  const vars = Object.values(enc.variables);
  if (vars.length === 0) return;
  const K = enc.outputDim;
  const { x, mask } = tr.train;
  const target = tf.tidy(() => {
    if (tasks === null) {
      const Wt = tf.tensor2d(Float32Array.from(W as Float64Array), [tr.p, K]);
      const m = tf.tensor1d(Float32Array.from(mean as Float64Array));
      return tf.matMul(tf.sub(x, m), Wt);
    }
    const Wt = tf.tensor3d(Float32Array.from((W as Float64Array[]).flatMap((v) => Array.from(v))), [
      tasks,
      tr.p,
      K,
    ]);
    const m = tf.tensor3d(
      Float32Array.from((mean as Float64Array[]).flatMap((v) => Array.from(v))),
      [tasks, 1, tr.p],
    );
    return tf.matMul(tf.sub(x, m), Wt);
  });
  const pre = new AdamBlock(
    'pretrain',
    vars,
    () =>
      tf.tidy(() => {
        const out = tasks === null ? tr.sharedRaw(x) : (enc.forward(x) as Tensor);
        return tf.div(
          tf.sum(tf.mul(tf.square(tf.sub(out, target)), mask)),
          tf.scalar(tr.counts.reduce((a, b) => a + b, 0) * K),
        ) as Scalar;
      }),
    { steps: 300, learningRate: 1e-2 },
  );
  try {
    await pre.run({ round: 0, ...(signal ? { signal } : {}) });
  } finally {
    pre.dispose();
    target.dispose();
  }
}
