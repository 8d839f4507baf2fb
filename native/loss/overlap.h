// The two passes the soft overlap losses (focal Tversky, soft Dice) share. Both losses depend on
// the prediction only through three sums per sample, TP = Σ p·g, P = Σ p and G = Σ g, so
//   pass 1 reduces them (fusing the sigmoid when the prediction is logits), and
//   pass 2 writes a gradient that is affine in g per sample: dL/dp_i = a_b·g_i + c_b.
// Shapes: pred, target, prob/grad [batch, size] (C order); sums, a, c [batch].
#pragma once

#include <cstdint>

namespace ms {

struct OverlapSums {
  double tp = 0;  // Σ p·g
  double p = 0;   // Σ p
  double g = 0;   // Σ g
};

// Fills sums[b]. With from_logits, p = sigmoid(pred) and p is also written to `prob` (required
// then; the gradient pass reads it back). Sums are float64, added per chunk in a fixed order.
// Throws INVALID_ARGUMENT for probabilities outside [0, 1] or NaN, non-finite logits, and
// targets outside [0, 1] (float) or other than 0/1 (uint8).
template <typename T>
void overlap_sums(const float* pred, const T* target, int64_t batch, int64_t size, bool from_logits,
                  float* prob, OverlapSums* sums);

// Assigns grad[b, i] = (a[b]·g + c[b]) · (from_logits ? p·(1 − p) : 1), where p is grad[b, i] on
// entry (the probabilities overlap_sums wrote to the same buffer) — the chain rule through the
// sigmoid for logits.
template <typename T>
void overlap_gradient(const T* target, int64_t batch, int64_t size, const double* a, const double* c,
                      bool from_logits, float* grad);

}  // namespace ms
