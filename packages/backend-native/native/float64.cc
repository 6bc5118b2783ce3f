// Float64 kernels through OpenBLAS's CBLAS (cblas_dgemm, cblas_dsyrk) and its Fortran LAPACK
// (dpotrf_, dsyevd_; Debian's libopenblas0 exports no LAPACKE). The Fortran routines are
// column-major: a row-major symmetric matrix read by its lower triangle is the same buffer read
// column-major by its upper triangle, so they are called with uplo = 'U'.
#include "float64.h"

#include "cblas.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

#if !defined(_WIN32)
#include <dlfcn.h>
#endif

namespace hn {
namespace {

using cblas_dgemm_t = void (*)(int order, int transA, int transB, int M, int N, int K, double alpha,
                               const double* A, int lda, const double* B, int ldb, double beta, double* C, int ldc);
using cblas_dsyrk_t = void (*)(int order, int uplo, int trans, int N, int K, double alpha, const double* A, int lda,
                               double beta, double* C, int ldc);
// Fortran: every argument by reference, then the hidden lengths of the character arguments.
using dpotrf_t = void (*)(const char* uplo, const int* n, double* a, const int* lda, int* info, size_t uplo_len);
using dsyevd_t = void (*)(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                          double* work, const int* lwork, int* iwork, const int* liwork, int* info, size_t jobz_len,
                          size_t uplo_len);

cblas_dgemm_t p_dgemm = nullptr;
cblas_dsyrk_t p_dsyrk = nullptr;
dpotrf_t p_dpotrf = nullptr;
dsyevd_t p_dsyevd = nullptr;

using cblas::kLower;
using cblas::kNoTrans;
using cblas::kRowMajor;
using cblas::kTrans;

}  // namespace

void float64_bind(void* handle) {
#if defined(_WIN32)
  (void)handle;
#else
  if (handle == nullptr) return;
  p_dgemm = reinterpret_cast<cblas_dgemm_t>(dlsym(handle, "cblas_dgemm"));
  p_dsyrk = reinterpret_cast<cblas_dsyrk_t>(dlsym(handle, "cblas_dsyrk"));
  p_dpotrf = reinterpret_cast<dpotrf_t>(dlsym(handle, "dpotrf_"));
  p_dsyevd = reinterpret_cast<dsyevd_t>(dlsym(handle, "dsyevd_"));
#endif
}

Float64Symbols float64_symbols() {
  Float64Symbols s;
  s.dgemm = p_dgemm != nullptr;
  s.dsyrk = p_dsyrk != nullptr;
  s.dpotrf = p_dpotrf != nullptr;
  s.dsyevd = p_dsyevd != nullptr;
  return s;
}

void dgemm_rowmajor(bool transA, bool transB, int M, int N, int K, const double* A, const double* B, double* C) {
  cblas::gemm_rowmajor(p_dgemm, transA, transB, M, N, K, A, B, C);
}

void dsyrk_rowmajor(bool trans, int N, int K, const double* A, double* C) {
  if (N <= 0) return;
  std::memset(C, 0, sizeof(double) * static_cast<size_t>(N) * N);
  if (K <= 0) return;
  // A is [K,N] (C = AᵀA: trans) or [N,K] (C = AAᵀ); its row length is the leading dimension.
  const int lda = std::max(1, trans ? N : K);
  p_dsyrk(kRowMajor, kLower, trans ? kTrans : kNoTrans, N, K, 1.0, A, lda, 0.0, C, N);
  for (int i = 0; i < N; i++) {
    for (int j = i + 1; j < N; j++) C[static_cast<size_t>(i) * N + j] = C[static_cast<size_t>(j) * N + i];
  }
}

int dpotrf_lower_rowmajor(int N, double* A) {
  if (N <= 0) return 0;
  const char uplo = 'U';
  int info = 0;
  p_dpotrf(&uplo, &N, A, &N, &info, 1);
  if (info == 0) {
    for (int i = 0; i < N; i++) {
      for (int j = i + 1; j < N; j++) A[static_cast<size_t>(i) * N + j] = 0.0;
    }
  }
  return info;
}

int dsyevd_rowmajor(int N, double* A, double* w) {
  if (N <= 0) return 0;
  const char jobz = 'V';
  const char uplo = 'U';
  // The minimal workspaces of LAPACK's dsyevd with jobz = 'V'.
  const int lwork = 1 + 6 * N + 2 * N * N;
  const int liwork = 3 + 5 * N;
  std::vector<double> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  int info = 0;
  p_dsyevd(&jobz, &uplo, &N, A, &N, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  if (info != 0) return info;
  // Column-major Z (column j = eigenvector j) to row-major with the same columns: a transpose.
  for (int i = 0; i < N; i++) {
    for (int j = i + 1; j < N; j++) std::swap(A[static_cast<size_t>(i) * N + j], A[static_cast<size_t>(j) * N + i]);
  }
  return 0;
}

}  // namespace hn
