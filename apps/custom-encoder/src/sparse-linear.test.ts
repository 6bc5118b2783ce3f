import { cpuBackend } from '@hetmtl/backend-cpu';
import { buildEncoder, encoderRegistry, linear } from '@hetmtl/encoders';
import { Random, tf, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { effectiveWeights, SPARSE_LINEAR_KIND, sparseLinear, sparsity } from './sparse-linear.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

describe('sparseLinear: the spec', () => {
  it('is plain data with defaults, registered under its kind', () => {
    expect(sparseLinear()).toEqual({
      kind: SPARSE_LINEAR_KIND,
      specVersion: 1,
      config: { l1: 100, bias: true },
    });
    expect(JSON.parse(JSON.stringify(sparseLinear({ l1: 5 })))).toEqual(sparseLinear({ l1: 5 }));
    expect(encoderRegistry.has(SPARSE_LINEAR_KIND)).toBe(true);
  });

  it('refuses bad options with what was expected and the fix', () => {
    expect(() => sparseLinear({ l1: 0 })).toThrow(
      /Invalid option "l1".*expected a finite number > 0/,
    );
    expect(() => sparseLinear({ bias: 'yes' as never })).toThrow(/Invalid option "bias"/);
    expect(() => sparseLinear({ out: 3 } as never)).toThrow(/Unknown option "out".*K0, K1/);
  });
});

describe('sparseLinear: the L1 penalty through the weight decay', () => {
  it('setLinearMap sets x ↦ (x − mean)·W exactly', () => {
    const p = 4;
    const K = 2;
    const enc = buildEncoder(sparseLinear({ l1: 7 }), {
      inputDim: p,
      outputDim: K,
      rng: new Random(1),
    });
    const W = Float64Array.from([0.5, -1, 0, 2, 0.25, 0.125, -3, 1]);
    const mean = Float64Array.from([1, 2, 3, 4]);
    enc.setLinearMap?.(W, mean);
    const x = [1, 0, -1, 2];
    const out = tf.tidy(() => enc.forward(tf.tensor2d(x, [1, p])).dataSync());
    for (let k = 0; k < K; k++) {
      let want = 0;
      for (let i = 0; i < p; i++) want += (x[i] - mean[i]) * W[i * K + k];
      expect(out[k]).toBeCloseTo(want, 5);
    }
    const w = enc.getWeights();
    expect(Array.from(effectiveWeights(w, { l1: 7 }), (v) => Number(v.toFixed(5)))).toEqual(
      Array.from(W),
    );
    // v = √l1 everywhere: away from zero, so that u (and w) can change sign during training.
    for (const v of (w.v0 as { values: number[] }).values) expect(v).toBeCloseTo(Math.sqrt(7), 5);
    enc.dispose();
  });

  it('Adam with weight decay on (u, v) finds the lasso solution; the same decay on W (ridge) is dense', () => {
    // y depends on 3 of 20 features; fit g(x) = xW + b (K = 1) by Adam on the squared loss plus
    // ν/2·Σθ² over the encoder's variables — exactly what the model adds for its encoders.
    const rng = new Random(3);
    const n = 200;
    const p = 20;
    const X = Float32Array.from(rng.normals(n * p));
    const truth = [1.5, -1, 0.75];
    const y = Float32Array.from({ length: n }, (_, i) => {
      let s = 0.3 * rng.normal();
      truth.forEach((b, j) => {
        s += b * X[i * p + j];
      });
      return s;
    });
    const nu = 1e-3;
    const l1 = 300; // L1 strength λ = ν·l1 = 0.3
    const train = (spec: ReturnType<typeof linear>) => {
      const enc = buildEncoder(spec, { inputDim: p, outputDim: 1, rng: new Random(5) });
      const x = tf.tensor2d(X, [n, p]);
      const t = tf.tensor2d(y, [n, 1]);
      const opt = tf.train.adam(0.05);
      const vars = Object.values(enc.variables);
      for (let step = 0; step < 2000; step++) {
        const cost = opt.minimize(
          () =>
            tf.tidy(() =>
              tf.add(
                tf.div(tf.sum(tf.square(tf.sub(enc.forward(x), t))), 2 * n),
                tf.mul(nu / 2, tf.addN(vars.map((v) => tf.sum(tf.square(v))))),
              ),
            ) as tf.Scalar,
          true,
          vars,
        );
        cost?.dispose();
      }
      const w = enc.getWeights();
      tf.dispose([x, t]);
      opt.dispose();
      enc.dispose();
      return w;
    };
    const wSparse = effectiveWeights(train(sparseLinear({ l1 })), { l1 });
    const wRidge = Float64Array.from(
      (train(linear()) as Record<string, { values: number[] }>).w0?.values ?? [],
    );
    const oracle = lasso(X, y, n, p, nu * l1);
    // The oracle keeps the 3 true features and zeroes the 17 others.
    expect(Array.from(oracle, (w) => w !== 0)).toEqual(Array.from({ length: p }, (_, j) => j < 3));
    for (let j = 0; j < p; j++) {
      expect(Math.abs(wSparse[j] - oracle[j])).toBeLessThan(0.01);
      if (oracle[j] === 0) expect(Math.abs(wSparse[j])).toBeLessThan(1e-3);
    }
    expect(sparsity(wSparse, 1e-3)).toBeCloseTo(17 / 20, 10);
    // Ridge with the same decay keeps every weight: the irrelevant ones are 10× larger.
    const noise = (w: Float64Array) => Math.max(...Array.from(w.subarray(3), Math.abs));
    expect(noise(wRidge)).toBeGreaterThan(10 * noise(wSparse));
    expect(sparsity(wRidge, 1e-3)).toBeLessThan(0.1);
  });
});

/** Lasso by coordinate descent: argmin (1/2n)‖y − b − Xw‖² + λ‖w‖₁, intercept b unpenalised. */
function lasso(
  X: Float32Array,
  y: Float32Array,
  n: number,
  p: number,
  lambda: number,
): Float64Array {
  const mean = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] = mean[j] + X[i * p + j] / n;
  const ym = y.reduce((a, b) => a + b, 0) / n;
  const Xc = Float64Array.from(X, (v, k) => v - mean[k % p]);
  const r = Float64Array.from(y, (v) => v - ym);
  const w = new Float64Array(p);
  const sq = Array.from({ length: p }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Xc[i * p + j] ** 2;
    return s / n;
  });
  for (let sweep = 0; sweep < 500; sweep++) {
    for (let j = 0; j < p; j++) {
      let rho = 0;
      for (let i = 0; i < n; i++) rho += Xc[i * p + j] * (r[i] + Xc[i * p + j] * w[j]);
      rho /= n;
      const next = (Math.sign(rho) * Math.max(0, Math.abs(rho) - lambda)) / sq[j];
      const d = next - w[j];
      if (d !== 0) for (let i = 0; i < n; i++) r[i] = r[i] - d * Xc[i * p + j];
      w[j] = next;
    }
  }
  return w;
}
