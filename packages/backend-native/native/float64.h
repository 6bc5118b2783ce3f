// Float64 BLAS / LAPACK from OpenBLAS, resolved with dlsym from the library gemm.cc opened: the
// kernels of @hetmtl/tensor's Float64 linear algebra (products, Gram matrices, Cholesky, symmetric
// eigen-decomposition) on row-major arrays owned by JavaScript.
#pragma once

namespace hn {

// Resolves the Float64 symbols in an open OpenBLAS handle (dlopen's); missing ones stay null.
void float64_bind(void* handle);

struct Float64Symbols {
  bool dgemm = false;
  bool dsyrk = false;
  bool dpotrf = false;
  bool dsyevd = false;
};
Float64Symbols float64_symbols();

// C[M,N] = op(A)·op(B), row-major; op(A) = A ([M,K]) or Aᵀ (A stored [K,M]); likewise B.
void dgemm_rowmajor(bool transA, bool transB, int M, int N, int K, const double* A, const double* B, double* C);

// C[N,N] (both triangles) = AᵀA for A stored [K,N] (trans), or AAᵀ for A stored [N,K].
void dsyrk_rowmajor(bool trans, int N, int K, const double* A, double* C);

// In place on a row-major N×N A (its lower triangle read): the lower triangle becomes L with
// A = L·Lᵀ, the strict upper triangle is zeroed. Returns 0, or j + 1 when pivot j is not positive
// (LAPACK's info; A[j,j] then holds the pivot's value), or a negative LAPACK argument error.
int dpotrf_lower_rowmajor(int N, double* A);

// In place on a row-major N×N A (its lower triangle read): A becomes the eigenvectors as columns
// (row-major, column j ↔ w[j]), w the eigenvalues, increasing. Returns LAPACK's info (0 on success).
int dsyevd_rowmajor(int N, double* A, double* w);

}  // namespace hn
