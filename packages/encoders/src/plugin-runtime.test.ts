import { cpuBackend } from '@hetmtl/backend-cpu';
import { countTensors, HetmtlError, Random, tf, useBackend, ValidationError } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEncoder, encoderRegistry } from './default-registry.js';
import { defineEncoder } from './define-encoder.js';
import { identity } from './identity.js';
import { linear } from './linear.js';
import { mlp } from './mlp.js';
import { EncoderRegistry } from './registry.js';

beforeAll(async () => {
  await useBackend(cpuBackend());
});

const read = (t: tf.Tensor): Float32Array => {
  const v = Float32Array.from(t.dataSync() as Float32Array);
  t.dispose();
  return v;
};

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return a.length === b.length ? d : Number.POSITIVE_INFINITY;
}

describe('the plugin runtime', () => {
  it('forwardTask(x, r) is task r of the batched forward, without padding the other tasks', () => {
    const before = countTensors();
    for (const spec of [
      mlp({ hidden: [4], activation: 'tanh' }),
      linear(),
      linear({ bias: false }),
      identity(),
    ]) {
      const p = 3;
      const K = spec.kind === 'identity' ? 3 : 2;
      const R = 4;
      const n = 5;
      const e = buildEncoder(spec, { inputDim: p, outputDim: K, rng: new Random(21), tasks: R });
      const xr = Float32Array.from({ length: n * p }, (_, i) => Math.sin(i));
      for (let r = 0; r < R; r++) {
        const padded = new Float32Array(R * n * p);
        padded.set(xr, r * n * p);
        const all = read(
          tf.tidy(() => tf.slice(e.forward(tf.tensor3d(padded, [R, n, p])), [r, 0, 0], [1, n, K])),
        );
        const one = tf.tidy(() => e.forwardTask?.(tf.tensor2d(xr, [n, p]), r) as tf.Tensor);
        expect(one.shape).toEqual([n, K]);
        expect(maxDiff(read(one), all)).toBeLessThanOrEqual(1e-6);
      }
      const z = tf.zeros([1, p]);
      expect(() => e.forwardTask?.(z, R)).toThrow(/no task 4.*\[0, 3\]/);
      z.dispose();
      e.dispose();
    }
    // Unbatched: task 0 is the encoder itself.
    const u = buildEncoder(mlp(), { inputDim: 2, outputDim: 1, rng: new Random(2) });
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    expect(
      maxDiff(
        read(tf.tidy(() => u.forwardTask?.(x, 0) as tf.Tensor)),
        read(tf.tidy(() => u.forward(x))),
      ),
    ).toBe(0);
    x.dispose();
    u.dispose();
    expect(countTensors()).toBe(before);
  });

  it('a plugin of ~10 lines gets variables, names, stacking, weights, dispose and the guard', () => {
    const registry = new EncoderRegistry();
    const scaled = defineEncoder<{ s: number }>(
      {
        kind: 'test:scaled',
        specVersion: 1,
        normalizeConfig: (c) => ({ s: 1, ...(c as object) }),
        params: (_c, { inputDim: p, outputDim: K }) => ({
          w: { shape: [p, K], init: 'glorot-normal' },
          c: { shape: [K], init: 'zeros', row: true },
        }),
        apply: (c, { w, c: b }, x) =>
          tf.add(tf.mul(tf.matMul(x, w as tf.Tensor), c.s), b as tf.Tensor),
      },
      { registry },
    );
    const before = countTensors();
    const one = registry.build(scaled({ s: 2 }), {
      inputDim: 3,
      outputDim: 2,
      rng: new Random(4),
      name: 'enc',
    });
    const many = registry.build(scaled({ s: 2 }), {
      inputDim: 3,
      outputDim: 2,
      rng: new Random(4),
      tasks: 2,
      name: 'enc',
    });
    expect(Object.keys(one.variables)).toEqual(['enc/w', 'enc/c']);
    expect(one.getWeights()['enc/c']?.shape).toEqual([2]);
    expect(many.getWeights()['enc/c']?.shape).toEqual([2, 1, 2]);
    expect(many.getWeights()['enc/w']?.shape).toEqual([2, 3, 2]);
    // Task 0 of the batched build draws from the first child of the generator.
    const child = registry.build(scaled({ s: 2 }), {
      inputDim: 3,
      outputDim: 2,
      rng: new Random(4).child(),
      name: 'enc',
    });
    expect(many.getWeights()['enc/w']?.values.slice(0, 6)).toEqual(
      child.getWeights()['enc/w']?.values,
    );
    expect(one.setLinearMap).toBeUndefined();
    for (const e of [one, many, child]) e.dispose();
    expect(countTensors()).toBe(before);
    const z = tf.zeros([1, 3]);
    expect(() => one.forward(z)).toThrow(HetmtlError);
    expect(() => one.getWeights()).toThrow(/was disposed/);
    expect(() => one.forwardTask?.(z, 0)).toThrow(/was disposed/);
    z.dispose();
  });

  it('checks what a plugin returns: the shape of apply, the size of an initialiser', () => {
    const registry = new EncoderRegistry();
    const wrong = defineEncoder(
      {
        kind: 'test:wrong',
        specVersion: 1,
        normalizeConfig: () => ({}),
        params: () => ({}),
        apply: (_c, _p, x) => tf.sum(x, -1),
      },
      { registry },
    );
    const e = registry.build(wrong(), { inputDim: 2, outputDim: 1, rng: new Random(1) });
    expect(() => tf.tidy(() => e.forward(tf.zeros([3, 2])))).toThrow(
      /apply\(\) returned the wrong shape: expected \[1,3,1\], received \[1,3\]/,
    );
    e.dispose();
    const short = defineEncoder(
      {
        kind: 'test:short',
        specVersion: 1,
        normalizeConfig: () => ({}),
        params: () => ({ w: { shape: [2, 2], init: () => [1, 2, 3] } }),
        apply: (_c, { w }, x) => tf.matMul(x, w as tf.Tensor),
      },
      { registry },
    );
    expect(() =>
      registry.build(short(), { inputDim: 2, outputDim: 2, rng: new Random(1) }),
    ).toThrow(/returned 3 values: expected 4 values/);
  });

  it('traits: fixedOutputDim (identity), linearMap only for linear configs, widen for the width grid', () => {
    expect(encoderRegistry.fixedOutputDim(identity(), 7)).toBe(7);
    expect(encoderRegistry.fixedOutputDim(mlp(), 7)).toBeUndefined();
    expect(encoderRegistry.widen(mlp({ hidden: [3, 5] }), 8)).toEqual(mlp({ hidden: [8, 8] }));
    expect(encoderRegistry.widen(linear(), 8)).toBeUndefined();
    const deep = buildEncoder(mlp({ hidden: [2] }), {
      inputDim: 2,
      outputDim: 1,
      rng: new Random(1),
    });
    const flat = buildEncoder(mlp({ hidden: [] }), {
      inputDim: 2,
      outputDim: 1,
      rng: new Random(1),
    });
    expect(deep.setLinearMap).toBeUndefined();
    expect(typeof flat.setLinearMap).toBe('function');
    const nobias = buildEncoder(linear({ bias: false }), {
      inputDim: 2,
      outputDim: 1,
      rng: new Random(1),
    });
    expect(() => nobias.setLinearMap?.(Float64Array.of(1, 2), Float64Array.of(1, 0))).toThrow(
      /no bias, so the mean must be zero.*linear\(\{ bias: true \}\)/,
    );
    nobias.setLinearMap?.(Float64Array.of(1, 2), Float64Array.of(0, 0));
    expect(nobias.getWeights().w0?.values).toEqual([1, 2]);
    for (const e of [deep, flat, nobias]) e.dispose();
    expect(() =>
      buildEncoder(identity(), { inputDim: 3, outputDim: 2, rng: new Random(1) }),
    ).toThrow(ValidationError);
  });
});
