import { cpuBackend } from '@hetmtl/backend-cpu';
import { encoderRegistry, type EncoderWeights } from '@hetmtl/encoders';
import { countTensors, Random, tf, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { sparseLinear } from './sparse-linear.js';
import pinned from './test-fixtures/pinned-sparse-linear.json' with { type: 'json' };

// Initial weights, outputs and the PCA-start map of the plugin, pinned from its 237-line version
// (before @hetmtl/encoders owned the mechanics): the same seed must give the same numbers.
type Case = {
  name: string;
  config: { l1?: number; bias?: boolean };
  p: number;
  K: number;
  n: number;
  seed: number;
  tasks?: number;
};
type Pinned = {
  case: Case;
  weights: EncoderWeights;
  output: number[];
  variables: string[];
  afterLinearMap?: number[];
  weightsAfterLinearMap?: EncoderWeights;
};

beforeAll(async () => {
  await useBackend(cpuBackend());
});

function close(got: ArrayLike<number>, want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6);
}

function sameWeights(got: EncoderWeights, want: EncoderWeights): void {
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const [key, w] of Object.entries(want)) {
    expect(got[key]?.shape).toEqual(w.shape);
    close(got[key]?.values ?? [], w.values);
  }
}

describe('sparseLinear: pinned numbers', () => {
  for (const [name, want] of Object.entries(pinned as Record<string, Pinned>)) {
    it(name, () => {
      const before = countTensors();
      const c = want.case;
      const e = encoderRegistry.build(sparseLinear(c.config), {
        inputDim: c.p,
        outputDim: c.K,
        rng: new Random(c.seed),
        ...(c.tasks ? { tasks: c.tasks } : {}),
        name: 'pin',
      });
      expect(Object.keys(e.variables)).toEqual(want.variables);
      sameWeights(e.getWeights(), want.weights);
      const size = (c.tasks ?? 1) * c.n * c.p;
      const x = Float32Array.from(
        { length: size },
        (_, i) => Math.cos(0.7 * i + c.seed) * (1 + (i % 3)),
      );
      const run = () =>
        tf.tidy(() =>
          e.forward(c.tasks ? tf.tensor3d(x, [c.tasks, c.n, c.p]) : tf.tensor2d(x, [c.n, c.p])),
        );
      const y = run();
      close(y.dataSync(), want.output);
      y.dispose();
      if (want.afterLinearMap && want.weightsAfterLinearMap) {
        const copies = c.tasks ?? 1;
        const W = Array.from({ length: copies }, (_, r) =>
          Float64Array.from({ length: c.p * c.K }, (_, i) => Math.sin(1 + i + 7 * r)),
        );
        const mean = Array.from({ length: copies }, (_, r) =>
          Float64Array.from({ length: c.p }, (_, i) => 0.1 * (i - r)),
        );
        e.setLinearMap?.(
          c.tasks ? W : (W[0] as Float64Array),
          c.tasks ? mean : (mean[0] as Float64Array),
        );
        const z = run();
        close(z.dataSync(), want.afterLinearMap);
        z.dispose();
        sameWeights(e.getWeights(), want.weightsAfterLinearMap);
      }
      e.dispose();
      expect(countTensors()).toBe(before);
    });
  }
});
