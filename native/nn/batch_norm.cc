// Batch normalisation kernels; see batch_norm.h for shapes and formulas.
#include "nn/batch_norm.h"

#include <cmath>

#include "core/simd.h"
#include "core/thread_pool.h"
#include "nn/reduce.h"

namespace ms::nn {
namespace {

// Σ over n of f(plane of channel c in sample n, S), in float64, samples in order.
template <typename F>
double channel_sum(BatchNormShape sh, int64_t c, F f) {
  double total = 0;
  for (int64_t n = 0; n < sh.n; ++n) total += f((n * sh.c + c) * sh.s);
  return total;
}

MS_SIMD_CLONES void affine_row(const float* MS_RESTRICT x, int64_t n, float scale, float shift, float* MS_RESTRICT y) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale + shift;
}

// gx = k·g − b·x + c: the training backward with its per-channel constants folded.
MS_SIMD_CLONES void backward_row(const float* MS_RESTRICT g, const float* MS_RESTRICT x, int64_t n, float k, float b, float c,
                                 float* MS_RESTRICT gx) {
  for (int64_t i = 0; i < n; ++i) gx[i] = (k * g[i] - b * x[i]) + c;
}

// Writes y = x·scale + shift for channel c.
void channel_affine(const float* x, BatchNormShape sh, int64_t c, float scale, float shift, float* y) {
  for (int64_t n = 0; n < sh.n; ++n) {
    const int64_t base = (n * sh.c + c) * sh.s;
    affine_row(x + base, sh.s, scale, shift, y + base);
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
      const double mean = channel_sum(sh, c, [&](int64_t at) { return sum_serial(x + at, sh.s); }) / double(count);
      const double var = channel_sum(sh, c, [&](int64_t at) { return sum_sq_dev_serial(x + at, sh.s, mean); }) / double(count);
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
      const double sum_g = channel_sum(sh, c, [&](int64_t at) { return sum_serial(g + at, sh.s); });
      const double sum_gxhat = channel_sum(sh, c, [&](int64_t at) { return dot_dev_serial(g + at, x + at, sh.s, m); }) * r;
      if (gw) gw[c] = static_cast<float>(sum_gxhat);
      if (gb) gb[c] = static_cast<float>(sum_g);
      if (!gx) continue;
      const double k = (weight ? weight[c] : 1.0) * r;
      const double mean_g = training ? sum_g / count : 0.0, mean_gxhat = training ? sum_gxhat / count : 0.0;
      // k·(g − mean_g − (x − m)·r·mean_gxhat) = k·g − b·x + (b·m − k·mean_g)
      const double b = k * r * mean_gxhat;
      for (int64_t n = 0; n < sh.n; ++n) {
        const int64_t base = (n * sh.c + c) * sh.s;
        backward_row(g + base, x + base, sh.s, static_cast<float>(k), static_cast<float>(b), static_cast<float>(b * m - k * mean_g), gx + base);
      }
    }
  });
}

}  // namespace ms::nn
