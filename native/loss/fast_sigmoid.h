// A vectorisable float32 logistic function for the hot loss loops, for scalars and f32x16
// lanes alike. std::exp does not vectorise without -ffast-math, and a fused sigmoid +
// reduction pass over a batch of logits is dominated by it. Cephes-style expf: round x·log2(e)
// to the nearest integer n, evaluate exp on the remainder r = x − n·ln2 in [−ln2/2, ln2/2]
// with a degree-6 polynomial (relative error about 2 ulp), and scale by 2^n through the
// exponent bits.
#pragma once

#include <cstdint>

#include "core/simd.h"
#include "loss/vec16.h"

// Inlined only (see vec16.h): the vector-argument ABI -Wpsabi warns about is never used.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace ms {

// exp(x) for x clamped to [−87, 87] (the range where 2^n stays a normal float). F: float or f32x16.
template <typename F>
MS_ALWAYS_INLINE F exp_clamped_f32(F x) {
  x = clamp_f(x, -87.0f, 87.0f);
  // Adding 1.5·2^23 rounds to an integer in the low mantissa bits (round to nearest even).
  const float shifter = 12582912.0f;
  const F t = x * 1.44269504088896341f + shifter;
  const F n = t - shifter;
  F r = x - n * 0.693359375f;  // ln2 split in two for an exact product with n
  r = r - n * -2.12194440e-4f;
  const F r2 = r * r;
  F p = splat(1.9875691500e-4f, x);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r2 + r + 1.0f;
  return p * bits_f32((to_i32(n) + 127) << 23);
}

// 1 / (1 + exp(−x)); saturates to about 1.6e-38 below x = −87 and to 1 above x = 17.
template <typename F>
MS_ALWAYS_INLINE F sigmoid_f32(F x) {
  return 1.0f / (1.0f + exp_clamped_f32(-x));
}

}  // namespace ms

#pragma GCC diagnostic pop
