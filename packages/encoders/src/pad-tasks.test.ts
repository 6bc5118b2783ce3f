import { cpuBackend } from '@hetmtl/backend-cpu';
import { countTensors, Random, tf, useBackend } from '@hetmtl/tensor';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildEncoder } from './default-registry.js';
import { mlp } from './mlp.js';
import { padTasks, unpadTasks } from './pad-tasks.js';

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

describe('padTasks', () => {
  it('stacks tasks into [R, nMax, p] with zero rows and a 0/1 row mask', () => {
    const X = [
      new Float64Array([1, 2, 3, 4]),
      new Float64Array([5, 6]),
      new Float64Array([7, 8, 9, 10, 11, 12]),
    ];
    const { x, mask, nMax, counts } = padTasks(X, 2);
    expect(nMax).toBe(3);
    expect(counts).toEqual([2, 1, 3]);
    expect(x.shape).toEqual([3, 3, 2]);
    expect(mask.shape).toEqual([3, 3, 1]);
    expect(Array.from(x.dataSync())).toEqual([
      1, 2, 3, 4, 0, 0, 5, 6, 0, 0, 0, 0, 7, 8, 9, 10, 11, 12,
    ]);
    expect(Array.from(mask.dataSync())).toEqual([1, 1, 0, 1, 0, 0, 1, 1, 1]);
    expect(unpadTasks(x, counts).map((a) => Array.from(a))).toEqual(X.map((a) => Array.from(a)));
    tf.dispose([x, mask]);
  });

  it('rejects a task whose length is not a multiple of p, naming the task', () => {
    expect(() => padTasks([new Float64Array(4), new Float64Array(3)], 2)).toThrow(/at task 1/);
    expect(() => padTasks([], 2)).toThrow(/at least one task/);
    expect(() => padTasks([new Float64Array(4)], 0)).toThrow(/number of features/);
  });

  it('a masked loss of the batched encoder equals the sum of per-task losses on the unpadded rows', () => {
    const rng = new Random(3);
    const [p, K] = [3, 2];
    const counts = [4, 1, 6];
    const X = counts.map((n) => Float64Array.from(Float32Array.from(rng.normals(n * p))));
    const e = buildEncoder(mlp({ hidden: [4] }), { inputDim: p, outputDim: K, rng, tasks: 3 });
    const padded = padTasks(X, p);
    const masked = tf.tidy(
      () =>
        tf.sum(tf.mul(tf.sum(tf.square(e.forward(padded.x)), 2, true), padded.mask)).dataSync()[0]!,
    );
    // Oracle: the same weights in one unbatched encoder per task, on each task's own rows.
    const single = buildEncoder(mlp({ hidden: [4] }), {
      inputDim: p,
      outputDim: K,
      rng: new Random(0),
    });
    const w = e.getWeights();
    let want = 0;
    for (let r = 0; r < 3; r++) {
      single.setWeights(
        Object.fromEntries(
          Object.entries(single.getWeights()).map(([k, sw]) => {
            const size = sw.values.length;
            return [k, { shape: sw.shape, values: w[k]!.values.slice(r * size, (r + 1) * size) }];
          }),
        ),
      );
      want += tf.tidy(
        () =>
          tf
            .sum(tf.square(single.forward(tf.tensor2d(Float32Array.from(X[r]!), [counts[r]!, p]))))
            .dataSync()[0]!,
      );
    }
    expect(Math.abs(masked - want) / want).toBeLessThan(1e-5);
    tf.dispose([padded.x, padded.mask]);
    e.dispose();
    single.dispose();
  });
});
