import { BackendUnavailableError, type BackendPlugin, defineBackend, tf } from '@hetmtl/tensor';

/**
 * TensorFlow.js's pure-JavaScript CPU backend. Always available, in Node and browsers; the reference
 * every other backend is tested against. Slow for training: prefer wasm (or native) for real work.
 */
export function cpuBackend(): BackendPlugin {
  return defineBackend({
    kind: 'backend',
    specVersion: 1,
    name: 'cpu',
    tfBackendName: 'cpu',
    config: {},
    isAvailable: async () => ({ ok: true }),
    setup: async () => {
      if (tf.findBackendFactory('cpu') === null) {
        throw new BackendUnavailableError(
          'cpu',
          'the TensorFlow.js cpu backend is not registered',
          {
            fix: 'Check that one copy of @hetmtl/tensor and of @tensorflow/tfjs-core is installed',
          },
        );
      }
    },
    capabilities: async () => {
      // tfjs-cpu prints an advertisement for tfjs-node on its first tensor in Node; hetmtl users
      // choose backends through plugins, so silence it.
      const backend = tf.findBackend('cpu') as { firstUse?: boolean } | null;
      if (backend && 'firstUse' in backend) backend.firstUse = false;
      return { simd: false, threads: 1 };
    },
  });
}
