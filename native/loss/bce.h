// Binary cross-entropy with its gradient, on probabilities or on logits (BCE-with-logits in its
// numerically stable form). Per element:
//   probabilities: ℓ = −[g·max(log p, −100) + (1 − g)·max(log(1 − p), −100)]
//                  dℓ/dp = (p − g) / max(p·(1 − p), 1e-12)      (PyTorch's BCELoss clamps)
//   logits:        ℓ = max(x, 0) − x·g + log(1 + exp(−|x|)),    dℓ/dx = sigmoid(x) − g
// Per sample the mean over its elements; the returned loss is the batch mean.
#pragma once

#include <cstdint>

namespace ms {

struct BceParams {
  bool from_logits = false;
};

// pred, target, grad: [batch, size]; per_sample: [batch]. Returns the batch mean loss.
// grad (assigned, required) = d mean / d pred (or d logits): dℓ/dp / (batch·size).
template <typename T>
double binary_cross_entropy(const float* pred, const T* target, int64_t batch, int64_t size, const BceParams& params,
                            double* per_sample, float* grad);

}  // namespace ms
