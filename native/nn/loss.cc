// Cross-entropy and BCE-with-logits kernels; see loss.h.
#include "nn/loss.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/fastmath.h"
#include "core/simd.h"
#include "core/thread_pool.h"
#include "nn/activation_math.h"
#include "nn/reduce.h"

namespace ms::nn {
namespace {

constexpr int64_t kBlock = 1 << 14;

// Loss of one row; writes its softmax.
double cross_entropy_row(const float* l, int32_t t, int64_t c, float* p) {
  float m = l[0];
  for (int64_t j = 1; j < c; ++j) m = std::max(m, l[j]);
  double s = 0;
  for (int64_t j = 0; j < c; ++j) s += double(fm::fast_exp(l[j] - m));
  const double lse = double(m) + std::log(s);
  for (int64_t j = 0; j < c; ++j) p[j] = static_cast<float>(std::exp(double(l[j]) - lse));
  return lse - double(l[t]);
}

// max(v, 0) − v·t + log1p(e^{−|v|}) in float.
MS_ALWAYS_INLINE float bce_term(float v, float t) {
  return (std::max(v, 0.0f) - v * t) + log1p_nonneg(fm::fast_exp(-std::fabs(v)));
}

MS_SIMD_CLONES double bce_sum(const float* MS_RESTRICT x, const float* MS_RESTRICT t, int64_t n) {
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) lane[k] += double(bce_term(x[i + k], t[i + k]));
  }
  for (int k = 0; i + k < n; ++k) lane[k] += double(bce_term(x[i + k], t[i + k]));
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

MS_SIMD_CLONES void bce_grad(const float* MS_RESTRICT x, const float* MS_RESTRICT t, int64_t n, float scale, float* MS_RESTRICT gx) {
  for (int64_t i = 0; i < n; ++i) gx[i] = (logistic(x[i]) - t[i]) * scale;
}

}  // namespace

double cross_entropy_forward(const float* logits, const int32_t* target, int64_t n, int64_t c, float* probs) {
  for (int64_t i = 0; i < n; ++i) {
    if (target[i] < 0 || target[i] >= c) {
      throw Error("INVALID_ARGUMENT", "crossEntropy: target " + std::to_string(target[i]) + " at " + std::to_string(i) +
                                          " is outside [0, " + std::to_string(c) + ")");
    }
  }
  const int64_t rows = std::max<int64_t>(1, kBlock / std::max<int64_t>(c, 1));
  const double total = ordered_sum(n, rows, [&](int64_t r0, int64_t r1) {
    double part = 0;
    for (int64_t r = r0; r < r1; ++r) part += cross_entropy_row(logits + r * c, target[r], c, probs + r * c);
    return part;
  });
  return total / double(n);
}

void cross_entropy_backward(const float* probs, const int32_t* target, int64_t n, int64_t c, float scale, float* gx) {
  const int64_t rows = std::max<int64_t>(1, kBlock / std::max<int64_t>(c, 1));
  parallel_for(n, rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      for (int64_t j = 0; j < c; ++j) gx[r * c + j] = (probs[r * c + j] - (j == target[r] ? 1.0f : 0.0f)) * scale;
    }
  });
}

double bce_with_logits_forward(const float* x, const float* t, int64_t count) {
  const double total = ordered_sum(count, kBlock, [&](int64_t i0, int64_t i1) { return bce_sum(x + i0, t + i0, i1 - i0); });
  return total / double(count);
}

void bce_with_logits_backward(const float* x, const float* t, int64_t count, float scale, float* gx) {
  parallel_for(count, kBlock, [&](int64_t i0, int64_t i1) { bce_grad(x + i0, t + i0, i1 - i0, scale, gx + i0); });
}

}  // namespace ms::nn
