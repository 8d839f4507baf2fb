// The per-voxel random draws of the noise kernels, as pure functions of a Philox stream and a
// voxel index. They are the definition the CPU kernels (noise.cc) vectorise and the CUDA twins
// call per thread, so both produce the same values (test/reference/noise.ts re-implements them
// in float64 TypeScript).
//
// Normal sequence of a (seed, sample, stream): N[m] for m = 0, 1, 2, ...
//   Philox counter m >> 2 gives words w0..w3; lane m & 3 picks
//     m & 3 = 0: r0·cos(2π u1)   1: r0·sin(2π u1)    with r0 = sqrt(−2 ln u0), u_i = uniform_open01(w_i)
//     m & 3 = 2: r1·cos(2π u3)   3: r1·sin(2π u3)    with r1 = sqrt(−2 ln u2)
//   (Box–Muller: one Philox call is two pairs, four normals.)
// Gaussian noise on voxel v uses N[v]; Rician noise on voxel v uses N[2v] (real) and N[2v+1]
// (imaginary), i.e. counter v >> 1.
//
// Poisson noise on voxel v (v < 2^32), λ = max(in[v], 0)·scale: output float(K·(1/scale)), where
// 1/scale is clamped to the largest double (only a subnormal scale reaches the clamp, and then
// every K is 0). A NaN voxel stays NaN. K is Poisson(λ) by inversion of one uniform per voxel:
// u = (w + ½)·2^−32 with w = word v & 3 of Philox counter {low = v >> 2, high = 0} (poisson_word),
// and K = the least k with F(k) > u, F the Poisson(λ) CDF (u is never 0 or 1, so K is finite and,
// with 32-bit words, at most ~6.4 standard deviations from λ).
//   λ == 0:  K = 0 without reading a counter. λ > 1e15: K = λ (see kPoissonExactAbove).
//   λ < 10:  sequential search from 0: p_0 = e^−λ, p_j = p_{j−1}·(λ·(1/j)); K = the first k with
//            u < p_0 + … + p_k, or the first k where adding p_k no longer changes the sum
//            (poisson_inversion).
//   λ >= 10: the same K, computed exactly in float64 (poisson_quantile_exact: F(k) from Loader's
//            saddle-point pmf, summed until its terms vanish, then steps of one) wherever the fast
//            float32 estimate (noise/poisson_quantile.h, Giles's method) cannot decide it with
//            certainty; the estimate decides the rest, which is the same K.
// So the Poisson draw is exactly the inverse CDF at u, up to float64's rounding of F near u (two
// implementations can disagree only where u lies within ~1e-15 of some F(k)).
#pragma once

#include <cmath>
#include <cstdint>

#include "core/fastmath.h"
#include "core/philox.h"
#include "noise/poisson_quantile.h"

namespace ms {

// Box–Muller on two words: n_cos = r·cos(2π u_b), n_sin = r·sin(2π u_b), r = sqrt(−2 ln u_a).
MS_FASTMATH void box_muller(uint32_t word_a, uint32_t word_b, float& n_cos, float& n_sin) {
  const float r = fm::fsqrt(-2.0f * fm::fast_log(uniform_open01(word_a)));
  float s, c;
  fm::sincos_2pi(uniform_open01(word_b), s, c);
  n_cos = r * c;
  n_sin = r * s;
}

// N[m] of the normal sequence (scalar; the kernels compute four per Philox call).
MS_FASTMATH float normal_at(const PhiloxStream& stream, uint64_t m) {
  const Philox4 w = stream.at(m >> 2);
  const int pair = static_cast<int>((m >> 1) & 1);
  float nc, ns;
  box_muller(w.v[2 * pair], w.v[2 * pair + 1], nc, ns);
  return (m & 1) == 0 ? nc : ns;
}

// Below this mean the sampler searches the CDF from 0; at and above it, from the fast estimate.
constexpr double kPoissonInversionBelow = 10.0;
// Above this mean Poisson's relative spread (λ^-½ < 3e-8) is below float32 resolution: the
// sampler returns λ itself.
constexpr double kPoissonExactAbove = 1e15;

// λ of a voxel value x: max(x, 0)·scale (0 for NaN: the caller keeps NaN voxels NaN).
MS_FASTMATH double poisson_lambda(float x, double scale) {
  const double xd = x;
  return (xd > 0.0 ? xd : 0.0) * scale;
}

// The factor that turns a count into intensity: 1/scale, at most the largest finite double.
MS_FASTMATH double poisson_inv_scale(double scale) {
  const double inv = 1.0 / scale;
  return inv < 1.7976931348623157e308 ? inv : 1.7976931348623157e308;
}

// The word voxel v draws from: word v & 3 of Philox counter {low = v >> 2, high = 0}.
MS_HOSTDEV uint32_t poisson_word(const PhiloxStream& stream, uint32_t v) { return stream.at(v >> 2).v[v & 3]; }

// u = (w + ½)·2^−32 and 1 − u = (~w + ½)·2^−32, both exact in float64.
constexpr double kTwoPowMinus32 = 2.3283064365386963e-10;
MS_HOSTDEV double poisson_u(uint32_t w) { return (static_cast<double>(w) + 0.5) * kTwoPowMinus32; }
MS_HOSTDEV double poisson_u_complement(uint32_t w) { return (static_cast<double>(~w) + 0.5) * kTwoPowMinus32; }

// λ < 10: the sequential search (the CPU kernel runs the same steps in lock-step lanes).
MS_HOSTDEV double poisson_inversion(double lambda, double u) {
  double p = fm::exp_d(-lambda), cdf = p, k = 0.0;
  while (u >= cdf) {
    k += 1.0;
    p *= lambda * (1.0 / k);
    const double next = cdf + p;
    if (next == cdf) break;  // the tail has underflowed: u sits in the CDF's rounding gap
    cdf = next;
  }
  return k;
}

// ln k! − ((k + ½)·ln k − k + ½·ln 2π) for integer k >= 1: a table below 16 (mpmath), Stirling's
// series from there (error < 1e-17).
MS_HOSTDEV double stirling_error(double k) {
  if (k < 16.0) {
    constexpr double kTable[16] = {0.0,
                                   0.08106146679532725822,
                                   0.041340695955409294094,
                                   0.027677925684998339149,
                                   0.020790672103765093112,
                                   0.016644691189821192163,
                                   0.013876128823070747999,
                                   0.011896709945891770095,
                                   0.010411265261972096497,
                                   0.0092554621827127329177,
                                   0.0083305634333628712565,
                                   0.007573675487951840795,
                                   0.0069428401072095298657,
                                   0.0064089941880042070684,
                                   0.0059513701127588477356,
                                   0.005554733551962801371};
    return kTable[static_cast<int>(k)];
  }
  const double r = 1.0 / k, r2 = r * r;
  return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - r2 * (1.0 / 1188)) * r2) * r2) * r2) * r;
}

// k·ln(k/λ) + λ − k without the cancellation of its terms when k ≈ λ (Loader's bd0).
MS_HOSTDEV double poisson_deviance(double k, double lambda) {
  const double d = k - lambda;
  if (fabs(d) < 0.1 * (k + lambda)) {
    const double v = d / (k + lambda), v2 = v * v;
    double s = d * v, ej = 2.0 * k * v;
    for (double j = 3.0; j < 1000.0; j += 2.0) {
      ej *= v2;
      const double next = s + ej / j;
      if (next == s) break;
      s = next;
    }
    return s;
  }
  return k * fm::log_d(k / lambda) + lambda - k;
}

// P(K = k) for integer k >= 0 (Loader's saddle-point form: relative error ~1e-15 for any λ).
MS_HOSTDEV double poisson_pmf(double k, double lambda) {
  const double e = k == 0.0 ? -lambda : -stirling_error(k) - poisson_deviance(k, lambda);
  if (e < -708.0) return 0.0;
  const double p = fm::exp_d(e);
  return k == 0.0 ? p : p / sqrt(6.283185307179586477 * k);
}

// F(k) = Σ_{j <= k} p_j for k < λ, summed from p_k = P(K = k) down while the terms count.
MS_HOSTDEV double poisson_cdf_from(double k, double inv_lambda, double pk) {
  double sum = pk, term = pk;
  for (double j = k; j > 0.0; j -= 1.0) {
    term *= j * inv_lambda;
    const double next = sum + term;
    if (next == sum) break;
    sum = next;
  }
  return sum;
}

// 1 − F(k) = Σ_{j > k} p_j for k >= λ, from p_k, while the terms count.
MS_HOSTDEV double poisson_tail_from(double k, double lambda, double pk) {
  double sum = 0.0, term = pk;
  for (double j = k + 1.0;; j += 1.0) {
    term *= lambda / j;
    const double next = sum + term;
    if (next == sum) break;
    sum = next;
  }
  return sum;
}

// λ >= 10: K = the least k with F(k) > u, found exactly in float64 from a guess k0 >= 0 near it:
// F(k0) (or 1 − F(k0) from λ up, compared with 1 − u) summed from the pmf, then steps of one.
MS_HOSTDEV double poisson_quantile_exact(double lambda, uint32_t w, double k0) {
  const double u = poisson_u(w), u_up = poisson_u_complement(w);
  const double inv_lambda = 1.0 / lambda;
  double k = k0, p = poisson_pmf(k, lambda);
  if (k < lambda) {
    double F = poisson_cdf_from(k, inv_lambda, p);
    if (F > u) {
      while (k > 0.0 && F - p > u) {  // F(k − 1) = F(k) − p_k
        F -= p;
        p *= k * inv_lambda;
        k -= 1.0;
      }
    } else {
      while (!(F > u) && p > 0.0) {
        k += 1.0;
        p *= lambda / k;
        F += p;
      }
    }
  } else {
    double G = poisson_tail_from(k, lambda, p);  // F(k) > u ⟺ 1 − F(k) < 1 − u
    if (G < u_up) {
      while (k > 0.0 && G + p < u_up) {
        G += p;
        p *= k * inv_lambda;
        k -= 1.0;
      }
    } else {
      while (!(G < u_up) && p > 0.0) {
        k += 1.0;
        p *= lambda / k;
        G -= p;
      }
    }
  }
  return k;
}

// The fast estimate's K for λ >= 10, and in `sure` whether it is certain; either way K is a
// start for the exact walk (>= 0, finite).
MS_FASTMATH double poisson_fast(double lambda, uint32_t w, bool& sure) {
  float tol, eta;
  const float s = poisson_quantile::normal_quantile(w);
  const float dev = poisson_quantile::estimate(static_cast<float>(lambda), s, tol, eta);
  // x − ⌊λ⌋ in float32: λ's fraction is within 2^−25 and the sum within 2^−24·(|dev| + 1) of the
  // exact values, both far inside tol.
  const double whole = floor(lambda);
  const float y = static_cast<float>(lambda - whole) + dev;
  const float fy = floorf(y), f = y - fy;
  sure = (eta >= poisson_quantile::kEtaLow) & (eta <= poisson_quantile::kEtaHigh) & (f > tol) & (f < 1.0f - tol);
  const double k = whole + static_cast<double>(fy);
  return k >= 0.0 ? k : 0.0;
}

// From this mean up, the fast estimate's float32 rounding (~√λ·|s|·2^−24) makes it unsure too
// often for the exact walk (whose cost grows like √λ) to take the rest: those voxels get a float64
// estimate first (poisson_fast_wide).
constexpr double kPoissonWideFrom = 65536.0;

// Series in η of (r − 1)/η and δ0 (noise/poisson_quantile.h), for |η| <= 0.025 (λ >= 2^16).
MS_HOSTDEV double series_p(double eta) {
  constexpr double c[10] = {1.0, 1.0 / 6, -1.0 / 72, 1.0 / 270, -23.0 / 17280, 19.0 / 34020, -11237.0 / 43545600,
                            13.0 / 102060, -2482411.0 / 37623398400, 53741.0 / 1515591000};
  return poisson_quantile::horner(c, eta);
}

MS_HOSTDEV double series_d0(double eta) {
  constexpr double c[9] = {1.0 / 3, -1.0 / 36, 7.0 / 810, -137.0 / 38880, 5.0 / 3024, -165779.0 / 195955200,
                           301.0 / 656100, -1219369.0 / 4702924800, 32976641.0 / 218245104000};
  return poisson_quantile::horner(c, eta);
}

// The estimate in float64 for λ >= 2^16: s from float32's by one Halley step on Φ(−|s|) = t
// (libm's erfc), then the series. Within 1e-9 + 1e-14·√λ·|s| of x (|η| <= 0.025: the series'
// truncation is below 1e-13, the 1/λ fit's error below 1e-10).
MS_HOSTDEV double poisson_fast_wide(double lambda, uint32_t w, float s_float, bool& sure) {
  const double t = (static_cast<double>(poisson_quantile::tail_word(w)) + 0.5) * kTwoPowMinus32;  // min(u, 1 − u)
  double a = fabs(static_cast<double>(s_float));
  const double phi = exp(-0.5 * a * a) * 0.39894228040143267794;
  const double d = (0.5 * erfc(a * 0.70710678118654752440) - t) / phi;
  a += d / (1.0 - 0.5 * a * d);
  const double s = static_cast<int32_t>(w) < 0 ? a : -a;
  const double sq = sqrt(lambda), inv = 1.0 / lambda;
  const double eta = s / sq;
  const double z = (eta - poisson_quantile::kEtaMid) * (1.0 / poisson_quantile::kEtaHalf);
  const double lead = sq * s * series_p(eta);
  const double whole = floor(lambda);
  const double y = (lambda - whole) + (lead + (series_d0(eta) + inv * (poisson_quantile::shape_e0(z) +
                                                                      inv * poisson_quantile::shape_e1(z))));
  const double fy = floor(y);
  const double f = y - fy, k = whole + fy;
  const double tol = 1e-9 + 1e-14 * fabs(lead);
  sure = (f > tol) & (f < 1.0 - tol);
  return k >= 0.0 ? k : 0.0;
}

// K for λ >= 10 where the float32 estimate `guess` was unsure.
MS_HOSTDEV double poisson_settle(double lambda, uint32_t w, double guess) {
  if (lambda >= kPoissonWideFrom) {
    bool sure;
    const double k = poisson_fast_wide(lambda, w, poisson_quantile::normal_quantile(w), sure);
    if (sure) return k;
    guess = k;
  }
  return poisson_quantile_exact(lambda, w, guess);
}

// K for voxel v with mean λ >= 0 (not NaN; +inf gives +inf).
MS_HOSTDEV double poisson_draw(const PhiloxStream& stream, uint32_t v, double lambda) {
  if (lambda == 0.0) return 0.0;
  if (lambda > kPoissonExactAbove) return lambda;
  const uint32_t w = poisson_word(stream, v);
  if (lambda < kPoissonInversionBelow) return poisson_inversion(lambda, poisson_u(w));
  bool sure;
  const double k = poisson_fast(lambda, w, sure);
  return sure ? k : poisson_settle(lambda, w, k);
}

}  // namespace ms
