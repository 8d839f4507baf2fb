// Float approximations of exp, log and sin/cos(2πu) that auto-vectorise on the CPU (no calls,
// no branches: every data-dependent choice is a select) and compile unchanged in CUDA device
// code, so the CPU kernels and their CUDA twins evaluate the same formulas.
//
// Accuracy against float64 (sweeps over float32 inputs, with and without FMA contraction):
//   fast_exp      relative error < 1e-7 on [-87, 88]; subnormal below, 0 below -104, +inf above
//                 88.73, NaN for NaN
//   fast_log      relative error < 1e-7 for positive normal x (0, subnormals, negatives: garbage)
//   sincos_2pi    absolute error < 1e-7 for u in [0, 1] (any |u| < 2^22 reduces exactly)
// The polynomials are Cephes' single-precision minimax fits (S. Moshier, expf/logf/sinf/cosf).
// Whether a product and a sum fuse into an FMA depends on the ISA clone, so results may differ
// in the last bit between CPUs; they never differ between thread counts.
#pragma once

#include <cstdint>
#include <cstring>

#if !defined(__CUDACC__)
#include <cmath>
#endif

#include "core/hostdev.h"
#include "core/simd.h"

#if defined(__CUDACC__)
#define MS_FASTMATH MS_HOSTDEV
#else
#define MS_FASTMATH MS_ALWAYS_INLINE
#endif

namespace ms {
namespace fm {

MS_FASTMATH float bits_to_float(int32_t i) {
  float f;
  memcpy(&f, &i, sizeof f);
  return f;
}

MS_FASTMATH int32_t float_to_bits(float f) {
  int32_t i;
  memcpy(&i, &f, sizeof i);
  return i;
}

MS_FASTMATH float fsqrt(float x) {
#if defined(__CUDACC__)
  return sqrtf(x);
#else
  return std::sqrt(x);
#endif
}

// min/max whose result is `b` when `a` is NaN (a select, unlike std::fmin's libm call).
MS_FASTMATH float min_or(float a, float b) { return a < b ? a : b; }
MS_FASTMATH float max_or(float a, float b) { return a > b ? a : b; }

// Adding 1.5·2^23 rounds a float with |v| < 2^22 to the nearest integer (ties to even) in the
// current rounding mode: a branch-free round() on every ISA, SSE2 included. Requires that the
// compiler keeps IEEE semantics (no -ffast-math / reassociation), which this project does.
constexpr float kRoundMagic = 12582912.0f;

// 2^k for integer k in [-126, 127], from the exponent bits (unsigned shift: no UB for k < 0).
MS_FASTMATH float pow2_normal(int32_t k) {
  return bits_to_float(static_cast<int32_t>(static_cast<uint32_t>(k + 127) << 23));
}

// 2^n for integer n in [-252, 254], built from exponent bits as two normal factors so the
// result may itself be subnormal or overflow to +inf like the true value.
MS_FASTMATH float exp2_int(int32_t n) {
  const int32_t h = n >> 1;
  return pow2_normal(h) * pow2_normal(n - h);
}

// e^x. Range reduction x = n·ln2 + r with n = round(x·log2 e), |r| <= ln2/2; exp(r) by a
// degree-7 polynomial (Cephes expf); ln2 split in two so n·ln2_hi is exact.
MS_FASTMATH float fast_exp(float x_in) {
  // Beyond [-104, 89] e^x is 0 or inf in float; a NaN is held at 89 here and returned below.
  const float x = max_or(min_or(x_in, 89.0f), -104.0f);
  const float t = x * 1.44269504088896341f + kRoundMagic;
  const float n = t - kRoundMagic;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  const float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float er = p * z + r + 1.0f;
  const float y = er * exp2_int(static_cast<int32_t>(n));
  return x_in == x_in ? y : x_in;
}

// ln x for positive normal x (e.g. uniform_open01 draws); 0 and subnormals are out of domain.
// x = m·2^e with m in [√½, √2); ln m by Cephes logf's polynomial in m − 1.
MS_FASTMATH float fast_log(float x) {
  const int32_t bits = float_to_bits(x);
  int32_t e = ((bits >> 23) & 0xff) - 126;                     // x = m·2^e, m in [0.5, 1)
  float m = bits_to_float((bits & 0x007fffff) | 0x3f000000);
  const bool small = m < 0.707106781186547524f;
  e = small ? e - 1 : e;
  m = small ? m + m - 1.0f : m - 1.0f;  // exact (Sterbenz)
  const float fe = static_cast<float>(e);
  const float z = m * m;
  float p = 7.0376836292e-2f;
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  float y = p * m * z;
  y += fe * -2.12194440e-4f;
  y += -0.5f * z;
  return (m + y) + fe * 0.693359375f;
}

// s = sin(2πu), c = cos(2πu). u = q/4 + r with q = round(4u) and |r| <= 1/8 (the subtraction is
// exact: u and q/4 are both multiples of u's ulp); θ = 2πr in [−π/4, π/4] feeds Cephes'
// sinf/cosf polynomials, and the quadrant q mod 4 rotates (sin θ, cos θ) by selects.
MS_FASTMATH void sincos_2pi(float u, float& s, float& c) {
  const float q = (u * 4.0f + kRoundMagic) - kRoundMagic;
  const float r = u - q * 0.25f;
  const float t = r * 6.28318530717958648f;
  const float z = t * t;
  const float sn = ((-1.9515295891e-4f * z + 8.3321608736e-3f) * z - 1.6666654611e-1f) * z * t + t;
  const float cs =
      ((2.443315711809948e-5f * z - 1.388731625493765e-3f) * z + 4.166664568298827e-2f) * z * z -
      0.5f * z + 1.0f;
  const int32_t qi = static_cast<int32_t>(q);
  const bool swap = (qi & 1) != 0;
  float ss = swap ? cs : sn;
  float cc = swap ? sn : cs;
  ss = (qi & 2) != 0 ? -ss : ss;
  cc = ((qi + 1) & 2) != 0 ? -cc : cc;
  s = ss;
  c = cc;
}

}  // namespace fm
}  // namespace ms
