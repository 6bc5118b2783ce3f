// The encoders on the wasm backend (no gradient for gather there): forward and the gradient of a
// masked loss of batched and unbatched encoders agree with the cpu backend.
import { cpuBackend } from '@hetmtl/backend-cpu';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { type BackendPlugin, countTensors, Random, tf, useBackend } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { buildEncoder } from './default-registry.js';
import { linear } from './linear.js';
import { mlp, mlpDefinition } from './mlp.js';
import { padTasks } from './pad-tasks.js';
import { EncoderRegistry } from './registry.js';
import { maxRelErr } from './test-fixtures/oracle.js';
import type { EncoderSpec } from './types.js';

const unbatchedMlp = new EncoderRegistry().register({
  ...mlpDefinition,
  kind: 'mlp-unbatched',
  batched: false,
});

async function run(
  backend: BackendPlugin,
  spec: EncoderSpec,
  registry?: EncoderRegistry,
): Promise<number[][]> {
  await useBackend(backend);
  const before = countTensors();
  const rng = new Random(17);
  const [p, K] = [6, 2];
  const counts = [5, 9, 3, 7];
  const X = counts.map((n) => Float64Array.from(rng.normals(n * p)));
  const build = registry ? registry.build.bind(registry) : buildEncoder;
  const e = build(spec, { inputDim: p, outputDim: K, rng, tasks: counts.length });
  const { x, mask } = padTasks(X, p);
  const y = tf.tensor3d(Float32Array.from(rng.normals(counts.length * x.shape[1] * K)), [
    counts.length,
    x.shape[1],
    K,
  ]);
  const out = tf.tidy(() => {
    const vars = Object.values(e.variables);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(tf.squaredDifference(e.forward(x), y), mask)) as tf.Scalar,
      vars,
    );
    return [
      Array.from(value.dataSync()),
      Array.from(e.forward(x).dataSync()),
      ...vars.map((v) => Array.from(grads[v.name]!.dataSync())),
    ];
  });
  tf.dispose([x, mask, y]);
  e.dispose();
  expect(countTensors()).toBe(before);
  return out;
}

describe('encoders on wasm', () => {
  it.each([
    ['batched mlp elu', mlp({ hidden: [8] })],
    ['batched mlp tanh, two layers', mlp({ hidden: [8, 4], activation: 'tanh' })],
    ['batched mlp relu', mlp({ hidden: [8], activation: 'relu' })],
    ['batched linear', linear()],
  ] as const)('%s: forward and masked-loss gradients match cpu', async (_label, spec) => {
    const want = await run(cpuBackend(), spec);
    const got = await run(wasmBackend(), spec);
    for (const [i, g] of got.entries()) expect(maxRelErr(g, want[i]!)).toBeLessThan(1e-4);
  });

  it("the registry's loop over tasks works on wasm too", async () => {
    const spec = { kind: 'mlp-unbatched', specVersion: 1, config: mlp({ hidden: [8] }).config };
    const want = await run(cpuBackend(), spec, unbatchedMlp);
    const got = await run(wasmBackend(), spec, unbatchedMlp);
    expect(got.length).toBe(2 + 4 * 4);
    for (const [i, g] of got.entries()) expect(maxRelErr(g, want[i]!)).toBeLessThan(1e-4);
    // Same seed, same weights as the batched mlp: same loss and outputs.
    const batched = await run(wasmBackend(), mlp({ hidden: [8] }));
    expect(maxRelErr(got[0]!, batched[0]!)).toBeLessThan(1e-5);
    expect(maxRelErr(got[1]!, batched[1]!)).toBeLessThan(1e-5);
  });
});
