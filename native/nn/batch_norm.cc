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

// y = (x − m)·scale + shift: centred first, so inputs far from zero keep their precision.
MS_SIMD_CLONES void affine_row(const float* MS_RESTRICT x, int64_t n, float m, float scale, float shift, float* MS_RESTRICT y) {
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) * scale + shift;
}

// gx = k·(g − mean_g − (x − m)·b): centred before scaling, so inputs far from zero keep their
// precision (as PyTorch's kernel, which also subtracts the mean first).
MS_SIMD_CLONES void backward_row(const float* MS_RESTRICT g, const float* MS_RESTRICT x, int64_t n, float k, float mean_g,
                                 float m, float b, float* MS_RESTRICT gx) {
  for (int64_t i = 0; i < n; ++i) gx[i] = ((g[i] - mean_g) - (x[i] - m) * b) * k;
}

// Σ g and Σ g·(x − m) over one plane in one pass (float64 lanes, a fixed association).
MS_SIMD_CLONES void plane_grad_sums(const float* MS_RESTRICT g, const float* MS_RESTRICT x, int64_t n, double m, double* sums) {
  double sg[8] = {0, 0, 0, 0, 0, 0, 0, 0}, sgx[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) {
      sg[k] += double(g[i + k]);
      sgx[k] += double(g[i + k]) * (double(x[i + k]) - m);
    }
  }
  for (int k = 0; i + k < n; ++k) {
    sg[k] += double(g[i + k]);
    sgx[k] += double(g[i + k]) * (double(x[i + k]) - m);
  }
  sums[0] = ((sg[0] + sg[1]) + (sg[2] + sg[3])) + ((sg[4] + sg[5]) + (sg[6] + sg[7]));
  sums[1] = ((sgx[0] + sgx[1]) + (sgx[2] + sgx[3])) + ((sgx[4] + sgx[5]) + (sgx[6] + sgx[7]));
}

// Writes y = (x − m)·scale + shift for channel c.
void channel_affine(const float* x, BatchNormShape sh, int64_t c, float m, float scale, float shift, float* y) {
  for (int64_t n = 0; n < sh.n; ++n) {
    const int64_t base = (n * sh.c + c) * sh.s;
    affine_row(x + base, sh.s, m, scale, shift, y + base);
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
      channel_affine(x, sh, c, static_cast<float>(mean), static_cast<float>(w * invstd), static_cast<float>(b), y);
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
      channel_affine(x, sh, c, running_mean[c], static_cast<float>(w * invstd), static_cast<float>(b), y);
    }
  });
}

void batch_norm_backward(const float* x, const float* g, const float* weight, const float* mean, const float* invstd,
                         BatchNormShape sh, bool training, float* gx, float* gw, float* gb) {
  const double count = double(sh.n * sh.s);
  parallel_for(sh.c, channel_grain(sh), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const double m = mean[c], r = invstd[c];
      double sum_g = 0, sum_gxc = 0;
      for (int64_t n = 0; n < sh.n; ++n) {
        double sums[2];
        const int64_t at = (n * sh.c + c) * sh.s;
        plane_grad_sums(g + at, x + at, sh.s, m, sums);
        sum_g += sums[0];
        sum_gxc += sums[1];
      }
      const double sum_gxhat = sum_gxc * r;
      if (gw) gw[c] = static_cast<float>(sum_gxhat);
      if (gb) gb[c] = static_cast<float>(sum_g);
      if (!gx) continue;
      const double k = (weight ? weight[c] : 1.0) * r;
      const double mean_g = training ? sum_g / count : 0.0, mean_gxhat = training ? sum_gxhat / count : 0.0;
      for (int64_t n = 0; n < sh.n; ++n) {
        const int64_t base = (n * sh.c + c) * sh.s;
        backward_row(g + base, x + base, sh.s, static_cast<float>(k), static_cast<float>(mean_g), static_cast<float>(m),
                     static_cast<float>(r * mean_gxhat), gx + base);
      }
    }
  });
}

}  // namespace ms::nn
