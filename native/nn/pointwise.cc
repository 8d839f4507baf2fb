// Element-wise kernels; see pointwise.h. The loops live in MS_SIMD_CLONES functions (one switch
// outside, one plain loop per case) so each case vectorises for AVX-512, AVX2 and baseline;
// exp, the logistic, tanh and softplus use the select-only forms of activation_math.h (relative
// error ~1e-7); the rarer log, sqrt and pow call libm.
#include "nn/pointwise.h"

#include <cmath>

#include "core/fastmath.h"
#include "core/simd.h"
#include "core/thread_pool.h"
#include "nn/activation_math.h"

namespace ms::nn {
namespace {

// Memory-bound loops: chunks of 32 Ki elements (128 KiB of float) amortise the pool's hand-off.
constexpr int64_t kGrain = 1 << 15;

MS_SIMD_CLONES void unary_range(UnaryOp op, const float* MS_RESTRICT x, int64_t n, float a, float b,
                                float* MS_RESTRICT y) {
  switch (op) {
    case UnaryOp::kNeg:
      for (int64_t i = 0; i < n; ++i) y[i] = -x[i];
      break;
    case UnaryOp::kSquare:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * x[i];
      break;
    case UnaryOp::kSqrt:
      for (int64_t i = 0; i < n; ++i) y[i] = std::sqrt(x[i]);
      break;
    case UnaryOp::kExp:
      for (int64_t i = 0; i < n; ++i) y[i] = fm::fast_exp(x[i]);
      break;
    case UnaryOp::kLog:
      for (int64_t i = 0; i < n; ++i) y[i] = std::log(x[i]);
      break;
    case UnaryOp::kPow:
      for (int64_t i = 0; i < n; ++i) y[i] = std::pow(x[i], a);
      break;
    case UnaryOp::kAddScalar:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] + a;
      break;
    case UnaryOp::kMulScalar:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * a;
      break;
    case UnaryOp::kRelu:
      // Selecting on x <= 0 lets NaN through, as PyTorch's relu does.
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] <= 0.0f ? 0.0f : x[i];
      break;
    case UnaryOp::kLeakyRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : x[i] * a;
      break;
    case UnaryOp::kSigmoid:
      for (int64_t i = 0; i < n; ++i) y[i] = logistic(x[i]);
      break;
    case UnaryOp::kTanh:
      for (int64_t i = 0; i < n; ++i) y[i] = tanh_fast(x[i]);
      break;
    case UnaryOp::kSoftplus:
      for (int64_t i = 0; i < n; ++i) {
        const float bx = x[i] * a;
        y[i] = bx > b ? x[i] : softplus_unit(bx) / a;
      }
      break;
    case UnaryOp::kReluMask:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? 1.0f : 0.0f;
      break;
    case UnaryOp::kLeakyMask:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? 1.0f : a;
      break;
    case UnaryOp::kSoftplusLinear:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * a > b ? 1.0f : 0.0f;
      break;
  }
}

MS_SIMD_CLONES void unary_grad_range(UnaryGradOp op, const float* MS_RESTRICT g, const float* MS_RESTRICT t, int64_t n,
                                     float a, float b, float* MS_RESTRICT gx) {
  switch (op) {
    case UnaryGradOp::kRelu:
      for (int64_t i = 0; i < n; ++i) gx[i] = t[i] > 0.0f ? g[i] : 0.0f;
      break;
    case UnaryGradOp::kLeakyRelu:
      for (int64_t i = 0; i < n; ++i) gx[i] = t[i] > 0.0f ? g[i] : g[i] * a;
      break;
    case UnaryGradOp::kSigmoid:
      for (int64_t i = 0; i < n; ++i) gx[i] = g[i] * (t[i] * (1.0f - t[i]));
      break;
    case UnaryGradOp::kTanh:
      for (int64_t i = 0; i < n; ++i) gx[i] = g[i] * (1.0f - t[i] * t[i]);
      break;
    case UnaryGradOp::kSoftplus:
      for (int64_t i = 0; i < n; ++i) {
        const float bx = t[i] * a;
        gx[i] = bx > b ? g[i] : g[i] * logistic(bx);
      }
      break;
  }
}

// One contiguous output row of a broadcast binary op: each input either walks with the row
// (stride 1) or stays on one element (stride 0).
#define MS_BINARY_CASES(EXPR)                                            \
  if (sa == 1 && sb == 1) {                                              \
    for (int64_t i = 0; i < n; ++i) { const float u = a[i], v = b[i]; y[i] = EXPR; } \
  } else if (sa == 1) {                                                  \
    const float v = b[0];                                                \
    for (int64_t i = 0; i < n; ++i) { const float u = a[i]; y[i] = EXPR; } \
  } else if (sb == 1) {                                                  \
    const float u = a[0];                                                \
    for (int64_t i = 0; i < n; ++i) { const float v = b[i]; y[i] = EXPR; } \
  } else {                                                               \
    for (int64_t i = 0; i < n; ++i) { const float u = a[i * sa], v = b[i * sb]; y[i] = EXPR; } \
  }

MS_SIMD_CLONES void binary_row(BinaryOp op, const float* MS_RESTRICT a, int64_t sa, const float* MS_RESTRICT b,
                               int64_t sb, int64_t n, float* MS_RESTRICT y) {
  switch (op) {
    case BinaryOp::kAdd:
      MS_BINARY_CASES(u + v);
      break;
    case BinaryOp::kSub:
      MS_BINARY_CASES(u - v);
      break;
    case BinaryOp::kMul:
      MS_BINARY_CASES(u * v);
      break;
    case BinaryOp::kDiv:
      MS_BINARY_CASES(u / v);
      break;
  }
}
#undef MS_BINARY_CASES

MS_SIMD_CLONES void copy_row(const float* MS_RESTRICT a, int64_t sa, int64_t n, float* MS_RESTRICT y) {
  if (sa == 1) {
    for (int64_t i = 0; i < n; ++i) y[i] = a[i];
  } else if (sa == 0) {
    for (int64_t i = 0; i < n; ++i) y[i] = a[0];
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = a[i * sa];
  }
}

// Calls row(offset_a, offset_b, y_offset, length) for every output row of g (the last axis),
// rows split over the pool.
template <typename Row>
void for_each_row(const BroadcastGeometry& g, Row row) {
  if (g.ndim == 0) return row(0, 0, 0, 1);
  const int last = g.ndim - 1;
  const int64_t len = g.shape[last];
  if (len == 0) return;
  const int64_t rows = g.count() / len;
  const int64_t grain = len >= kGrain ? 1 : kGrain / len;
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rest = r, oa = 0, ob = 0;
      for (int d = last - 1; d >= 0; --d) {
        const int64_t i = rest % g.shape[d];
        rest /= g.shape[d];
        oa += i * g.stride_a[d];
        ob += i * g.stride_b[d];
      }
      row(oa, ob, r * len, len);
    }
  });
}

}  // namespace

int64_t BroadcastGeometry::count() const {
  int64_t n = 1;
  for (int d = 0; d < ndim; ++d) n *= shape[d];
  return n;
}

int64_t BroadcastGeometry::extent_a() const {
  int64_t e = 1;
  for (int d = 0; d < ndim; ++d) e += (shape[d] - 1) * stride_a[d];
  return e;
}

int64_t BroadcastGeometry::extent_b() const {
  int64_t e = 1;
  for (int d = 0; d < ndim; ++d) e += (shape[d] - 1) * stride_b[d];
  return e;
}

void unary_forward(UnaryOp op, const float* x, int64_t n, float a, float b, float* y) {
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) { unary_range(op, x + i0, i1 - i0, a, b, y + i0); });
}

void unary_backward(UnaryGradOp op, const float* g, const float* t, int64_t n, float a, float b, float* gx) {
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) { unary_grad_range(op, g + i0, t + i0, i1 - i0, a, b, gx + i0); });
}

void binary_forward(BinaryOp op, const float* a, const float* b, const BroadcastGeometry& g, float* y) {
  const int64_t sa = g.ndim ? g.stride_a[g.ndim - 1] : 0, sb = g.ndim ? g.stride_b[g.ndim - 1] : 0;
  for_each_row(g, [&](int64_t oa, int64_t ob, int64_t oy, int64_t len) { binary_row(op, a + oa, sa, b + ob, sb, len, y + oy); });
}

void broadcast_copy(const float* a, const BroadcastGeometry& g, float* y) {
  const int64_t sa = g.ndim ? g.stride_a[g.ndim - 1] : 0;
  for_each_row(g, [&](int64_t oa, int64_t, int64_t oy, int64_t len) { copy_row(a + oa, sa, len, y + oy); });
}

}  // namespace ms::nn
