import {
  type BackendAvailability,
  BackendUnavailableError,
  type BackendPlugin,
  defineBackend,
  unavailable,
} from '@hetmtl/tensor';
import { requireFrom } from '#require';

export interface TfjsNodeBackendOptions {
  /** The package to load: `@tensorflow/tfjs-node` (default) or `@tensorflow/tfjs-node-gpu`. */
  readonly module?: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu';
  /** Directory to resolve the package from (default: this package's own location). */
  readonly resolveFrom?: string;
}

/** What to use instead (wasm needs no native download). */
const ALTERNATIVES = ['wasm', 'cpu'];

/**
 * TensorFlow.js's native backend (`@tensorflow/tfjs-node`, libtensorflow). It is an optional peer
 * dependency: its install downloads a prebuilt libtensorflow, which fails on machines without access
 * to that host. `isAvailable()` says why it cannot run; `useBackend()` then fails with a
 * `BackendUnavailableError` naming the remedy.
 */
export function tfjsNodeBackend(options: TfjsNodeBackendOptions = {}): BackendPlugin {
  const moduleName = options.module ?? '@tensorflow/tfjs-node';
  const require = requireFrom(options.resolveFrom);

  function probe(): BackendAvailability {
    if (require === undefined) {
      return unavailable(
        `${moduleName} runs only in Node (this is a browser or other non-Node bundle)`,
        '',
        ALTERNATIVES,
      );
    }
    try {
      require.resolve(moduleName);
    } catch {
      return unavailable(
        `${moduleName} is not installed`,
        `Install it with \`pnpm add ${moduleName}@4.22.0\` (its install downloads libtensorflow; it needs network access to the TensorFlow binaries host)`,
        ALTERNATIVES,
      );
    }
    try {
      require(moduleName);
    } catch (e) {
      return unavailable(
        `${moduleName} is installed but failed to load (${(e as Error).message.split('\n')[0]})`,
        `Its native addon is probably missing: reinstall it where its install can download libtensorflow (\`npm rebuild ${moduleName}\`)`,
        ALTERNATIVES,
      );
    }
    return { ok: true };
  }

  return defineBackend({
    kind: 'backend',
    specVersion: 1,
    name: 'tfjs-node',
    tfBackendName: 'tensorflow',
    config: { module: moduleName },
    isAvailable: async () => probe(),
    async setup() {
      const availability = probe();
      if (!availability.ok) {
        throw new BackendUnavailableError('tfjs-node', availability.reason, {
          fix: availability.fix,
          ...(availability.remedy ? { remedy: availability.remedy } : {}),
        });
      }
    },
    capabilities: async () => ({ simd: true, threads: 0 }),
  });
}
