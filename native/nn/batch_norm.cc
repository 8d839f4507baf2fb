// Batch normalisation kernels; see batch_norm.h for shapes and formulas.
#include "nn/batch_norm.h"

#include <cmath>

#include "core/thread_pool.h"

namespace ms::nn {
namespace {

// Σ over (N, S) of f(value at n, i) for channel c, in float64, in a fixed order.
template <typename F>
double channel_sum(BatchNormShape sh, int64_t c, F f) {
  double total = 0;
  for (int64_t n = 0; n < sh.n; ++n) {
    const int64_t base = (n * sh.c + c) * sh.s;
    double part = 0;
    for (int64_t i = 0; i < sh.s; ++i) part += f(base + i);
    total += part;
  }
  return total;
}

// Writes y = x·scale + shift for channel c.
void channel_affine(const float* x, BatchNormShape sh, int64_t c, float scale, float shift, float* y) {
  for (int64_t n = 0; n < sh.n; ++n) {
    const int64_t base = (n * sh.c + c) * sh.s;
    for (int64_t i = 0; i < sh.s; ++i) y[base + i] = x[base + i] * scale + shift;
  }
}

int64_t channel_grain(BatchNormShape sh) {
  const int64_t per_channel = sh.n * sh.s;
  return per_channel >= 16384 ? 1 : 16384 / (per_channel + 1) + 1;
}

}  // namespace

void batch_norm_forward_train(const float* x, const float* weight, const float* bias, BatchNormShape sh, float eps,
                              float momentum, float* running_mean, float* running_var, float* y, float* save_mean,
                              float* save_invstd) {
  const int64_t count = sh.n * sh.s;
  parallel_for(sh.c, channel_grain(sh), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const double mean = channel_sum(sh, c, [&](int64_t i) { return double(x[i]); }) / double(count);
      const double var =
          channel_sum(sh, c, [&](int64_t i) { const double d = x[i] - mean; return d * d; }) / double(count);
      const double invstd = 1.0 / std::sqrt(var + double(eps));
      save_mean[c] = static_cast<float>(mean);
      save_invstd[c] = static_cast<float>(invstd);
      const double w = weight ? weight[c] : 1.0, b = bias ? bias[c] : 0.0;
      channel_affine(x, sh, c, static_cast<float>(w * invstd), static_cast<float>(b - mean * w * invstd), y);
      if (running_mean) running_mean[c] = static_cast<float>((1.0 - momentum) * running_mean[c] + momentum * mean);
      if (running_var) {
        const double unbiased = count > 1 ? var * double(count) / double(count - 1) : var;
        running_var[c] = static_cast<float>((1.0 - momentum) * running_var[c] + momentum * unbiased);
      }
    }
  });
}

void batch_norm_forward_eval(const float* x, const float* weight, const float* bias, const float* running_mean,
                             const float* running_var, BatchNormShape sh, float eps, float* y) {
  parallel_for(sh.c, channel_grain(sh), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const double invstd = 1.0 / std::sqrt(double(running_var[c]) + double(eps));
      const double w = weight ? weight[c] : 1.0, b = bias ? bias[c] : 0.0;
      channel_affine(x, sh, c, static_cast<float>(w * invstd), static_cast<float>(b - running_mean[c] * w * invstd), y);
    }
  });
}

void batch_norm_backward(const float* x, const float* g, const float* weight, const float* mean, const float* invstd,
                         BatchNormShape sh, bool training, float* gx, float* gw, float* gb) {
  const double count = double(sh.n * sh.s);
  parallel_for(sh.c, channel_grain(sh), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const double m = mean[c], r = invstd[c];
      const double sum_g = channel_sum(sh, c, [&](int64_t i) { return double(g[i]); });
      const double sum_gxhat = channel_sum(sh, c, [&](int64_t i) { return double(g[i]) * (x[i] - m) * r; });
      if (gw) gw[c] = static_cast<float>(sum_gxhat);
      if (gb) gb[c] = static_cast<float>(sum_g);
      if (!gx) continue;
      const double k = (weight ? weight[c] : 1.0) * r;
      const double mean_g = training ? sum_g / count : 0.0, mean_gxhat = training ? sum_gxhat / count : 0.0;
      for (int64_t n = 0; n < sh.n; ++n) {
        const int64_t base = (n * sh.c + c) * sh.s;
        for (int64_t i = base; i < base + sh.s; ++i) {
          const double xhat = (x[i] - m) * r;
          gx[i] = static_cast<float>(k * (g[i] - mean_g - xhat * mean_gxhat));
        }
      }
    }
  });
}

}  // namespace ms::nn
