import { cpuBackend } from '@hetmtl/backend-cpu';
import { nativeBackend } from '@hetmtl/backend-native';
import { tfjsNodeBackend } from '@hetmtl/backend-tfjs-node';
import { wasmBackend } from '@hetmtl/backend-wasm';
import type { BackendPlugin } from '@hetmtl/tensor';

/** The backend plugins the bench and the demo know, by name. */
export const BACKENDS: Readonly<Record<string, () => BackendPlugin>> = {
  cpu: () => cpuBackend(),
  wasm: () => wasmBackend(),
  'tfjs-node': () => tfjsNodeBackend(),
  native: () => nativeBackend(),
};
