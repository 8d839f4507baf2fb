// Soft Dice loss (the linear form, as in MONAI's DiceLoss with squared_pred=False) with its
// gradient, on probabilities or on logits with the sigmoid folded in. Per sample b:
//   loss_b = 1 − (2·Σ p·g + s) / (Σ p + Σ g + s)
// and the returned loss is the batch mean.
#pragma once

#include <cstdint>

namespace ms {

struct SoftDiceParams {
  double smooth = 1.0;  // >= 0
  bool from_logits = false;
};

// pred, target, grad: [batch, size]; per_sample: [batch]. Returns the batch mean loss.
// grad (assigned, required) = d mean / d pred, or d mean / d logits with from_logits.
// With s = 0 an empty prediction of an empty target counts as a perfect match (loss 0, grad 0).
template <typename T>
double soft_dice(const float* pred, const T* target, int64_t batch, int64_t size, const SoftDiceParams& params,
                 double* per_sample, float* grad);

}  // namespace ms
