import { cpuBackend } from '@hetmtl/backend-cpu';
import { countTensors, Random, tf, useBackend, ValidationError } from '@hetmtl/tensor';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildEncoder, encoderRegistry } from './default-registry.js';
import { identity } from './identity.js';

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

describe('identity encoder', () => {
  it('g(x) = x with no variables; the output is a new tensor the caller may dispose', () => {
    const e = buildEncoder(identity(), { inputDim: 3, outputDim: 3, rng: new Random(1) });
    expect(e.variables).toEqual({});
    expect(e.getWeights()).toEqual({});
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const out = e.forward(x);
    expect(out).not.toBe(x);
    out.dispose();
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    x.dispose();
    e.dispose();
  });

  it('batched: [R, n, p] → [R, n, p]', () => {
    const e = buildEncoder(identity(), { inputDim: 2, outputDim: 2, rng: new Random(1), tasks: 2 });
    const values = tf.tidy(() =>
      Array.from(e.forward(tf.tensor3d([1, 2, 3, 4], [2, 1, 2])).dataSync()),
    );
    expect(values).toEqual([1, 2, 3, 4]);
    e.dispose();
  });

  it('K must equal p: a ValidationError that suggests linear or mlp', () => {
    let error: unknown;
    try {
      buildEncoder(identity(), { inputDim: 3, outputDim: 2, rng: new Random(1) });
    } catch (e) {
      error = e;
    }
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /expected outputDim = inputDim = 3, received outputDim 2.*linear\(\) or mlp\(\)/,
    );
    expect(encoderRegistry.fixedOutputDim(identity(), 7)).toBe(7);
  });

  it('takes no options, and setWeights accepts only {}', () => {
    expect(identity()).toEqual({ kind: 'identity', specVersion: 1, config: {} });
    expect(() => identity({ scale: 2 } as never)).toThrow(
      /Unknown option "scale" for encoder "identity": expected no options/,
    );
    const e = buildEncoder(identity(), { inputDim: 1, outputDim: 1, rng: new Random(1) });
    e.setWeights({});
    expect(() => e.setWeights({ w: { shape: [1], values: [1] } })).toThrow(
      /Unknown weight "w".*expected no weights/,
    );
    e.dispose();
  });
});
