// N-API entry points of the hetmtl native backend. Every function works on Float32Arrays owned by
// JavaScript (tfjs cpu backend storage): inputs are read in place and outputs written into arrays the
// caller allocated, so nothing is copied. Sizes are checked against the arrays' lengths.
#include <napi.h>

#include <string>
#include <vector>

#include "common.h"
#include "elementwise.h"
#include "float64.h"
#include "gemm.h"

namespace {

enum class Gemm { kBuiltin, kOpenBLAS };
Gemm gemm_mode = Gemm::kBuiltin;
int num_threads = 1;

bool throw_type(Napi::Env env, const std::string& msg) {
  Napi::TypeError::New(env, "hetmtl-native: " + msg).ThrowAsJavaScriptException();
  return false;
}

bool throw_range(Napi::Env env, const std::string& msg) {
  Napi::RangeError::New(env, "hetmtl-native: " + msg).ThrowAsJavaScriptException();
  return false;
}

template <typename T, napi_typedarray_type Type>
bool typed(Napi::Env env, napi_value v, T** data, size_t* length, const char* what) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return throw_type(env, std::string(what) + " must be a typed array");
  napi_typedarray_type type;
  void* ptr = nullptr;
  if (napi_get_typedarray_info(env, v, &type, length, &ptr, nullptr, nullptr) != napi_ok || type != Type) {
    return throw_type(env, std::string(what) + " has the wrong element type");
  }
  *data = static_cast<T*>(ptr);
  return true;
}

bool f32(Napi::Env env, napi_value v, float** data, size_t* length, const char* what) {
  return typed<float, napi_float32_array>(env, v, data, length, what);
}

bool f64(Napi::Env env, napi_value v, double** data, size_t* length, const char* what) {
  return typed<double, napi_float64_array>(env, v, data, length, what);
}

int64_t int_arg(const Napi::CallbackInfo& info, size_t i) {
  return info[i].As<Napi::Number>().Int64Value();
}

bool is_nullish(const Napi::Value& v) { return v.IsNull() || v.IsUndefined(); }

// matmul(a, b, out, batch, batchA, batchB, M, N, K, transA, transB)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 11) return (throw_type(env, "matmul needs 11 arguments"), env.Undefined());
  float *a, *b, *out;
  size_t la, lb, lo;
  if (!f32(env, info[0], &a, &la, "a") || !f32(env, info[1], &b, &lb, "b") || !f32(env, info[2], &out, &lo, "out")) {
    return env.Undefined();
  }
  const int64_t batch = int_arg(info, 3), batchA = int_arg(info, 4), batchB = int_arg(info, 5);
  const int64_t M = int_arg(info, 6), N = int_arg(info, 7), K = int_arg(info, 8);
  const bool ta = info[9].ToBoolean().Value(), tb = info[10].ToBoolean().Value();
  if (batch < 1 || M < 0 || N < 0 || K < 0 || (batchA != batch && batchA != 1) || (batchB != batch && batchB != 1) ||
      M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) {
    return (throw_range(env, "matmul: invalid sizes"), env.Undefined());
  }
  if (static_cast<int64_t>(la) < batchA * M * K || static_cast<int64_t>(lb) < batchB * K * N ||
      static_cast<int64_t>(lo) < batch * M * N) {
    return (throw_range(env, "matmul: an array is shorter than its shape"), env.Undefined());
  }
  const bool blas = gemm_mode == Gemm::kOpenBLAS && hn::openblas_loaded();
  for (int64_t i = 0; i < batch; i++) {
    const float* ai = a + (batchA == 1 ? 0 : i * M * K);
    const float* bi = b + (batchB == 1 ? 0 : i * K * N);
    float* oi = out + i * M * N;
    if (blas) {
      hn::sgemm_openblas(ta, tb, static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), ai, bi, oi);
    } else {
      hn::sgemm_builtin(ta, tb, static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), ai, bi, oi,
                        num_threads);
    }
  }
  return env.Undefined();
}

// biasActivation(out, bias | null, rows, cols, act, alpha): in place on out.
Napi::Value BiasActivation(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *out, *bias = nullptr;
  size_t lo, lb = 0;
  if (!f32(env, info[0], &out, &lo, "out")) return env.Undefined();
  if (!is_nullish(info[1]) && !f32(env, info[1], &bias, &lb, "bias")) return env.Undefined();
  const int64_t rows = int_arg(info, 2), cols = int_arg(info, 3);
  const int act = static_cast<int>(int_arg(info, 4));
  const float alpha = info[5].As<Napi::Number>().FloatValue();
  if (rows < 0 || cols < 0 || static_cast<int64_t>(lo) < rows * cols || (bias && lb != 1 && static_cast<int64_t>(lb) != cols) ||
      act >= hn::kNumUnaryOps) {
    return (throw_range(env, "biasActivation: invalid sizes"), env.Undefined());
  }
  hn::bias_activation(out, rows, cols, bias, static_cast<int64_t>(lb), act, alpha);
  return env.Undefined();
}

// binary(op, a, b, out, plan: Int32Array [ndim, shape..., aStrides..., bStrides...])
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(int_arg(info, 0));
  float *a = nullptr, *b = nullptr, *out = nullptr;
  int32_t* plan = nullptr;
  size_t la = 0, lb = 0, lo = 0, lp = 0;
  if (!f32(env, info[1], &a, &la, "a") || !f32(env, info[2], &b, &lb, "b") || !f32(env, info[3], &out, &lo, "out") ||
      !typed<int32_t, napi_int32_array>(env, info[4], &plan, &lp, "plan")) {
    return env.Undefined();
  }
  if (op < 0 || op >= hn::kNumBinaryOps || lp < 1) return (throw_range(env, "binary: bad op or plan"), env.Undefined());
  const int ndim = plan[0];
  if (ndim < 0 || ndim > hn::kMaxDims || lp < static_cast<size_t>(1 + 3 * ndim)) {
    return (throw_range(env, "binary: bad plan"), env.Undefined());
  }
  int64_t shape[hn::kMaxDims], as[hn::kMaxDims], bs[hn::kMaxDims];
  int64_t size = 1, lastA = 0, lastB = 0;
  for (int d = 0; d < ndim; d++) {
    shape[d] = plan[1 + d];
    as[d] = plan[1 + ndim + d];
    bs[d] = plan[1 + 2 * ndim + d];
    if (shape[d] < 1 || as[d] < 0 || bs[d] < 0) return (throw_range(env, "binary: bad plan"), env.Undefined());
    size *= shape[d];
    lastA += as[d] * (shape[d] - 1);
    lastB += bs[d] * (shape[d] - 1);
  }
  if (ndim > 0 && ((as[ndim - 1] > 1) || (bs[ndim - 1] > 1))) return (throw_range(env, "binary: bad plan"), env.Undefined());
  if (static_cast<int64_t>(lo) < size || static_cast<int64_t>(la) <= lastA || static_cast<int64_t>(lb) <= lastB) {
    return (throw_range(env, "binary: an array is shorter than its plan"), env.Undefined());
  }
  hn::binary(op, a, b, out, ndim, shape, as, bs);
  return env.Undefined();
}

// unary(op, x, out, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(int_arg(info, 0));
  float *x, *out;
  size_t lx, lo;
  if (!f32(env, info[1], &x, &lx, "x") || !f32(env, info[2], &out, &lo, "out")) return env.Undefined();
  if (op < 0 || op >= hn::kNumUnaryOps || lo < lx) return (throw_range(env, "unary: bad op or sizes"), env.Undefined());
  hn::unary(op, x, out, lx, info[3].As<Napi::Number>().FloatValue());
  return env.Undefined();
}

// eluGrad(dy, y, out)
Napi::Value EluGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  float *dy, *y, *out;
  size_t ld, ly, lo;
  if (!f32(env, info[0], &dy, &ld, "dy") || !f32(env, info[1], &y, &ly, "y") || !f32(env, info[2], &out, &lo, "out")) {
    return env.Undefined();
  }
  if (ld < ly || lo < ly) return (throw_range(env, "eluGrad: sizes differ"), env.Undefined());
  hn::elu_grad(dy, y, out, ly);
  return env.Undefined();
}

// addN(inputs: Float32Array[], out)
Napi::Value AddN(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) return (throw_type(env, "addN: inputs must be an array"), env.Undefined());
  Napi::Array arr = info[0].As<Napi::Array>();
  float* out;
  size_t lo;
  if (!f32(env, info[1], &out, &lo, "out")) return env.Undefined();
  const uint32_t count = arr.Length();
  if (count == 0) return (throw_range(env, "addN: no inputs"), env.Undefined());
  std::vector<const float*> ptrs(count);
  for (uint32_t k = 0; k < count; k++) {
    float* p;
    size_t l;
    if (!f32(env, arr.Get(k), &p, &l, "addN input")) return env.Undefined();
    if (l < lo) return (throw_range(env, "addN: sizes differ"), env.Undefined());
    ptrs[k] = p;
  }
  hn::add_n(ptrs.data(), static_cast<int>(count), out, lo);
  return env.Undefined();
}

// reduce(op, x, out, outer, red, inner)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(int_arg(info, 0));
  float *x, *out;
  size_t lx, lo;
  if (!f32(env, info[1], &x, &lx, "x") || !f32(env, info[2], &out, &lo, "out")) return env.Undefined();
  const int64_t outer = int_arg(info, 3), red = int_arg(info, 4), inner = int_arg(info, 5);
  if (op < 0 || op >= hn::kNumReduceOps || outer < 0 || red < 1 || inner < 0 ||
      static_cast<int64_t>(lx) < outer * red * inner || static_cast<int64_t>(lo) < outer * inner) {
    return (throw_range(env, "reduce: bad op or sizes"), env.Undefined());
  }
  hn::reduce(op, x, out, outer, red, inner);
  return env.Undefined();
}

// ---- Float64 BLAS / LAPACK (OpenBLAS only; float64.cc) ----

bool float64_ready(Napi::Env env, bool have, const char* what) {
  if (!hn::openblas_loaded() || !have) {
    return throw_type(env, std::string(what) + ": OpenBLAS (with this routine) is not loaded");
  }
  return true;
}

// dgemm(a, b, c, M, N, K, transA, transB): c[M,N] = op(a)·op(b), row-major.
Napi::Value Dgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 8) return (throw_type(env, "dgemm needs 8 arguments"), env.Undefined());
  if (!float64_ready(env, hn::float64_symbols().dgemm, "dgemm")) return env.Undefined();
  double *a, *b, *c;
  size_t la, lb, lc;
  if (!f64(env, info[0], &a, &la, "a") || !f64(env, info[1], &b, &lb, "b") || !f64(env, info[2], &c, &lc, "c")) {
    return env.Undefined();
  }
  const int64_t M = int_arg(info, 3), N = int_arg(info, 4), K = int_arg(info, 5);
  const bool ta = info[6].ToBoolean().Value(), tb = info[7].ToBoolean().Value();
  if (M < 0 || N < 0 || K < 0 || M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) {
    return (throw_range(env, "dgemm: invalid sizes"), env.Undefined());
  }
  if (static_cast<int64_t>(la) < M * K || static_cast<int64_t>(lb) < K * N || static_cast<int64_t>(lc) < M * N) {
    return (throw_range(env, "dgemm: an array is shorter than its shape"), env.Undefined());
  }
  hn::dgemm_rowmajor(ta, tb, static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), a, b, c);
  return env.Undefined();
}

// dsyrk(a, c, N, K, trans): c[N,N] = aᵀa (a [K,N], trans) or aaᵀ (a [N,K]), both triangles.
Napi::Value Dsyrk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5) return (throw_type(env, "dsyrk needs 5 arguments"), env.Undefined());
  if (!float64_ready(env, hn::float64_symbols().dsyrk, "dsyrk")) return env.Undefined();
  double *a, *c;
  size_t la, lc;
  if (!f64(env, info[0], &a, &la, "a") || !f64(env, info[1], &c, &lc, "c")) return env.Undefined();
  const int64_t N = int_arg(info, 2), K = int_arg(info, 3);
  const bool trans = info[4].ToBoolean().Value();
  if (N < 0 || K < 0 || N > INT32_MAX || K > INT32_MAX) return (throw_range(env, "dsyrk: invalid sizes"), env.Undefined());
  if (static_cast<int64_t>(la) < N * K || static_cast<int64_t>(lc) < N * N) {
    return (throw_range(env, "dsyrk: an array is shorter than its shape"), env.Undefined());
  }
  hn::dsyrk_rowmajor(trans, static_cast<int>(N), static_cast<int>(K), a, c);
  return env.Undefined();
}

// dpotrf(a, N) -> info: a (row-major, lower triangle read) becomes its Cholesky factor L in place.
Napi::Value Dpotrf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2) return (throw_type(env, "dpotrf needs 2 arguments"), env.Undefined());
  if (!float64_ready(env, hn::float64_symbols().dpotrf, "dpotrf")) return env.Undefined();
  double* a;
  size_t la;
  if (!f64(env, info[0], &a, &la, "a")) return env.Undefined();
  const int64_t N = int_arg(info, 1);
  if (N < 0 || N > 46340 || static_cast<int64_t>(la) < N * N) {
    return (throw_range(env, "dpotrf: invalid size"), env.Undefined());
  }
  return Napi::Number::New(env, hn::dpotrf_lower_rowmajor(static_cast<int>(N), a));
}

// dsyevd(a, w, N) -> info: a (row-major, lower triangle read) becomes the eigenvectors (columns), w the
// eigenvalues, increasing.
Napi::Value Dsyevd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3) return (throw_type(env, "dsyevd needs 3 arguments"), env.Undefined());
  if (!float64_ready(env, hn::float64_symbols().dsyevd, "dsyevd")) return env.Undefined();
  double *a, *w;
  size_t la, lw;
  if (!f64(env, info[0], &a, &la, "a") || !f64(env, info[1], &w, &lw, "w")) return env.Undefined();
  const int64_t N = int_arg(info, 2);
  // LAPACK's workspace size 1 + 6N + 2N² must fit its 32-bit integers.
  if (N < 0 || 1 + 6 * N + 2 * N * N > INT32_MAX || static_cast<int64_t>(la) < N * N ||
      static_cast<int64_t>(lw) < N) {
    return (throw_range(env, "dsyevd: invalid size"), env.Undefined());
  }
  return Napi::Number::New(env, hn::dsyevd_rowmajor(static_cast<int>(N), a, w));
}

// loadOpenBLAS(path) -> null on success, else the error message.
Napi::Value LoadOpenBLAS(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string error;
  if (hn::openblas_load(info[0].As<Napi::String>().Utf8Value(), &error)) {
    hn::openblas_set_threads(num_threads);
    return env.Null();
  }
  return Napi::String::New(env, error);
}

// setGemm('builtin' | 'openblas') -> whether that GEMM is now active.
Napi::Value SetGemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string mode = info[0].As<Napi::String>().Utf8Value();
  if (mode == "openblas") {
    if (!hn::openblas_loaded()) return Napi::Boolean::New(env, false);
    gemm_mode = Gemm::kOpenBLAS;
  } else {
    gemm_mode = Gemm::kBuiltin;
  }
  return Napi::Boolean::New(env, true);
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const int64_t n = int_arg(info, 0);
  num_threads = n < 1 ? 1 : (n > 256 ? 256 : static_cast<int>(n));
  hn::openblas_set_threads(num_threads);
  return info.Env().Undefined();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const hn::CpuFeatures& f = hn::cpu_features();
  Napi::Object o = Napi::Object::New(env);
  o.Set("gemm", gemm_mode == Gemm::kOpenBLAS ? "openblas" : "builtin");
  o.Set("threads", num_threads);
  o.Set("builtinKernel", hn::builtin_kernel_name());
  o.Set("elementwiseClones", HN_HAVE_CLONES ? true : false);
  o.Set("openblasPath", hn::openblas_loaded() ? Napi::Value(Napi::String::New(env, hn::openblas_path())) : env.Null());
  o.Set("openblasConfig", hn::openblas_loaded() ? Napi::Value(Napi::String::New(env, hn::openblas_config())) : env.Null());
  const hn::Float64Symbols s = hn::float64_symbols();
  Napi::Object blas64 = Napi::Object::New(env);
  blas64.Set("dgemm", s.dgemm);
  blas64.Set("dsyrk", s.dsyrk);
  blas64.Set("dpotrf", s.dpotrf);
  blas64.Set("dsyevd", s.dsyevd);
  o.Set("float64", blas64);
  Napi::Object cpu = Napi::Object::New(env);
  cpu.Set("sse42", f.sse42);
  cpu.Set("avx2", f.avx2);
  cpu.Set("fma", f.fma);
  cpu.Set("avx512f", f.avx512f);
  o.Set("cpu", cpu);
#if defined(__VERSION__)
  o.Set("compiler", __VERSION__);
#else
  o.Set("compiler", "unknown");
#endif
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, MatMul, "matmul"));
  exports.Set("biasActivation", Napi::Function::New(env, BiasActivation, "biasActivation"));
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("eluGrad", Napi::Function::New(env, EluGrad, "eluGrad"));
  exports.Set("addN", Napi::Function::New(env, AddN, "addN"));
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
  exports.Set("dgemm", Napi::Function::New(env, Dgemm, "dgemm"));
  exports.Set("dsyrk", Napi::Function::New(env, Dsyrk, "dsyrk"));
  exports.Set("dpotrf", Napi::Function::New(env, Dpotrf, "dpotrf"));
  exports.Set("dsyevd", Napi::Function::New(env, Dsyevd, "dsyevd"));
  exports.Set("loadOpenBLAS", Napi::Function::New(env, LoadOpenBLAS, "loadOpenBLAS"));
  exports.Set("setGemm", Napi::Function::New(env, SetGemm, "setGemm"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("abiVersion", Napi::Number::New(env, 2));
  return exports;
}

}  // namespace

NODE_API_MODULE(hetmtl_native, Init)
