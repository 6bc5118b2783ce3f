import { type Float64KernelProvider, setFloat64Kernels } from '@hetmtl/tensor';
import type { NativeBinding } from './addon.js';
import { TF_BACKEND_NAME } from './register.js';

/**
 * @hetmtl/tensor's Float64 kernels through the loaded OpenBLAS (cblas_dgemm, cblas_dsyrk, dpotrf_,
 * dsyevd_), each one only when OpenBLAS has it; undefined when none is there. They run while
 * `hetmtl-native` is TensorFlow.js's current backend.
 */
export function openblasFloat64Kernels(binding: NativeBinding): Float64KernelProvider | undefined {
  const have = binding.info().float64;
  if (!have || !(have.dgemm || have.dsyrk || have.dpotrf || have.dsyevd)) return undefined;
  return {
    name: 'openblas',
    tfBackend: TF_BACKEND_NAME,
    gemm: have.dgemm
      ? (transA, transB, m, n, k, A, B, C) => binding.dgemm(A, B, C, m, n, k, transA, transB)
      : undefined,
    syrk: have.dsyrk ? (trans, n, k, A, C) => binding.dsyrk(A, C, n, k, trans) : undefined,
    potrf: have.dpotrf ? (n, A) => binding.dpotrf(A, n) : undefined,
    syevd: have.dsyevd ? (n, A, values) => binding.dsyevd(A, values, n) : undefined,
  };
}

/**
 * Installs the OpenBLAS Float64 kernels when OpenBLAS is the GEMM in use, else the JavaScript ones
 * (a native backend set up with `gemm: 'builtin'` or without OpenBLAS uninstalls earlier ones).
 */
export function installFloat64Kernels(binding: NativeBinding, openblas: boolean): void {
  setFloat64Kernels(openblas ? openblasFloat64Kernels(binding) : undefined);
}
