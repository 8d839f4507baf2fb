// Focal Tversky loss (Abraham & Khan 2019) with its gradient, on probabilities or on logits with
// the sigmoid folded in. Per sample b:
//   TP = Σ p·g,  FN = Σ (1 − p)·g,  FP = Σ p·(1 − g)
//   TI = (TP + s) / (TP + w_FN·FN + w_FP·FP + s),   loss_b = (1 − TI)^γ
// and the returned loss is the batch mean. The weights are named by what they weigh: w_FN is
// Abraham & Khan's α and Salehi et al.'s / MONAI's β; w_FP is their β and Salehi's / MONAI's α.
#pragma once

#include <cstdint>

namespace ms {

struct FocalTverskyParams {
  double weight_fn = 0.7;  // >= 0
  double weight_fp = 0.3;  // >= 0
  double gamma = 0.75;     // > 0
  double smooth = 1.0;     // >= 0
  bool from_logits = false;
};

// pred, target, grad: [batch, size]; per_sample: [batch]. Returns the batch mean loss.
// grad (assigned, required) = d mean / d pred, or d mean / d logits with from_logits.
// TI = 1 (a perfect sample, loss 0) gets gradient 0, also for γ < 1 where the derivative of
// (1 − TI)^γ is unbounded there; with s = 0, an empty prediction of an empty target is TI = 1.
template <typename T>
double focal_tversky(const float* pred, const T* target, int64_t batch, int64_t size,
                     const FocalTverskyParams& params, double* per_sample, float* grad);

}  // namespace ms
