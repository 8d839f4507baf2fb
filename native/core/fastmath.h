// Float approximations of exp, log and sin/cos(2πu), and float64 log and exp, that
// auto-vectorise on the CPU (no calls, no branches: every data-dependent choice is a select) and
// compile unchanged in CUDA device code, so the CPU kernels and their CUDA twins evaluate the
// same formulas.
//
// Accuracy against float64 (sweeps over float32 inputs, with and without FMA contraction):
//   fast_exp      relative error < 1e-7 on [-87, 88]; subnormal below, 0 below -104, +inf above
//                 88.73, NaN for NaN
//   fast_log      relative error < 1e-7 for positive normal x (0, subnormals, negatives: garbage)
//   sincos_2pi    absolute error < 1e-7 for u in [0, 1] (any |u| < 2^22 reduces exactly)
//   fast_log_coarse  absolute error < 7e-6 on [1e-12, 1] (our degree-4 fit; for bounded estimates)
//   rsqrt         relative error < 2e-7 (three Newton steps), < 5e-6 (rsqrt<2>)
// The polynomials are Cephes' single-precision minimax fits (S. Moshier, expf/logf/sinf/cosf),
// except fast_log_coarse's.
// Against glibc's float64 log and exp (random sweeps over the whole ranges):
//   log_d         within 1 ulp for positive normal finite x (fdlibm's e_log.c, with its one
//   log_d2        division; log_d2: two logs, one division; 0, subnormals, negatives, inf,
//                 NaN: garbage)
//   exp_d         within 1 ulp for x in [-708, 709] (Taylor polynomial of degree 13 after
//                 reduction by ln 2; outside: garbage)
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

// The same bits as another type of the same size (std::bit_cast, which CUDA device code lacks).
template <class To, class From>
MS_FASTMATH To bit_cast(From from) {
  static_assert(sizeof(To) == sizeof(From), "bit_cast between types of different sizes");
  To to;
  memcpy(&to, &from, sizeof to);
  return to;
}

MS_FASTMATH float fsqrt(float x) {
#if defined(__CUDACC__)
  return sqrtf(x);
#else
  return std::sqrt(x);
#endif
}

// 1/√x for positive normal x: the exponent-halving bit trick (within 3.5%) and Newton steps,
// with no division or square-root instruction (both slow in wide vectors). Relative error < 2e-7
// with three steps (the default), < 5e-6 with two.
// 0, subnormals, negatives, inf, NaN: garbage.
template <int Steps = 3>
MS_FASTMATH float rsqrt(float x) {
  const uint32_t bits = static_cast<uint32_t>(bit_cast<int32_t>(x));
  float y = bit_cast<float>(static_cast<int32_t>(0x5F375A86u - (bits >> 1)));
  const float h = 0.5f * x;
  for (int i = 0; i < Steps; ++i) y = y * (1.5f - h * y * y);
  return y;
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
  return bit_cast<float>(static_cast<int32_t>(static_cast<uint32_t>(k + 127) << 23));
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
// x = 2^e·(1 + f) with 1 + f in [√½, √2): f exactly, e as a float.
MS_FASTMATH void log_split(float x, float& f, float& fe) {
  const int32_t bits = bit_cast<int32_t>(x);
  int32_t e = ((bits >> 23) & 0xff) - 126;                     // x = m·2^e, m in [0.5, 1)
  const float m = bit_cast<float>((bits & 0x007fffff) | 0x3f000000);
  const bool small = m < 0.707106781186547524f;
  e = small ? e - 1 : e;
  f = small ? m + m - 1.0f : m - 1.0f;  // exact (Sterbenz)
  fe = static_cast<float>(e);
}

MS_FASTMATH float fast_log(float x) {
  float m, fe;
  log_split(x, m, fe);
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

// ln x within 5e-6 (absolute, plus float32 rounding) for positive normal x: fast_log's reduction
// with a degree-4 minimax polynomial (ours) in place of Cephes' degree 8, for estimates that
// carry their own error bound.
MS_FASTMATH float fast_log_coarse(float x) {
  float m, fe;
  log_split(x, m, fe);
  const float z = m * m;
  const float p = (((1.248521231e-01f * m - 1.803041593e-01f) * m + 2.019976931e-01f) * m - 2.497014039e-01f) * m +
                  3.333148221e-01f;
  return (m + (p * m * z - 0.5f * z)) + fe * 0.69314718f;
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

// Adding 1.5·2^52 rounds a double with |v| < 2^51 to the nearest integer, which then sits in the
// low bits of the sum's representation.
constexpr double kRoundMagicD = 6755399441055744.0;

// ln x (fdlibm's __ieee754_log): x = 2^e·m with m in [√½, √2), f = m − 1 (exact),
// s = f/(2 + f), ln(1 + f) = f − (f²/2 − s·(f²/2 + R(s²))); ln 2 split in two. log_d2 computes
// two logarithms with one division (1/((2 + f)(2 + g)) serves both quotients; the extra
// roundings stay below 1 ulp of the result).
struct LogReduced {
  double e, f;
};

MS_FASTMATH LogReduced log_reduce(double x) {
  const int64_t bits = bit_cast<int64_t>(x);
  // The biased exponent e + 1023 as a double: placed in the low bits of 2^52 (x > 0: no sign).
  double e = bit_cast<double>((bits >> 52) | 0x4330000000000000) - 4503599627371519.0;  // 2^52 + 1023
  double m = bit_cast<double>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);          // [1, 2)
  const bool big = m > 1.4142135623730951;
  m = big ? 0.5 * m : m;
  e = big ? e + 1.0 : e;
  return LogReduced{e, m - 1.0};
}

MS_FASTMATH double log_finish(const LogReduced& r, double s) {
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const double t2 = z * (6.666666666666735130e-01 +
                         w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const double R = t2 + t1;
  const double hfsq = 0.5 * r.f * r.f;
  return r.e * 6.93147180369123816490e-01 - ((hfsq - (s * (hfsq + R) + r.e * 1.90821492927058770002e-10)) - r.f);
}

MS_FASTMATH double log_d(double x) {
  const LogReduced r = log_reduce(x);
  return log_finish(r, r.f / (2.0 + r.f));
}

MS_FASTMATH void log_d2(double x, double y, double& log_x, double& log_y) {
  const LogReduced rx = log_reduce(x), ry = log_reduce(y);
  const double dx = 2.0 + rx.f, dy = 2.0 + ry.f;
  const double inv = 1.0 / (dx * dy);
  log_x = log_finish(rx, rx.f * (dy * inv));
  log_y = log_finish(ry, ry.f * (dx * inv));
}

// e^x for x in [-708, 709]: x = n·ln 2 + r with |r| <= ln2/2 (ln 2 split so n·ln2_hi is exact),
// e^r by its Taylor polynomial of degree 13 (truncation < 5e-18), times 2^n from exponent bits.
MS_FASTMATH double exp_d(double x) {
  const double t = x * 1.4426950408889634 + kRoundMagicD;
  const double n = t - kRoundMagicD;
  const double r = (x - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
  double p = 1.6059043836821613e-10;  // 1/13!
  p = p * r + 2.08767569878681e-09;   // 1/12!
  p = p * r + 2.505210838544172e-08;
  p = p * r + 2.755731922398589e-07;
  p = p * r + 2.7557319223985893e-06;
  p = p * r + 2.48015873015873e-05;
  p = p * r + 1.984126984126984e-04;
  p = p * r + 1.388888888888889e-03;
  p = p * r + 8.333333333333333e-03;
  p = p * r + 4.1666666666666664e-02;
  p = p * r + 1.6666666666666666e-01;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const int64_t ni = bit_cast<int64_t>(t) - bit_cast<int64_t>(kRoundMagicD);
  return p * bit_cast<double>(static_cast<int64_t>(static_cast<uint64_t>(ni + 1023) << 52));
}

}  // namespace fm
}  // namespace ms
