// Elementwise kernels (binary with broadcasting, unary, activation gradients) and reductions, on float32.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hn {

// Keep in sync with src/ops.ts.
enum BinaryOp : int { kAdd = 0, kSub, kMul, kDiv, kSquaredDifference, kMaximum, kMinimum, kNumBinaryOps };

enum UnaryOp : int {
  kRelu = 0,
  kRelu6,
  kElu,
  kStep,
  kSigmoid,
  kTanh,
  kSquare,
  kSqrt,
  kNeg,
  kExp,
  kLog,
  kAbs,
  kRsqrt,
  kReciprocal,
  kLeakyRelu,
  kNumUnaryOps
};

enum ReduceOp : int { kSum = 0, kMean, kMax, kNumReduceOps };

constexpr int kMaxDims = 8;

// out (contiguous, shape[0..ndim)) = a ∘ b, where element i of the output reads a and b through
// element strides aStrides / bStrides (0 along broadcast dimensions). The innermost stride of each
// operand is 0 or 1.
void binary(int op, const float* a, const float* b, float* out, int ndim, const int64_t* shape,
            const int64_t* aStrides, const int64_t* bStrides);

// out[i] = f(x[i]); alpha is Step's and LeakyRelu's parameter.
void unary(int op, const float* x, float* out, size_t n, float alpha);

// dx = dy where y >= 0, dy · (y + 1) elsewhere (the gradient of elu through its output y).
void elu_grad(const float* dy, const float* y, float* out, size_t n);

// out = Σ inputs[k], all of length n.
void add_n(const float* const* inputs, int count, float* out, size_t n);

// x viewed as [outer, red, inner] reduced over the middle axis into out [outer, inner].
void reduce(int op, const float* x, float* out, int64_t outer, int64_t red, int64_t inner);

// In place on c [rows, cols]: c += bias (a row vector of cols values, or one value when biasLen is
// 1), then the activation (-1 none, else a UnaryOp among relu, relu6, elu, sigmoid, leakyrelu).
void bias_activation(float* c, int64_t rows, int64_t cols, const float* bias, int64_t biasLen, int act, float alpha);

}  // namespace hn
