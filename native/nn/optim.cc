#include "nn/optim.h"

#include <cmath>

#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

constexpr int64_t kGrain = 1 << 14;

// Scalars are rounded to float once, as torch's CPU kernels do with a Python float operand.
MS_SIMD_CLONES void sgd_range(float* MS_RESTRICT param, const float* MS_RESTRICT grad, float* MS_RESTRICT buf,
                              int64_t begin, int64_t end, float lr, float momentum, float keep, float wd,
                              bool nesterov, bool first) {
  for (int64_t i = begin; i < end; i++) {
    float d = grad[i];
    if (wd != 0.0f) d = d + wd * param[i];
    if (momentum != 0.0f) {
      const float b = first ? d : buf[i] * momentum + keep * d;
      buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    param[i] = param[i] + (-lr) * d;
  }
}

MS_SIMD_CLONES void adam_range(float* MS_RESTRICT param, const float* MS_RESTRICT grad, float* MS_RESTRICT m,
                               float* MS_RESTRICT v, int64_t begin, int64_t end, float beta1, float one_minus_beta1,
                               float beta2, float one_minus_beta2, float wd, float decay, float bc2_sqrt, float eps,
                               float neg_step_size) {
  for (int64_t i = begin; i < end; i++) {
    float g = grad[i];
    float p = param[i];
    if (decay != 1.0f) p = p * decay;
    if (wd != 0.0f) g = g + wd * p;
    const float mi = m[i] * beta1 + one_minus_beta1 * g;
    // torch's addcmul / addcdiv evaluate value·t1·t2 and value·t1/t2 left to right.
    const float vi = v[i] * beta2 + one_minus_beta2 * g * g;
    m[i] = mi;
    v[i] = vi;
    const float denom = std::sqrt(vi) / bc2_sqrt + eps;
    param[i] = p + neg_step_size * mi / denom;
  }
}

}  // namespace

void sgd_step(float* param, const float* grad, float* momentum_buffer, int64_t n, const SgdParams& p) {
  const float keep = static_cast<float>(1.0 - static_cast<double>(p.dampening));
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    sgd_range(param, grad, momentum_buffer, begin, end, p.lr, p.momentum, keep, p.weight_decay, p.nesterov,
              p.first_step);
  });
}

void adam_step(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, int64_t n, const AdamParams& p) {
  // Bias corrections in double, as torch computes them in Python.
  const double step = static_cast<double>(p.step);
  const double bias_correction1 = 1.0 - std::pow(p.beta1, step);
  const double bias_correction2 = 1.0 - std::pow(p.beta2, step);
  const double step_size = p.lr / bias_correction1;
  const float decay = p.decoupled ? static_cast<float>(1.0 - p.lr * p.weight_decay) : 1.0f;
  const float wd = p.decoupled ? 0.0f : static_cast<float>(p.weight_decay);
  const auto beta1 = static_cast<float>(p.beta1);
  const auto beta2 = static_cast<float>(p.beta2);
  const auto omb1 = static_cast<float>(1.0 - p.beta1);
  const auto omb2 = static_cast<float>(1.0 - p.beta2);
  const auto bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  const auto eps = static_cast<float>(p.eps);
  const auto neg_step_size = static_cast<float>(-step_size);
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    adam_range(param, grad, exp_avg, exp_avg_sq, begin, end, beta1, omb1, beta2, omb2, wd, decay, bc2_sqrt, eps,
               neg_step_size);
  });
}

}  // namespace ms
