// The engine's classification losses, forward and backward side by side (llm.c style); the
// plain reference a CUDA twin in cuda/nn/ will mirror. Both return the mean over the batch as
// PyTorch's default reduction does; sums run in float64 in blocks added in a fixed order, so
// results do not depend on the thread count. Gradients are assigned, never accumulated.
// (Focal Tversky and Cox live in native/loss/ and are shared with the loss API.)
#pragma once

#include <cstdint>

namespace ms::nn {

// logits: (N, C), target: (N) class indices in [0, C) → mean_n (logsumexp(logits_n) − logits_n[t_n]).
// probs (N, C) is assigned softmax(logits) for the backward. Throws INVALID_ARGUMENT for a
// target outside [0, C).
double cross_entropy_forward(const float* logits, const int32_t* target, int64_t n, int64_t c, float* probs);
// gx (N, C) = scale · (probs − onehot(target)); scale = dLoss / N.
void cross_entropy_backward(const float* probs, const int32_t* target, int64_t n, int64_t c, float scale, float* gx);

// x, t: (count) → mean of max(x, 0) − x·t + log1p(e^{−|x|}) (stable for any finite x).
double bce_with_logits_forward(const float* x, const float* t, int64_t count);
// gx = scale · (σ(x) − t); scale = dLoss / count.
void bce_with_logits_backward(const float* x, const float* t, int64_t count, float scale, float* gx);

}  // namespace ms::nn
