import { cpuBackend } from '@hetmtl/backend-cpu';
import { nativeBackend } from '@hetmtl/backend-native';
import { tfjsNodeBackend } from '@hetmtl/backend-tfjs-node';
import { wasmBackend } from '@hetmtl/backend-wasm';
import { type BackendPlugin, useBackend } from '@hetmtl/tensor';

/** The backend plugins the bench and the demo know, by name. */
export const BACKENDS: Readonly<Record<string, () => BackendPlugin>> = {
  cpu: () => cpuBackend(),
  wasm: () => wasmBackend(),
  'tfjs-node': () => tfjsNodeBackend(),
  native: () => nativeBackend(),
};

/**
 * Switches to the named backend, or when none is named to the fastest that loads here (native, then
 * wasm), saying so on stderr when native is unavailable. Returns the backend's name.
 */
export async function selectBackend(name?: string): Promise<string> {
  if (name) {
    const make = BACKENDS[name];
    if (!make) {
      throw new Error(`unknown backend "${name}" (known: ${Object.keys(BACKENDS).join(', ')})`);
    }
    return (await useBackend(make())).name;
  }
  try {
    return (await useBackend(nativeBackend())).name;
  } catch (e) {
    console.error(`native backend unavailable (${(e as Error).message}); using wasm`);
    return (await useBackend(wasmBackend())).name;
  }
}
