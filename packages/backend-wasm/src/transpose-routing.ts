import { tf } from '@hetmtl/tensor';

/**
 * tfjs-backend-wasm's BatchMatMul with `transposeA` runs ~10× slower than an explicit Transpose
 * followed by a plain matmul (XNNPACK has no fast path for a transposed left operand), and the weight
 * gradient of every dense layer (Aᵀ·dC) takes that path. These wrappers route `transposeA` products
 * through an explicit transpose; every other case goes to the original kernel untouched.
 */

type KernelConfig = ReturnType<typeof tf.getKernel> & {};
type KernelArgs = Parameters<KernelConfig['kernelFunc']>[0];
interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface WasmBackendLike {
  disposeData(dataId: object): void;
}

const ROUTED = ['BatchMatMul', '_FusedMatMul'] as const;
const originals = new Map<string, KernelConfig>();

function transposeLastTwo(
  x: TensorInfo,
  backend: unknown,
  transposeKernel: KernelConfig,
): TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transposeKernel.kernelFunc({
    inputs: { x },
    backend,
    attrs: { perm },
  } as unknown as KernelArgs) as unknown as TensorInfo;
}

function routed(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const attrs = args.attrs as { transposeA?: boolean } | undefined;
    if (!attrs?.transposeA) return original.kernelFunc(args);
    const transposeKernel = tf.getKernel('Transpose', 'wasm');
    if (transposeKernel === undefined) return original.kernelFunc(args);
    const inputs = args.inputs as Record<string, TensorInfo>;
    const a = inputs.a;
    const at = transposeLastTwo(a, args.backend, transposeKernel);
    try {
      return original.kernelFunc({
        ...args,
        inputs: { ...inputs, a: at },
        attrs: { ...attrs, transposeA: false },
      } as KernelArgs);
    } finally {
      (args.backend as unknown as WasmBackendLike).disposeData(at.dataId);
    }
  };
  return { ...original, kernelFunc } as KernelConfig;
}

/**
 * Turns the transposeA routing on or off for the wasm backend (on by default in `wasmBackend()`).
 * Safe to call repeatedly. Call before or after the backend initialises: the kernels keep their
 * original setup functions.
 */
export function setTransposeARouting(enabled: boolean): void {
  for (const name of ROUTED) {
    const current = tf.getKernel(name, 'wasm');
    if (current === undefined) continue;
    const isRouted = originals.has(name);
    if (enabled === isRouted) continue;
    tf.unregisterKernel(name, 'wasm');
    if (enabled) {
      originals.set(name, current);
      tf.registerKernel(routed(current));
    } else {
      tf.registerKernel(originals.get(name) as KernelConfig);
      originals.delete(name);
    }
  }
}

/** Whether transposeA products are currently routed through an explicit transpose. */
export function isTransposeARouted(): boolean {
  return originals.size > 0;
}
