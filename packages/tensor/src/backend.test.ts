import { describe, expect, it } from 'vitest';
import { activeBackend, type BackendPlugin, defineBackend, useBackend } from './backend.js';
import { BackendUnavailableError, ValidationError } from './errors.js';
import { tf } from './tf.js';

const cpuLike = (name = 'test-cpu'): BackendPlugin => ({
  kind: 'backend',
  specVersion: 1,
  name,
  tfBackendName: 'cpu',
  config: {},
  isAvailable: async () => ({ ok: true }),
  setup: async () => {},
});

describe('useBackend', () => {
  it('activates a plugin and reports what is active', async () => {
    const info = await useBackend(cpuLike());
    expect(info).toEqual({
      name: 'test-cpu',
      tfBackendName: 'cpu',
      simd: false,
      threads: 1,
      floatPrecision: 32,
    });
    expect(tf.getBackend()).toBe('cpu');
    expect(activeBackend()?.name).toBe('test-cpu');
  });

  it('refuses an unavailable plugin with its reason and remedy, and keeps the current backend', async () => {
    await useBackend(cpuLike());
    const missing: BackendPlugin = {
      ...cpuLike('ghost'),
      tfBackendName: 'ghost',
      isAvailable: async () => ({ ok: false, reason: 'no ghost here', fix: 'Install ghost' }),
    };
    const err = await useBackend(missing).catch((e: unknown) => e);
    expect(BackendUnavailableError.isInstance(err)).toBe(true);
    expect((err as Error).message).toBe(
      'Backend "ghost" is not available: no ghost here. Install ghost',
    );
    expect(tf.getBackend()).toBe('cpu');
  });

  it('wraps a backend that tfjs cannot initialise', async () => {
    tf.registerBackend('always-fails', () => {
      throw new Error('boom');
    });
    const err = await useBackend({ ...cpuLike('broken'), tfBackendName: 'always-fails' }).catch(
      (e: unknown) => e,
    );
    expect(BackendUnavailableError.isInstance(err)).toBe(true);
    tf.removeBackend('always-fails');
    await tf.setBackend('cpu');
  });

  it('defineBackend rejects objects that are not plugins', () => {
    expect(() => defineBackend({ kind: 'encoder' } as unknown as BackendPlugin)).toThrow(
      ValidationError,
    );
    expect(() => defineBackend({ ...cpuLike(), name: '' })).toThrow(/no name/);
    expect(() =>
      defineBackend({ ...cpuLike(), setup: undefined } as unknown as BackendPlugin),
    ).toThrow(/setup/);
  });
});
