import { type BackendPlugin, backendRegistry, loadBackend, useBackend } from '@hetmtl/tensor';

/**
 * The backend plugins the bench and the demo know, by name: @hetmtl/tensor's `loadBackend` over its
 * `backendRegistry` (cpu, wasm, tfjs-node, native), each package imported on first use.
 */
export const BACKENDS: Readonly<Record<string, () => Promise<BackendPlugin>>> = Object.fromEntries(
  // cpu first: the order of the bench's tables.
  ['cpu', ...backendRegistry.kinds().filter((n) => n !== 'cpu')].map((name) => [
    name,
    () => loadBackend(name, { resolveFrom: import.meta.url }),
  ]),
);

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
    return (await useBackend(await make())).name;
  }
  try {
    return (await useBackend(await (BACKENDS.native as () => Promise<BackendPlugin>)())).name;
  } catch (e) {
    console.error(`native backend unavailable (${(e as Error).message}); using wasm`);
    return (await useBackend(await (BACKENDS.wasm as () => Promise<BackendPlugin>)())).name;
  }
}
