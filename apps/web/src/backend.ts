import { type ActiveBackend, useBackendByName } from '@hetmtl/tensor';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

let active: Promise<ActiveBackend> | undefined;

/**
 * Activates the WASM backend once, through @hetmtl/tensor's loader (the page imports the backend
 * package itself: a bundler needs the literal specifier). The binaries are bundled by Vite (`?url`
 * imports, copied into dist/assets), so the page needs no network after it is served.
 */
export function activateWasm(): Promise<ActiveBackend> {
  active ??= useBackendByName('wasm', {
    import: () => import('@hetmtl/backend-wasm'),
    options: {
      wasmPaths: {
        'tfjs-backend-wasm.wasm': new URL(plainWasm, location.href).href,
        'tfjs-backend-wasm-simd.wasm': new URL(simdWasm, location.href).href,
        'tfjs-backend-wasm-threaded-simd.wasm': new URL(threadedWasm, location.href).href,
      },
    },
  }).catch((e: unknown) => {
    active = undefined;
    throw e;
  });
  return active;
}
