// Vectorisable float forms of the activations' transcendental parts, shared by the element-wise
// kernels and the losses: no calls and no branches (selects only), so loops over them vectorise
// in every MS_SIMD_CLONES clone. Built on fm::fast_exp / fm::fast_log (relative error < 1e-7).
#pragma once

#include <cmath>

#include "core/fastmath.h"
#include "core/simd.h"

namespace ms::nn {

// 1 / (1 + e^{−x}); 0 and 1 at the ends, NaN for NaN.
MS_ALWAYS_INLINE float logistic(float x) { return 1.0f / (1.0f + fm::fast_exp(-x)); }

// log(1 + e) for e >= 0 as log(u)·e/(u − 1), u = 1 + e: the rounding of u cancels, so it is
// accurate also where e is below float's epsilon (there u = 1 and the result is e).
MS_ALWAYS_INLINE float log1p_nonneg(float e) {
  const float u = 1.0f + e;
  return u == 1.0f ? e : fm::fast_log(u) * (e / (u - 1.0f));
}

// tanh as Cephes' tanhf: x + x³·P(x²) for |x| <= 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)).
MS_ALWAYS_INLINE float tanh_fast(float x) {
  const float z = std::fabs(x);
  const float s = x * x;
  const float p =
      ((((-5.70498872745e-3f * s + 2.06390887954e-2f) * s - 5.37397155531e-2f) * s + 1.33314422036e-1f) * s -
       3.33332819422e-1f) * s * x + x;
  const float big = 1.0f - 2.0f / (fm::fast_exp(2.0f * z) + 1.0f);
  return z > 0.625f ? (x < 0.0f ? -big : big) : p;
}

// log(1 + e^{v}) for any v: v itself once e^{v} would overflow (where the two agree in float).
MS_ALWAYS_INLINE float softplus_unit(float v) {
  const float l = log1p_nonneg(fm::fast_exp(v));
  return v > 80.0f ? v : l;
}

}  // namespace ms::nn
