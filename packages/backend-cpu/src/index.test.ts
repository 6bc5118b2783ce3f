import { tf, useBackend } from '@hetmtl/tensor';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from './index.js';

describe('cpuBackend', () => {
  it('is always available and activates tfjs cpu', async () => {
    const plugin = cpuBackend();
    expect(await plugin.isAvailable()).toEqual({ ok: true });
    const info = await useBackend(plugin);
    expect(info).toMatchObject({
      name: 'cpu',
      tfBackendName: 'cpu',
      simd: false,
      threads: 1,
      floatPrecision: 32,
    });
    expect(tf.getBackend()).toBe('cpu');
    expect(Array.from(tf.tidy(() => tf.tensor1d([1, 2]).mul(3)).dataSync())).toEqual([3, 6]);
  });
});
