// Shared definitions of the hetmtl native backend.
#pragma once

#include <cstddef>
#include <cstdint>

// Hot elementwise loops are compiled twice on x86-64 Linux with GCC (function multiversioning:
// an AVX2 clone chosen at load time when the CPU has it, and the baseline x86-64-v2 build).
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define HN_CLONES __attribute__((target_clones("avx2", "default")))
#define HN_HAVE_CLONES 1
#else
#define HN_CLONES
#define HN_HAVE_CLONES 0
#endif

#if defined(__GNUC__)
#define HN_INLINE inline __attribute__((always_inline))
#define HN_RESTRICT __restrict__
#else
#define HN_INLINE inline
#define HN_RESTRICT
#endif

namespace hn {

// CPU features detected at run time (cpu.cc).
struct CpuFeatures {
  bool sse42 = false;
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
};
const CpuFeatures& cpu_features();

}  // namespace hn
