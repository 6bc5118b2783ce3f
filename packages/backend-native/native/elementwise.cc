#include "elementwise.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"

namespace hn {
namespace {

// ---- exp, branch-free so that loops calling it vectorise (max error ~2 ulp in float32) ----

HN_INLINE float bits_to_float(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

// e^x by Cody–Waite reduction x = n ln2 + r, |r| <= ln2 / 2, and a degree-6 minimax polynomial
// (Cephes' expf); 2^n is applied as two normal powers of two, so that results near FLT_MAX and
// subnormal results come out right. Overflows to +inf above 88.72, underflows to 0 below -103.97
// (where e^x is below half the smallest subnormal), and keeps NaN.
HN_INLINE float exp_f(float x) {
  const float hi = 88.72283905206835f;
  const float lo = -103.972084f;
  float xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;
  const float n = std::floor(xc * 1.44269504088896341f + 0.5f);
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  float y = p * (r * r) + r + 1.0f;
  const int32_t ni = static_cast<int32_t>(n);
  const int32_t n1 = ni / 2;
  const int32_t n2 = ni - n1;
  y = y * bits_to_float((n1 + 127) << 23) * bits_to_float((n2 + 127) << 23);
  y = x > hi ? std::numeric_limits<float>::infinity() : y;
  y = x < lo ? 0.0f : y;
  return x != x ? x : y;
}

// e^x - 1, accurate near 0 (a Taylor polynomial for |x| < 0.25, exp_f elsewhere).
HN_INLINE float expm1_f(float x) {
  const float t = x * (1.0f + x * (0.5f + x * (1.0f / 6 + x * (1.0f / 24 + x * (1.0f / 120 + x * (1.0f / 720))))));
  const float e = exp_f(x) - 1.0f;
  return (x > -0.25f && x < 0.25f) ? t : e;
}

// tanh(x) = sign(x) · t / (t + 2) with t = e^(2|x|) - 1; ±1 beyond |x| = 10 (float tanh rounds to 1).
HN_INLINE float tanh_f(float x) {
  const float ax = std::fabs(x);
  const float t = expm1_f(2.0f * ax);
  const float m = ax > 10.0f ? 1.0f : t / (t + 2.0f);
  return std::copysign(m, x);
}

// ---- binary ----

template <int OP>
HN_INLINE float bop(float a, float b) {
  if constexpr (OP == kAdd) return a + b;
  if constexpr (OP == kSub) return a - b;
  if constexpr (OP == kMul) return a * b;
  if constexpr (OP == kDiv) return a / b;
  if constexpr (OP == kSquaredDifference) {
    const float d = a - b;
    return d * d;
  }
  if constexpr (OP == kMaximum) {
    const float m = a > b ? a : b;
    return (a != a || b != b) ? a + b : m;  // NaN wins, as Math.max
  }
  if constexpr (OP == kMinimum) {
    const float m = a < b ? a : b;
    return (a != a || b != b) ? a + b : m;
  }
  return 0.0f;
}

template <int OP>
HN_INLINE void binary_row(const float* HN_RESTRICT a, const float* HN_RESTRICT b, float* HN_RESTRICT o, int64_t n,
                          bool sa, bool sb) {
  if (sa && sb) {
    for (int64_t i = 0; i < n; i++) o[i] = bop<OP>(a[i], b[i]);
  } else if (sa) {
    const float bv = b[0];
    for (int64_t i = 0; i < n; i++) o[i] = bop<OP>(a[i], bv);
  } else if (sb) {
    const float av = a[0];
    for (int64_t i = 0; i < n; i++) o[i] = bop<OP>(av, b[i]);
  } else {
    const float v = bop<OP>(a[0], b[0]);
    for (int64_t i = 0; i < n; i++) o[i] = v;
  }
}

template <int OP>
HN_INLINE void binary_t(const float* a, const float* b, float* out, int ndim, const int64_t* shape,
                        const int64_t* as, const int64_t* bs) {
  if (ndim == 0) {
    out[0] = bop<OP>(a[0], b[0]);
    return;
  }
  const int64_t n = shape[ndim - 1];
  const bool sa = as[ndim - 1] != 0;
  const bool sb = bs[ndim - 1] != 0;
  int64_t outer = 1;
  for (int d = 0; d < ndim - 1; d++) outer *= shape[d];
  int64_t idx[kMaxDims] = {0};
  int64_t offA = 0;
  int64_t offB = 0;
  for (int64_t o = 0; o < outer; o++) {
    binary_row<OP>(a + offA, b + offB, out + o * n, n, sa, sb);
    for (int d = ndim - 2; d >= 0; d--) {
      idx[d]++;
      offA += as[d];
      offB += bs[d];
      if (idx[d] < shape[d]) break;
      offA -= as[d] * shape[d];
      offB -= bs[d] * shape[d];
      idx[d] = 0;
    }
  }
}

// ---- unary ----

template <int OP>
HN_INLINE float uop(float x, float alpha) {
  if constexpr (OP == kRelu) return x < 0.0f ? 0.0f : x;
  if constexpr (OP == kRelu6) return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
  if constexpr (OP == kElu) return x >= 0.0f ? x : expm1_f(x);
  if constexpr (OP == kStep) return x != x ? x : (x > 0.0f ? 1.0f : alpha);
  if constexpr (OP == kSigmoid) return 1.0f / (1.0f + exp_f(-x));
  if constexpr (OP == kTanh) return tanh_f(x);
  if constexpr (OP == kSquare) return x * x;
  if constexpr (OP == kSqrt) return std::sqrt(x);
  if constexpr (OP == kNeg) return -x;
  if constexpr (OP == kExp) return exp_f(x);
  if constexpr (OP == kLog) return std::log(x);
  if constexpr (OP == kAbs) return std::fabs(x);
  if constexpr (OP == kRsqrt) return 1.0f / std::sqrt(x);
  if constexpr (OP == kReciprocal) return 1.0f / x;
  if constexpr (OP == kLeakyRelu) return x < 0.0f ? alpha * x : x;
  return x;
}

template <int OP>
HN_INLINE void unary_t(const float* x, float* out, size_t n, float alpha) {
  for (size_t i = 0; i < n; i++) out[i] = uop<OP>(x[i], alpha);
}

thread_local std::vector<double> acc_buffer;

}  // namespace

HN_CLONES void binary(int op, const float* a, const float* b, float* out, int ndim, const int64_t* shape,
                      const int64_t* as, const int64_t* bs) {
  switch (op) {
    case kAdd: binary_t<kAdd>(a, b, out, ndim, shape, as, bs); break;
    case kSub: binary_t<kSub>(a, b, out, ndim, shape, as, bs); break;
    case kMul: binary_t<kMul>(a, b, out, ndim, shape, as, bs); break;
    case kDiv: binary_t<kDiv>(a, b, out, ndim, shape, as, bs); break;
    case kSquaredDifference: binary_t<kSquaredDifference>(a, b, out, ndim, shape, as, bs); break;
    case kMaximum: binary_t<kMaximum>(a, b, out, ndim, shape, as, bs); break;
    case kMinimum: binary_t<kMinimum>(a, b, out, ndim, shape, as, bs); break;
    default: break;
  }
}

HN_CLONES void unary(int op, const float* x, float* out, size_t n, float alpha) {
  switch (op) {
    case kRelu: unary_t<kRelu>(x, out, n, alpha); break;
    case kRelu6: unary_t<kRelu6>(x, out, n, alpha); break;
    case kElu: unary_t<kElu>(x, out, n, alpha); break;
    case kStep: unary_t<kStep>(x, out, n, alpha); break;
    case kSigmoid: unary_t<kSigmoid>(x, out, n, alpha); break;
    case kTanh: unary_t<kTanh>(x, out, n, alpha); break;
    case kSquare: unary_t<kSquare>(x, out, n, alpha); break;
    case kSqrt: unary_t<kSqrt>(x, out, n, alpha); break;
    case kNeg: unary_t<kNeg>(x, out, n, alpha); break;
    case kExp: unary_t<kExp>(x, out, n, alpha); break;
    case kLog: unary_t<kLog>(x, out, n, alpha); break;
    case kAbs: unary_t<kAbs>(x, out, n, alpha); break;
    case kRsqrt: unary_t<kRsqrt>(x, out, n, alpha); break;
    case kReciprocal: unary_t<kReciprocal>(x, out, n, alpha); break;
    case kLeakyRelu: unary_t<kLeakyRelu>(x, out, n, alpha); break;
    default: break;
  }
}

HN_CLONES void elu_grad(const float* HN_RESTRICT dy, const float* HN_RESTRICT y, float* HN_RESTRICT out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const float v = y[i];
    out[i] = v >= 0.0f ? dy[i] : dy[i] * (v + 1.0f);
  }
}

HN_CLONES void add_n(const float* const* inputs, int count, float* HN_RESTRICT out, size_t n) {
  std::memcpy(out, inputs[0], n * sizeof(float));
  for (int k = 1; k < count; k++) {
    const float* HN_RESTRICT in = inputs[k];
    for (size_t i = 0; i < n; i++) out[i] += in[i];
  }
}

HN_CLONES void reduce(int op, const float* x, float* out, int64_t outer, int64_t red, int64_t inner) {
  if (op == kMax) {
    for (int64_t o = 0; o < outer; o++) {
      const float* base = x + o * red * inner;
      float* dst = out + o * inner;
      for (int64_t i = 0; i < inner; i++) dst[i] = base[i];
      for (int64_t r = 1; r < red; r++) {
        const float* row = base + r * inner;
        // NaN propagates as in tfjs: once the maximum is NaN it stays NaN.
        for (int64_t i = 0; i < inner; i++) {
          const float v = row[i];
          const float m = dst[i];
          dst[i] = (v != v || v > m) ? v : m;
        }
      }
    }
    return;
  }
  // Sum and mean accumulate in double, as tfjs's cpu kernels do.
  const double scale = op == kMean ? 1.0 / static_cast<double>(red) : 1.0;
  if (inner == 1) {
    for (int64_t o = 0; o < outer; o++) {
      const float* row = x + o * red;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int64_t r = 0;
      for (; r + 4 <= red; r += 4) {
        s0 += row[r];
        s1 += row[r + 1];
        s2 += row[r + 2];
        s3 += row[r + 3];
      }
      for (; r < red; r++) s0 += row[r];
      out[o] = static_cast<float>(((s0 + s1) + (s2 + s3)) * scale);
    }
    return;
  }
  if (acc_buffer.size() < static_cast<size_t>(inner)) acc_buffer.resize(static_cast<size_t>(inner));
  double* acc = acc_buffer.data();
  for (int64_t o = 0; o < outer; o++) {
    const float* base = x + o * red * inner;
    for (int64_t i = 0; i < inner; i++) acc[i] = 0.0;
    for (int64_t r = 0; r < red; r++) {
      const float* row = base + r * inner;
      for (int64_t i = 0; i < inner; i++) acc[i] += row[i];
    }
    float* dst = out + o * inner;
    for (int64_t i = 0; i < inner; i++) dst[i] = static_cast<float>(acc[i] * scale);
  }
}

HN_CLONES void bias_activation(float* c, int64_t rows, int64_t cols, const float* bias, int64_t biasLen, int act,
                               float alpha) {
  if (bias != nullptr) {
    if (biasLen == 1) {
      const float b = bias[0];
      const int64_t n = rows * cols;
      for (int64_t i = 0; i < n; i++) c[i] += b;
    } else {
      for (int64_t r = 0; r < rows; r++) {
        float* HN_RESTRICT row = c + r * cols;
        for (int64_t j = 0; j < cols; j++) row[j] += bias[j];
      }
    }
  }
  if (act >= 0) unary(act, c, c, static_cast<size_t>(rows * cols), alpha);
}

}  // namespace hn
