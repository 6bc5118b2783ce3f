// Single-precision matrix products: a built-in cache-blocked GEMM and OpenBLAS loaded at run time.
#pragma once

#include <string>

namespace hn {

// C[M,N] = op(A)[M,K] · op(B)[K,N], all row-major and dense; C is overwritten.
// op(A) = A (stored [M,K]) or Aᵀ (A stored [K,M]); likewise B ([K,N] or [N,K]).
void sgemm_builtin(bool transA, bool transB, int M, int N, int K, const float* A, const float* B, float* C,
                   int threads);

// Which micro-kernel the built-in GEMM uses on this CPU ("avx2+fma" or "generic").
const char* builtin_kernel_name();

// OpenBLAS, opened with dlopen (never linked). Returns true when cblas_sgemm was found in `path`.
bool openblas_load(const std::string& path, std::string* error);
bool openblas_loaded();
const std::string& openblas_path();
std::string openblas_config();
void openblas_set_threads(int threads);
void sgemm_openblas(bool transA, bool transB, int M, int N, int K, const float* A, const float* B, float* C);

}  // namespace hn
