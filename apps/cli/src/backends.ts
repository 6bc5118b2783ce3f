import {
  type ActiveBackend,
  BackendUnavailableError,
  type BackendPlugin,
  loadBackend,
  useBackend,
} from '@hetmtl/tensor';
import { BACKEND_NAMES, DEFAULT_BACKEND } from './choices.js';
import { CliError, UsageError } from './errors.js';

/**
 * The backend plugins the command knows, by name: @hetmtl/tensor's `loadBackend`, which imports each
 * backend package on first use (resolved from here), so a command that needs no backend (info,
 * simulate) never loads TensorFlow.js's WASM binary or tfjs-node.
 */
export const BACKENDS: Readonly<Record<string, () => Promise<BackendPlugin>>> = Object.fromEntries(
  BACKEND_NAMES.map((name) => [name, () => loadBackend(name, { resolveFrom: import.meta.url })]),
);

export { BACKEND_NAMES, DEFAULT_BACKEND };

/**
 * Activates a backend by name. An unknown name is a usage error; a backend that cannot run here is a
 * CliError built from the library's structured remedy (`{ reason, fix, alternatives }`), in flags.
 */
export async function activateBackend(name: string = DEFAULT_BACKEND): Promise<ActiveBackend> {
  const make = BACKENDS[name];
  if (!make) {
    throw new UsageError(
      `unknown backend "${name}"`,
      `Choose one of ${BACKEND_NAMES.join(', ')} (--backend ${DEFAULT_BACKEND} is the default)`,
    );
  }
  try {
    return await useBackend(await make());
  } catch (e) {
    if (!BackendUnavailableError.isInstance(e) || e.backend !== name) throw e;
    const { reason, fix } = e.remedy;
    throw new CliError(
      `backend "${name}" is not available here: ${reason}`,
      `${fix ? `${fix}; or ` : ''}run with --backend ${DEFAULT_BACKEND} (the default) or --backend cpu`,
      { cause: e },
    );
  }
}

/** "wasm (SIMD)" and the like, for reports. */
export function describeBackend(b: ActiveBackend): string {
  return `${b.name}${b.simd ? ' (SIMD)' : ''}`;
}
