// The built-in GEMM: BLIS-style cache blocking (B packed in KC×NC blocks of NR-wide panels, A in
// MC×KC blocks of MR-tall panels) around a 6×16 micro-kernel, AVX2+FMA when the CPU has it (chosen
// at run time) and a portable auto-vectorised one otherwise. Small and degenerate products (a dimension
// below 16, matrix-vector) take direct loops, where packing would cost more than it saves.
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "cblas.h"
#include "common.h"
#include "float64.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HN_X86 1
#else
#define HN_X86 0
#endif

#if !defined(_WIN32)
#include <dlfcn.h>
#endif

namespace hn {
namespace {

constexpr int MR = 6;
constexpr int NR = 16;
constexpr int KC = 256;
constexpr int MC = 96;    // a multiple of MR: the packed A block (96 KB) stays in L2
constexpr int NC = 2048;  // a multiple of NR

// Element (i, j) of a matrix view is p[i * rs + j * cs].
struct View {
  const float* p;
  ptrdiff_t rs;
  ptrdiff_t cs;
};

// A 64-byte aligned, thread-local scratch buffer that only grows.
class Scratch {
 public:
  ~Scratch() { release(); }
  float* get(size_t n) {
    if (n > cap_) {
      release();
      size_t bytes = ((n * sizeof(float)) + 63) / 64 * 64;
#if defined(_WIN32)
      data_ = static_cast<float*>(_aligned_malloc(bytes, 64));
#else
      void* p = nullptr;
      if (posix_memalign(&p, 64, bytes) != 0) p = nullptr;
      data_ = static_cast<float*>(p);
#endif
      cap_ = data_ ? n : 0;
    }
    return data_;
  }

 private:
  void release() {
#if defined(_WIN32)
    _aligned_free(data_);
#else
    free(data_);
#endif
    data_ = nullptr;
    cap_ = 0;
  }
  float* data_ = nullptr;
  size_t cap_ = 0;
};

thread_local Scratch scratch_a;
thread_local Scratch scratch_b;

// Packs rows [i0, i0 + mc) × columns [k0, k0 + kc) of A into MR-tall panels, each kc × MR, zero-padded.
void pack_a(const View& A, int i0, int k0, int mc, int kc, float* HN_RESTRICT pa) {
  for (int ip = 0; ip < mc; ip += MR) {
    const int mr = std::min(MR, mc - ip);
    const float* base = A.p + (i0 + ip) * A.rs + k0 * A.cs;
    if (mr == MR && A.cs == 1) {
      const float* r0 = base;
      const float* r1 = base + A.rs;
      const float* r2 = base + 2 * A.rs;
      const float* r3 = base + 3 * A.rs;
      const float* r4 = base + 4 * A.rs;
      const float* r5 = base + 5 * A.rs;
      for (int k = 0; k < kc; k++) {
        pa[0] = r0[k];
        pa[1] = r1[k];
        pa[2] = r2[k];
        pa[3] = r3[k];
        pa[4] = r4[k];
        pa[5] = r5[k];
        pa += MR;
      }
    } else if (mr == MR && A.rs == 1) {
      for (int k = 0; k < kc; k++) {
        std::memcpy(pa, base + k * A.cs, MR * sizeof(float));
        pa += MR;
      }
    } else {
      for (int k = 0; k < kc; k++) {
        int r = 0;
        for (; r < mr; r++) pa[r] = base[r * A.rs + k * A.cs];
        for (; r < MR; r++) pa[r] = 0.0f;
        pa += MR;
      }
    }
  }
}

// Packs rows [k0, k0 + kc) × columns [j0, j0 + nc) of B into NR-wide panels, each kc × NR, zero-padded.
void pack_b(const View& B, int k0, int j0, int kc, int nc, float* HN_RESTRICT pb) {
  for (int jp = 0; jp < nc; jp += NR) {
    const int nr = std::min(NR, nc - jp);
    const float* base = B.p + k0 * B.rs + (j0 + jp) * B.cs;
    if (nr == NR && B.cs == 1) {
      for (int k = 0; k < kc; k++) std::memcpy(pb + k * NR, base + k * B.rs, NR * sizeof(float));
    } else if (B.rs == 1) {
      for (int c = 0; c < nr; c++) {
        const float* src = base + c * B.cs;
        for (int k = 0; k < kc; k++) pb[k * NR + c] = src[k];
      }
      for (int c = nr; c < NR; c++) {
        for (int k = 0; k < kc; k++) pb[k * NR + c] = 0.0f;
      }
    } else {
      for (int k = 0; k < kc; k++) {
        int c = 0;
        for (; c < nr; c++) pb[k * NR + c] = base[k * B.rs + c * B.cs];
        for (; c < NR; c++) pb[k * NR + c] = 0.0f;
      }
    }
    pb += static_cast<ptrdiff_t>(kc) * NR;
  }
}

// Writes (or adds, when accumulate) the mr × nr top-left part of an MR × NR tile to C.
HN_INLINE void store_tile(const float* t, float* C, ptrdiff_t ldc, int mr, int nr, bool accumulate) {
  for (int r = 0; r < mr; r++) {
    float* c = C + r * ldc;
    const float* s = t + r * NR;
    if (accumulate) {
      for (int j = 0; j < nr; j++) c[j] += s[j];
    } else {
      for (int j = 0; j < nr; j++) c[j] = s[j];
    }
  }
}

using Kernel = void (*)(int kc, const float* pa, const float* pb, float* C, ptrdiff_t ldc, int mr, int nr,
                        bool accumulate);

void kernel_generic(int kc, const float* HN_RESTRICT pa, const float* HN_RESTRICT pb, float* C, ptrdiff_t ldc,
                    int mr, int nr, bool accumulate) {
  alignas(64) float t[MR * NR] = {};
  for (int k = 0; k < kc; k++) {
    const float* b = pb + k * NR;
    const float* a = pa + k * MR;
    for (int r = 0; r < MR; r++) {
      const float ar = a[r];
      for (int j = 0; j < NR; j++) t[r * NR + j] += ar * b[j];
    }
  }
  store_tile(t, C, ldc, mr, nr, accumulate);
}

#if HN_X86 && defined(__GNUC__)
__attribute__((target("avx2,fma"))) void kernel_avx2(int kc, const float* HN_RESTRICT pa,
                                                       const float* HN_RESTRICT pb, float* C, ptrdiff_t ldc, int mr,
                                                       int nr, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_load_ps(pb);
    const __m256 b1 = _mm256_load_ps(pb + 8);
    __m256 a = _mm256_broadcast_ss(pa);
    c00 = _mm256_fmadd_ps(a, b0, c00);
    c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(pa + 1);
    c10 = _mm256_fmadd_ps(a, b0, c10);
    c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(pa + 2);
    c20 = _mm256_fmadd_ps(a, b0, c20);
    c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(pa + 3);
    c30 = _mm256_fmadd_ps(a, b0, c30);
    c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(pa + 4);
    c40 = _mm256_fmadd_ps(a, b0, c40);
    c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(pa + 5);
    c50 = _mm256_fmadd_ps(a, b0, c50);
    c51 = _mm256_fmadd_ps(a, b1, c51);
    pa += MR;
    pb += NR;
  }
  if (mr == MR && nr == NR) {
#define HN_ROW(r, x0, x1)                                      \
  do {                                                         \
    float* c = C + (r) * ldc;                                  \
    if (accumulate) {                                          \
      x0 = _mm256_add_ps(x0, _mm256_loadu_ps(c));              \
      x1 = _mm256_add_ps(x1, _mm256_loadu_ps(c + 8));          \
    }                                                          \
    _mm256_storeu_ps(c, x0);                                   \
    _mm256_storeu_ps(c + 8, x1);                               \
  } while (0)
    HN_ROW(0, c00, c01);
    HN_ROW(1, c10, c11);
    HN_ROW(2, c20, c21);
    HN_ROW(3, c30, c31);
    HN_ROW(4, c40, c41);
    HN_ROW(5, c50, c51);
#undef HN_ROW
  } else {
    alignas(64) float t[MR * NR];
    _mm256_store_ps(t + 0 * NR, c00);
    _mm256_store_ps(t + 0 * NR + 8, c01);
    _mm256_store_ps(t + 1 * NR, c10);
    _mm256_store_ps(t + 1 * NR + 8, c11);
    _mm256_store_ps(t + 2 * NR, c20);
    _mm256_store_ps(t + 2 * NR + 8, c21);
    _mm256_store_ps(t + 3 * NR, c30);
    _mm256_store_ps(t + 3 * NR + 8, c31);
    _mm256_store_ps(t + 4 * NR, c40);
    _mm256_store_ps(t + 4 * NR + 8, c41);
    _mm256_store_ps(t + 5 * NR, c50);
    _mm256_store_ps(t + 5 * NR + 8, c51);
    store_tile(t, C, ldc, mr, nr, accumulate);
  }
}
#endif

Kernel select_kernel() {
#if HN_X86 && defined(__GNUC__)
  const CpuFeatures& f = cpu_features();
  if (f.avx2 && f.fma) return kernel_avx2;
#endif
  return kernel_generic;
}

const Kernel micro_kernel = select_kernel();

// The blocked product for rows [m0, m1) of C.
void gemm_blocked(const View& A, const View& B, float* C, int ldc, int m0, int m1, int N, int K) {
  const int ncMax = std::min(NC, (N + NR - 1) / NR * NR);
  const int kcMax = std::min(KC, K);
  float* pb = scratch_b.get(static_cast<size_t>(kcMax) * ncMax);
  float* pa = scratch_a.get(static_cast<size_t>(MC) * kcMax);
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = std::min(NC, N - jc);
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = std::min(KC, K - pc);
      const bool accumulate = pc > 0;
      pack_b(B, pc, jc, kc, nc, pb);
      for (int ic = m0; ic < m1; ic += MC) {
        const int mc = std::min(MC, m1 - ic);
        pack_a(A, ic, pc, mc, kc, pa);
        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = std::min(NR, nc - jr);
          const float* pbj = pb + static_cast<ptrdiff_t>(jr) * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = std::min(MR, mc - ir);
            micro_kernel(kc, pa + static_cast<ptrdiff_t>(ir) * kc, pbj,
                         C + static_cast<ptrdiff_t>(ic + ir) * ldc + jc + jr, ldc, mr, nr, accumulate);
          }
        }
      }
    }
  }
}

HN_INLINE float dot(const float* HN_RESTRICT a, const float* HN_RESTRICT b, int n) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int k = 0;
  for (; k + 8 <= n; k += 8) {
    for (int l = 0; l < 8; l++) s[l] += a[k + l] * b[k + l];
  }
  float t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; k < n; k++) t += a[k] * b[k];
  return t;
}

HN_INLINE void axpy(float* HN_RESTRICT y, float alpha, const float* HN_RESTRICT x, int n) {
  for (int j = 0; j < n; j++) y[j] += alpha * x[j];
}

// Direct loops for small or degenerate products.
HN_CLONES void gemm_small(bool transA, bool transB, int M, int N, int K, const float* A, const float* B, float* C) {
  // With one row (column, or K = 1) transposing A (B) does not change the memory layout.
  if (M == 1 || K == 1) transA = false;
  if (N == 1 || K == 1) transB = false;
  std::memset(C, 0, sizeof(float) * static_cast<size_t>(M) * N);
  if (N == 1 && !transA) {
    for (int i = 0; i < M; i++) C[i] = dot(A + static_cast<ptrdiff_t>(i) * K, B, K);
    return;
  }
  if (N == 1 && transA) {
    for (int k = 0; k < K; k++) axpy(C, B[k], A + static_cast<ptrdiff_t>(k) * M, M);
    return;
  }
  if (!transB) {
    // C[i, :] += A(i, k) · B[k, :], contiguous in j.
    for (int i = 0; i < M; i++) {
      float* c = C + static_cast<ptrdiff_t>(i) * N;
      for (int k = 0; k < K; k++) {
        const float a = transA ? A[static_cast<ptrdiff_t>(k) * M + i] : A[static_cast<ptrdiff_t>(i) * K + k];
        axpy(c, a, B + static_cast<ptrdiff_t>(k) * N, N);
      }
    }
    return;
  }
  if (!transA) {
    // Rows of A and rows of B (columns of op(B)) are both contiguous in k.
    for (int i = 0; i < M; i++) {
      for (int j = 0; j < N; j++) {
        C[static_cast<ptrdiff_t>(i) * N + j] =
            dot(A + static_cast<ptrdiff_t>(i) * K, B + static_cast<ptrdiff_t>(j) * K, K);
      }
    }
    return;
  }
  for (int k = 0; k < K; k++) {
    for (int i = 0; i < M; i++) {
      const float a = A[static_cast<ptrdiff_t>(k) * M + i];
      float* c = C + static_cast<ptrdiff_t>(i) * N;
      for (int j = 0; j < N; j++) c[j] += a * B[static_cast<ptrdiff_t>(j) * K + k];
    }
  }
}

}  // namespace

const char* builtin_kernel_name() { return micro_kernel == kernel_generic ? "generic" : "avx2+fma"; }

void sgemm_builtin(bool transA, bool transB, int M, int N, int K, const float* A, const float* B, float* C,
                   int threads) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    std::memset(C, 0, sizeof(float) * static_cast<size_t>(M) * N);
    return;
  }
  if (M < 16 || N < 16 || K < 16) {
    gemm_small(transA, transB, M, N, K, A, B, C);
    return;
  }
  const View a = transA ? View{A, 1, M} : View{A, K, 1};
  const View b = transB ? View{B, 1, K} : View{B, N, 1};
  const double work = static_cast<double>(M) * N * K;
  int parts = 1;
  if (threads > 1 && work >= 4.0e6) {
    parts = std::min(threads, std::max(1, M / (2 * MR)));
  }
  if (parts <= 1) {
    gemm_blocked(a, b, C, N, 0, M, N, K);
    return;
  }
  // Rows split in MR-aligned parts, one per thread; each packs its own blocks.
  const int rowsPer = ((M + parts - 1) / parts + MR - 1) / MR * MR;
  std::vector<std::thread> pool;
  for (int t = 1; t < parts; t++) {
    const int m0 = t * rowsPer;
    const int m1 = std::min(M, m0 + rowsPer);
    if (m0 >= m1) break;
    pool.emplace_back([=] { gemm_blocked(a, b, C, N, m0, m1, N, K); });
  }
  gemm_blocked(a, b, C, N, 0, std::min(M, rowsPer), N, K);
  for (auto& th : pool) th.join();
}

// ---- OpenBLAS, loaded at run time ----

namespace {
using cblas_sgemm_t = void (*)(int order, int transA, int transB, int M, int N, int K, float alpha, const float* A,
                               int lda, const float* B, int ldb, float beta, float* C, int ldc);
using set_threads_t = void (*)(int);
using get_config_t = char* (*)();
using get_corename_t = char* (*)();

cblas_sgemm_t p_sgemm = nullptr;
set_threads_t p_set_threads = nullptr;
get_config_t p_get_config = nullptr;
get_corename_t p_get_corename = nullptr;
std::string loaded_path;

}  // namespace

bool openblas_load(const std::string& path, std::string* error) {
  if (p_sgemm != nullptr) return true;
#if defined(_WIN32)
  (void)path;
  if (error) *error = "loading OpenBLAS at run time is not supported on Windows";
  return false;
#else
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* msg = dlerror();
    if (error) *error = msg ? msg : "dlopen failed";
    return false;
  }
  void* sym = dlsym(handle, "cblas_sgemm");
  if (sym == nullptr) {
    if (error) *error = path + " has no cblas_sgemm";
    dlclose(handle);
    return false;
  }
  p_sgemm = reinterpret_cast<cblas_sgemm_t>(sym);
  p_set_threads = reinterpret_cast<set_threads_t>(dlsym(handle, "openblas_set_num_threads"));
  p_get_config = reinterpret_cast<get_config_t>(dlsym(handle, "openblas_get_config"));
  p_get_corename = reinterpret_cast<get_corename_t>(dlsym(handle, "openblas_get_corename"));
  loaded_path = path;
  Dl_info where;
  if (dladdr(sym, &where) != 0 && where.dli_fname != nullptr) loaded_path = where.dli_fname;
  if (p_set_threads) p_set_threads(1);
  float64_bind(handle);
  return true;
#endif
}

bool openblas_loaded() { return p_sgemm != nullptr; }

const std::string& openblas_path() { return loaded_path; }

std::string openblas_config() {
  std::string s;
  if (p_get_config) s += p_get_config();
  if (p_get_corename) {
    if (!s.empty()) s += "; core ";
    s += p_get_corename();
  }
  return s;
}

void openblas_set_threads(int threads) {
  if (p_set_threads) p_set_threads(threads < 1 ? 1 : threads);
}

void sgemm_openblas(bool transA, bool transB, int M, int N, int K, const float* A, const float* B, float* C) {
  cblas::gemm_rowmajor(p_sgemm, transA, transB, M, N, K, A, B, C);
}

}  // namespace hn
