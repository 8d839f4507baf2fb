// Optimizer updates, in place, one parameter tensor per call — the plain CPU reference for a
// later CUDA twin in cuda/nn/. Each follows torch.optim's single-tensor path (torch 1.13) step by
// step in float32, so a step matches PyTorch to float rounding:
//   SGD:   d = g (+ wd·p); buf = first ? d : momentum·buf + (1 − dampening)·d;
//          d = nesterov ? d + momentum·buf : buf (when momentum ≠ 0); p −= lr·d
//   Adam:  g (+ wd·p); m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²;
//          p −= (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
//   AdamW: p ·= 1 − lr·wd first (decoupled), then Adam without the wd term.
// Every value is elementwise, so the result does not depend on the thread count.
#pragma once

#include <cstdint>

namespace ms {

struct SgdParams {
  float lr;
  float momentum;
  float dampening;
  float weight_decay;
  bool nesterov;
  // The momentum buffer does not exist yet (torch clones d into it).
  bool first_step;
};

// param, grad, momentum_buffer: (n,). momentum_buffer may be null when momentum == 0.
void sgd_step(float* param, const float* grad, float* momentum_buffer, int64_t n, const SgdParams& p);

struct AdamParams {
  double lr;
  double beta1;
  double beta2;
  double eps;
  double weight_decay;
  // Step count after this update (1 for the first).
  int64_t step;
  // AdamW: weight decay applied to the parameter, not added to the gradient.
  bool decoupled;
};

// param, grad, exp_avg, exp_avg_sq: (n,).
void adam_step(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, int64_t n, const AdamParams& p);

}  // namespace ms
