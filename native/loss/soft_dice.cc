#include "loss/soft_dice.h"

#include <cmath>
#include <vector>

#include "core/error.h"
#include "loss/overlap.h"

namespace ms {

template <typename T>
double soft_dice(const float* pred, const T* target, int64_t batch, int64_t size, const SoftDiceParams& params,
                 double* per_sample, float* grad) {
  const double s = params.smooth;
  require(std::isfinite(s) && s >= 0, "smooth must be a finite number >= 0");
  require(grad != nullptr && per_sample != nullptr, "grad and perSample buffers are required");

  std::vector<OverlapSums> sums(static_cast<size_t>(batch));
  overlap_sums(pred, target, batch, size, params.from_logits, grad, sums.data());

  // With N = 2TP + s and M = P + G + s: dloss_b/dp_i = −(2 g_i M − N) / M² = a·g_i + c.
  std::vector<double> a(static_cast<size_t>(batch)), c(static_cast<size_t>(batch));
  const double inv_batch = 1.0 / static_cast<double>(batch);
  double total = 0;
  for (int64_t b = 0; b < batch; ++b) {
    const OverlapSums& o = sums[b];
    const double num = 2.0 * o.tp + s;
    const double den = o.p + o.g + s;
    if (den > 0) {
      per_sample[b] = 1.0 - num / den;
      a[b] = -2.0 / den * inv_batch;
      c[b] = num / (den * den) * inv_batch;
    } else {
      per_sample[b] = 0.0;
      a[b] = c[b] = 0.0;
    }
    total += per_sample[b];
  }
  overlap_gradient(target, batch, size, a.data(), c.data(), params.from_logits, grad);
  return total * inv_batch;
}

template double soft_dice<float>(const float*, const float*, int64_t, int64_t, const SoftDiceParams&, double*, float*);
template double soft_dice<uint8_t>(const float*, const uint8_t*, int64_t, int64_t, const SoftDiceParams&, double*,
                                   float*);

}  // namespace ms
