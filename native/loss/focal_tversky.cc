#include "loss/focal_tversky.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "loss/overlap.h"

namespace ms {

template <typename T>
double focal_tversky(const float* pred, const T* target, int64_t batch, int64_t size,
                     const FocalTverskyParams& params, double* per_sample, float* grad) {
  const double wfn = params.weight_fn, wfp = params.weight_fp, gamma = params.gamma, s = params.smooth;
  require(std::isfinite(wfn) && wfn >= 0, "weightFN must be a finite number >= 0");
  require(std::isfinite(wfp) && wfp >= 0, "weightFP must be a finite number >= 0");
  require(std::isfinite(gamma) && gamma > 0, "gamma must be a finite number > 0");
  require(std::isfinite(s) && s >= 0, "smooth must be a finite number >= 0");
  require(grad != nullptr && per_sample != nullptr, "grad and perSample buffers are required");

  std::vector<OverlapSums> sums(static_cast<size_t>(batch));
  overlap_sums(pred, target, batch, size, params.from_logits, grad, sums.data());

  // dTI/dp_i = a'·g_i + c' with D = TP + w_FN·FN + w_FP·FP + s:
  //   a' = (1 − TI·(1 − w_FN − w_FP)) / D,   c' = −TI·w_FP / D
  // and dloss_b/dTI = −γ (1 − TI)^(γ − 1); the 1/batch of the mean is folded in.
  std::vector<double> a(static_cast<size_t>(batch)), c(static_cast<size_t>(batch));
  double total = 0;
  for (int64_t b = 0; b < batch; ++b) {
    const OverlapSums& o = sums[b];
    const double fn = std::max(o.g - o.tp, 0.0);
    const double fp = std::max(o.p - o.tp, 0.0);
    const double d = o.tp + wfn * fn + wfp * fp + s;
    double ti = d > 0 ? (o.tp + s) / d : 1.0;
    ti = std::min(ti, 1.0);
    const double miss = 1.0 - ti;
    per_sample[b] = miss > 0 ? std::pow(miss, gamma) : 0.0;
    total += per_sample[b];
    if (miss > 0 && d > 0) {
      const double dloss_dti = -gamma * std::pow(miss, gamma - 1.0) / static_cast<double>(batch);
      a[b] = dloss_dti * (1.0 - ti * (1.0 - wfn - wfp)) / d;
      c[b] = dloss_dti * (-ti * wfp / d);
    } else {
      a[b] = c[b] = 0.0;
    }
  }
  overlap_gradient(target, batch, size, a.data(), c.data(), params.from_logits, grad);
  return total / static_cast<double>(batch);
}

template double focal_tversky<float>(const float*, const float*, int64_t, int64_t, const FocalTverskyParams&,
                                     double*, float*);
template double focal_tversky<uint8_t>(const float*, const uint8_t*, int64_t, int64_t, const FocalTverskyParams&,
                                       double*, float*);

}  // namespace ms
