import { tf } from '@hetmtl/tensor';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeBinding } from './addon.js';
import { nativeImplementations, nativeKernelConfigs } from './kernels.js';
import { markEscaped, noteWrite, recycle } from './pool.js';

/** The name the backend is registered under in TensorFlow.js. */
export const TF_BACKEND_NAME = 'hetmtl-native';

/** Below cpu (1), wasm and webgl (2): never chosen by default, only explicitly. */
export const PRIORITY = -1;

/**
 * tfjs's cpu backend (its tensor storage is plain TypedArrays), registered under its own name, so
 * that every cpu kernel works on it unchanged and the native kernels read and write the same arrays.
 */
export class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    // tfjs-cpu advertises tfjs-node on its first tensor in Node; this backend is the native one.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** Every backend entry is created here (or in move): the pool tracks who owns its arrays. */
  override write(
    ...args: Parameters<MathBackendCPU['write']>
  ): ReturnType<MathBackendCPU['write']> {
    noteWrite(args[0]);
    return super.write(...args);
  }

  override move(...args: Parameters<MathBackendCPU['move']>): void {
    noteWrite(args[1]);
    super.move(...args);
  }

  /** Frees as the cpu backend does, then offers the array for reuse (pool.ts decides whether it may). */
  override disposeData(dataId: object, force = false): boolean {
    // (DataStorage.get of an id it does not hold would try to move the data from another backend.)
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const freed = super.disposeData(dataId, force);
    if (freed && values !== undefined && !this.data.has(dataId)) recycle(values);
    return freed;
  }

  /** The cpu backend hands out its own array: once read, it is never reused. */
  override readSync(dataId: object): ReturnType<MathBackendCPU['readSync']> {
    const values = super.readSync(dataId);
    markEscaped(values);
    return values;
  }

  override async read(dataId: object): ReturnType<MathBackendCPU['read']> {
    return this.readSync(dataId);
  }
}

/** Registers the backend and its kernels with TensorFlow.js, once per process. */
export function registerNativeBackend(binding: NativeBinding): void {
  if (tf.findBackendFactory(TF_BACKEND_NAME) !== null) return;
  tf.registerBackend(TF_BACKEND_NAME, () => new NativeBackend(), PRIORITY);
  const native = new Set(Object.keys(nativeImplementations(binding)));
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (!native.has(kernel.kernelName))
      tf.registerKernel({ ...kernel, backendName: TF_BACKEND_NAME });
  }
  for (const config of nativeKernelConfigs(binding, TF_BACKEND_NAME)) tf.registerKernel(config);
}

/** The names of the kernels that run natively (each with a cpu fallback). */
export function nativeKernelNames(binding: NativeBinding): string[] {
  return Object.keys(nativeImplementations(binding)).filter(
    (k) => tf.getKernel(k, 'cpu') !== undefined,
  );
}
