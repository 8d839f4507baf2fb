// Element-wise ops of the training engine, forward and backward side by side (llm.c style); the
// plain reference a CUDA twin in cuda/nn/ will mirror. Outputs are assigned, never accumulated.
// Each output element depends only on its own inputs and chunks are split by index, so results
// do not depend on the thread count.
#pragma once

#include <cstdint>

namespace ms::nn {

// ---- unary: y = f(x), x and y: (n) ----
enum class UnaryOp : int32_t {
  kNeg = 0,
  kSquare = 1,
  kSqrt = 2,
  kExp = 3,
  kLog = 4,
  kPow = 5,          // x^a
  kAddScalar = 6,    // x + a
  kMulScalar = 7,    // x · a
  kRelu = 8,
  kLeakyRelu = 9,    // x > 0 ? x : a·x
  kSigmoid = 10,
  kTanh = 11,
  kSoftplus = 12,    // β = a, threshold = b: βx > b ? x : log1p(e^{βx}) / β (PyTorch's rule)
  kReluMask = 13,    // x > 0 ? 1 : 0          (ReLU's derivative, a constant of the graph)
  kLeakyMask = 14,   // x > 0 ? 1 : a          (LeakyReLU's derivative)
  kSoftplusLinear = 15,  // a·x > b ? 1 : 0    (where softplus is the identity)
};
constexpr int32_t kUnaryOpCount = 16;

void unary_forward(UnaryOp op, const float* x, int64_t n, float a, float b, float* y);

// ---- fused first-order backward of the activations (used when no graph is recorded) ----
// gx = g · f'(·) from the saved input x or output y, as PyTorch's *_backward kernels:
enum class UnaryGradOp : int32_t {
  kRelu = 0,        // t = x: g · (x > 0)
  kLeakyRelu = 1,   // t = x: g · (x > 0 ? 1 : a)
  kSigmoid = 2,     // t = y: g · y · (1 − y)
  kTanh = 3,        // t = y: g · (1 − y²)
  kSoftplus = 4,    // t = x: βx > b ? g : g · σ(βx), β = a
};
constexpr int32_t kUnaryGradOpCount = 5;

void unary_backward(UnaryGradOp op, const float* g, const float* t, int64_t n, float a, float b, float* gx);

// ---- binary with numpy broadcasting ----
enum class BinaryOp : int32_t { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };
constexpr int32_t kBinaryOpCount = 4;

// The output is C-contiguous with `shape`; input k reads element Σ index[d]·stride_k[d], so a
// broadcast axis has stride 0. Callers collapse adjacent axes first (at most kMaxDims remain).
constexpr int kBroadcastMaxDims = 8;
struct BroadcastGeometry {
  int ndim = 0;
  int64_t shape[kBroadcastMaxDims] = {};
  int64_t stride_a[kBroadcastMaxDims] = {};
  int64_t stride_b[kBroadcastMaxDims] = {};

  int64_t count() const;
  // 1 + the largest offset input a (b) reads: the length it must have.
  int64_t extent_a() const;
  int64_t extent_b() const;
};

// y = a op b, broadcast as `g` says. y: (count).
void binary_forward(BinaryOp op, const float* a, const float* b, const BroadcastGeometry& g, float* y);

// y = a broadcast to g's shape (expand); b's strides are ignored.
void broadcast_copy(const float* a, const BroadcastGeometry& g, float* y);

}  // namespace ms::nn
