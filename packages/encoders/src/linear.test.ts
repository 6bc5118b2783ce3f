import { cpuBackend } from '@hetmtl/backend-cpu';
import { countTensors, Random, tf, useBackend, ValidationError } from '@hetmtl/tensor';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildEncoder } from './default-registry.js';
import { linear } from './linear.js';
import { linearDecoder } from './linear-decoder.js';
import { dense, maxRelErr } from './test-fixtures/oracle.js';

let before = 0;
beforeAll(async () => {
  await useBackend(cpuBackend());
});
beforeEach(() => {
  before = countTensors();
});
afterEach(() => {
  expect(countTensors()).toBe(before);
});

const f32 = (x: ArrayLike<number>) => Float32Array.from(x);
const exact = (x: Float64Array) => Float64Array.from(f32(x));

describe('linear encoder', () => {
  it('spec: bias defaults to true; unknown options are rejected', () => {
    expect(linear()).toEqual({ kind: 'linear', specVersion: 1, config: { bias: true } });
    expect(linear({ bias: false }).config.bias).toBe(false);
    expect(() => linear({ hidden: [3] } as never)).toThrow(
      /Unknown option "hidden" for encoder "linear"/,
    );
  });

  it('forward is xW + b (Float64 oracle), variables w0 and b0', () => {
    const rng = new Random(4);
    const [n, p, K] = [7, 5, 3];
    const e = buildEncoder(linear(), { inputDim: p, outputDim: K, rng, name: 'shared' });
    expect(Object.keys(e.variables)).toEqual(['shared/w0', 'shared/b0']);
    const w = e.getWeights();
    w['shared/b0']!.values = [0.5, -1, 2];
    e.setWeights(w);
    const x = exact(rng.normals(n * p));
    const got = tf.tidy(() => e.forward(tf.tensor2d(f32(x), [n, p])).dataSync());
    expect(
      maxRelErr(got, dense(x, n, w['shared/w0']!.values, w['shared/b0']!.values, p, K)),
    ).toBeLessThan(1e-6);
    e.dispose();
  });

  it('setLinearMap sets x ↦ (x − mean)·W exactly (Float64 oracle)', () => {
    const rng = new Random(5);
    const [n, p, K] = [6, 4, 2];
    const e = buildEncoder(linear(), { inputDim: p, outputDim: K, rng });
    const W = exact(rng.normals(p * K));
    const mean = exact(rng.normals(p));
    e.setLinearMap!(W, mean);
    const x = exact(rng.normals(n * p));
    const centred = x.map((v, i) => v - mean[i % p]);
    const got = tf.tidy(() => e.forward(tf.tensor2d(f32(x), [n, p])).dataSync());
    expect(maxRelErr(got, dense(centred, n, W, undefined, p, K))).toBeLessThan(1e-5);
    e.dispose();
  });

  it('setLinearMap on a batched encoder: one map per task, or one for all', () => {
    const rng = new Random(6);
    const [R, n, p, K] = [3, 4, 3, 2];
    const e = buildEncoder(linear(), { inputDim: p, outputDim: K, rng, tasks: R });
    const Ws = [0, 1, 2].map(() => exact(rng.normals(p * K)));
    const means = [0, 1, 2].map(() => exact(rng.normals(p)));
    const x = exact(rng.normals(R * n * p));
    const check = (W: (r: number) => Float64Array, mean: (r: number) => Float64Array) => {
      const got = tf.tidy(() => e.forward(tf.tensor3d(f32(x), [R, n, p])).dataSync());
      for (let r = 0; r < R; r++) {
        const xr = x.subarray(r * n * p, (r + 1) * n * p).map((v, i) => v - mean(r)[i % p]);
        expect(
          maxRelErr(got.subarray(r * n * K, (r + 1) * n * K), dense(xr, n, W(r), undefined, p, K)),
        ).toBeLessThan(1e-5);
      }
    };
    e.setLinearMap!(Ws, means);
    check(
      (r) => Ws[r]!,
      (r) => means[r]!,
    );
    e.setLinearMap!(Ws[1]!, means[2]!);
    check(
      () => Ws[1]!,
      () => means[2]!,
    );
    expect(() => e.setLinearMap!(Ws.slice(0, 2), means)).toThrow(
      /wrong number of W.*one array for all tasks or 3/,
    );
    expect(() => e.setLinearMap!(Ws, [means[0]!, means[1]!, new Float64Array(2)])).toThrow(
      /wrong mean \(at task 2\)/,
    );
    e.dispose();
  });

  it('setLinearMap without a bias requires a zero mean', () => {
    const e = buildEncoder(linear({ bias: false }), {
      inputDim: 2,
      outputDim: 1,
      rng: new Random(1),
    });
    expect(() => e.setLinearMap!(new Float64Array([1, 2]), new Float64Array([1, 0]))).toThrow(
      ValidationError,
    );
    e.setLinearMap!(new Float64Array([1, 2]), new Float64Array(2));
    expect(e.getWeights().w0!.values).toEqual([1, 2]);
    e.dispose();
  });
});

describe('linearDecoder', () => {
  it('maps K factors back to p features with D (K×p), no bias', () => {
    const rng = new Random(7);
    const [n, K, p] = [5, 2, 4];
    const d = linearDecoder({ inputDim: K, outputDim: p, rng, name: 'decoder.shared' });
    expect(Object.keys(d.variables)).toEqual(['decoder.shared/w0']);
    expect(d.variables['decoder.shared/w0']!.shape).toEqual([K, p]);
    expect(d.spec).toEqual(linear({ bias: false }));
    const g = exact(rng.normals(n * K));
    const got = tf.tidy(() => d.forward(tf.tensor2d(f32(g), [n, K])).dataSync());
    expect(
      maxRelErr(got, dense(g, n, d.getWeights()['decoder.shared/w0']!.values, undefined, K, p)),
    ).toBeLessThan(1e-6);
    d.dispose();
  });

  it('batched: one D_r per task, [R, n, K] → [R, n, p]', () => {
    const d = linearDecoder({ inputDim: 2, outputDim: 4, rng: new Random(1), tasks: 3 });
    expect(d.variables.w0!.shape).toEqual([3, 2, 4]);
    const out = tf.tidy(() => d.forward(tf.ones([3, 5, 2])));
    expect(out.shape).toEqual([3, 5, 4]);
    out.dispose();
    d.dispose();
  });
});
