// The CBLAS calling conventions the addon uses (OpenBLAS is loaded at run time, never linked, so its
// header is not available): the enum values, and one row-major C = op(A)·op(B) for cblas_sgemm and
// cblas_dgemm alike.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace hn {
namespace cblas {

constexpr int kRowMajor = 101;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;
constexpr int kLower = 122;

/** C[M,N] = op(A)·op(B), row-major, through a CBLAS ?gemm; C is zeroed when K ≤ 0. */
template <typename T, typename Gemm>
void gemm_rowmajor(Gemm gemm, bool transA, bool transB, int M, int N, int K, const T* A, const T* B, T* C) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    std::memset(C, 0, sizeof(T) * static_cast<size_t>(M) * N);
    return;
  }
  const int lda = std::max(1, transA ? M : K);
  const int ldb = std::max(1, transB ? K : N);
  gemm(kRowMajor, transA ? kTrans : kNoTrans, transB ? kTrans : kNoTrans, M, N, K, T(1), A, lda, B, ldb, T(0), C,
       std::max(1, N));
}

}  // namespace cblas
}  // namespace hn
