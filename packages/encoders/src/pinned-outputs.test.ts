import { cpuBackend } from '@hetmtl/backend-cpu';
import { countTensors, Random, tf, useBackend } from '@hetmtl/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEncoder } from './default-registry.js';
import { identity } from './identity.js';
import { linear } from './linear.js';
import { mlp } from './mlp.js';
import { CASES, input } from './test-fixtures/pinned-cases.js';
import pinned from './test-fixtures/pinned-outputs.json' with { type: 'json' };
import type { EncoderWeights } from './types.js';

// The initial weights and outputs of identity, linear and mlp, pinned from the encoders as they were
// before the plugin runtime (commit 8c6df7e): the same seed must give the same numbers.
type Pinned = {
  weights: EncoderWeights;
  output: number[];
  shape: number[];
  variables: string[];
  afterLinearMap?: number[];
};
const PINNED = pinned as Record<string, Pinned>;

beforeAll(async () => {
  await useBackend(cpuBackend());
});

function close(got: ArrayLike<number>, want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6);
}

describe('pinned numbers: same seed, same initial weights and outputs as before the runtime', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const before = countTensors();
      const want = PINNED[c.name];
      const spec =
        c.kind === 'identity' ? identity() : c.kind === 'linear' ? linear(c.config) : mlp(c.config);
      const e = buildEncoder(spec, {
        inputDim: c.p,
        outputDim: c.K,
        rng: new Random(c.seed),
        ...(c.tasks ? { tasks: c.tasks } : {}),
        name: 'pin',
      });
      expect(Object.keys(e.variables)).toEqual(want.variables);
      const weights = e.getWeights();
      expect(Object.keys(weights)).toEqual(Object.keys(want.weights));
      for (const [key, w] of Object.entries(want.weights)) {
        expect(weights[key]?.shape).toEqual(w.shape);
        close(weights[key]?.values ?? [], w.values);
      }
      const x = input(c);
      const run = () =>
        tf.tidy(() =>
          e.forward(c.tasks ? tf.tensor3d(x, [c.tasks, c.n, c.p]) : tf.tensor2d(x, [c.n, c.p])),
        );
      const y = run();
      expect(y.shape).toEqual(want.shape);
      close(y.dataSync(), want.output);
      y.dispose();
      if (want.afterLinearMap) {
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
      }
      e.dispose();
      expect(countTensors()).toBe(before);
    });
  }
});
