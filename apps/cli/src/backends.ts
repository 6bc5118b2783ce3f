import { type ActiveBackend, type BackendPlugin, useBackend } from '@hetmtl/tensor';
import { BACKEND_NAMES, DEFAULT_BACKEND } from './choices.js';
import { CliError, UsageError } from './errors.js';

/**
 * The backend plugins the command knows, by name (the same map as apps/bench). Each is loaded on
 * first use, so a command that needs no backend (info, simulate) never loads TensorFlow.js's
 * WASM binary or tfjs-node.
 */
export const BACKENDS: Readonly<Record<string, () => Promise<BackendPlugin>>> = {
  wasm: async () => (await import('@hetmtl/backend-wasm')).wasmBackend(),
  cpu: async () => (await import('@hetmtl/backend-cpu')).cpuBackend(),
  'tfjs-node': async () => (await import('@hetmtl/backend-tfjs-node')).tfjsNodeBackend(),
  native: async () => (await import('@hetmtl/backend-native')).nativeBackend(),
};

export { BACKEND_NAMES, DEFAULT_BACKEND };

/**
 * Activates a backend by name. An unknown name is a usage error; a backend that cannot run here is a
 * BackendUnavailableError from @hetmtl/tensor whose message names the remedy.
 */
export async function activateBackend(name: string = DEFAULT_BACKEND): Promise<ActiveBackend> {
  const make = BACKENDS[name];
  if (!make) {
    throw new UsageError(
      `unknown backend "${name}"`,
      `Choose one of ${BACKEND_NAMES.join(', ')} (--backend ${DEFAULT_BACKEND} is the default)`,
    );
  }
  const plugin = await make();
  const availability = await plugin.isAvailable();
  if (!availability.ok) {
    // The plugin's fix speaks to library users (wasmBackend()); say it in command-line terms.
    const fix = (availability.fix ?? '')
      .split(/(?<=\.)\s+/)
      .filter((s) => s !== '' && !/Backend\(\)/.test(s))
      .join(' ')
      .replace(/\.$/, '');
    throw new CliError(
      `backend "${name}" is not available here: ${availability.reason}`,
      `${fix ? `${fix}; or ` : ''}run with --backend ${DEFAULT_BACKEND} (the default) or --backend cpu`,
    );
  }
  return useBackend(plugin);
}

/** "wasm (SIMD)" and the like, for reports. */
export function describeBackend(b: ActiveBackend): string {
  return `${b.name}${b.simd ? ' (SIMD)' : ''}`;
}
