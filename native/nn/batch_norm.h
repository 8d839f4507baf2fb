// Batch normalisation, forward and backward side by side (llm.c style); the plain reference a
// CUDA twin in cuda/nn/ will mirror. Shapes: x, y, g: (N, C, S) where S is the product of the
// spatial sizes (1 for [N, C] input). Per-channel vectors have C elements. Outputs are assigned,
// never accumulated. Each channel is reduced by one thread in a fixed order (float64 sums), so
// results do not depend on the thread count.
#pragma once

#include <cstdint>

namespace ms::nn {

struct BatchNormShape {
  int64_t n = 0, c = 0, s = 0;
};

// Training: normalises with the batch's mean and biased variance; writes the mean and
// 1/sqrt(var + eps) per channel (for backward) and, when given, updates the running
// statistics in place as PyTorch does: r = (1 - momentum)·r + momentum·stat, with the unbiased
// variance (M / (M - 1)) in running_var. weight/bias may be null (affine=False).
void batch_norm_forward_train(const float* x, const float* weight, const float* bias, BatchNormShape shape,
                              float eps, float momentum, float* running_mean, float* running_var, float* y,
                              float* save_mean, float* save_invstd);

// Evaluation: y = (x - running_mean) / sqrt(running_var + eps) · weight + bias.
void batch_norm_forward_eval(const float* x, const float* weight, const float* bias, const float* running_mean,
                             const float* running_var, BatchNormShape shape, float eps, float* y);

// Backward of either mode, given the statistics the forward normalised with (`mean`, `invstd`:
// the batch's in training, the running ones in eval). In training the mean and variance depend
// on x, which adds the two centring terms:
//   gx = w·invstd·(g − mean(g) − x̂·mean(g·x̂))   (training)     gx = w·invstd·g   (eval)
//   gw = Σ g·x̂,  gb = Σ g   (over N and S). gx, gw, gb may each be null (not needed).
void batch_norm_backward(const float* x, const float* g, const float* weight, const float* mean, const float* invstd,
                         BatchNormShape shape, bool training, float* gx, float* gw, float* gb);

}  // namespace ms::nn
