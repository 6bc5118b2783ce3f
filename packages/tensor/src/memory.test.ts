import { beforeAll, describe, expect, it } from 'vitest';
import { HetmtlError } from './errors.js';
import { assertNoLeaks, countTensors, dispose, TensorScope, tidy, trackTensors } from './memory.js';
import { tf } from './tf.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tensor memory helpers', () => {
  it('trackTensors counts what a function leaves alive', async () => {
    const { value, leaked } = await trackTensors(() => [tf.ones([2]), tf.zeros([3])]);
    expect(leaked).toBe(2);
    dispose(value);
    const clean = await trackTensors(() => tidy(() => tf.ones([2]).add(1).sum().dataSync()[0]));
    expect(clean).toEqual({ value: 4, leaked: 0 });
  });

  it('assertNoLeaks throws on a leak and passes a clean function through', async () => {
    let kept: tf.Tensor | undefined;
    await expect(
      assertNoLeaks('leaky', () => {
        kept = tf.zeros([3]);
      }),
    ).rejects.toSatisfy(
      (e: unknown) =>
        HetmtlError.isInstance(e) && /leaky leaked 1 tensor/.test((e as Error).message),
    );
    dispose(kept as tf.Tensor);
    await expect(assertNoLeaks('clean', async () => 5)).resolves.toBe(5);
  });

  it('TensorScope disposes everything it tracked, across awaits', async () => {
    const before = countTensors();
    const scope = new TensorScope();
    const a = scope.track(tf.ones([2]));
    await Promise.resolve();
    scope.track([a.mul(2), { b: tf.zeros([1]) }]);
    expect(countTensors()).toBe(before + 3);
    scope.dispose();
    expect(countTensors()).toBe(before);
  });
});
