// The per-voxel random draws of the noise kernels, as pure functions of a Philox stream and a
// voxel index. They are the definition the CPU kernels (noise.cc) vectorise and the CUDA twins
// call per thread, so both produce the same values.
//
// Normal sequence of a (seed, sample, stream): N[m] for m = 0, 1, 2, ...
//   Philox counter m >> 2 gives words w0..w3; lane m & 3 picks
//     m & 3 = 0: r0·cos(2π u1)   1: r0·sin(2π u1)    with r0 = sqrt(−2 ln u0), u_i = uniform_open01(w_i)
//     m & 3 = 2: r1·cos(2π u3)   3: r1·sin(2π u3)    with r1 = sqrt(−2 ln u2)
//   (Box–Muller: one Philox call is two pairs, four normals.)
// Gaussian noise on voxel v uses N[v]; Rician noise on voxel v uses N[2v] (real) and N[2v+1]
// (imaginary), i.e. counter v >> 1.
//
// Poisson noise on voxel v (v < 2^32) reads counters {low = v, high = i} for i = 0, 1, ...:
//   λ < 10:  inversion (sequential search) with u = uniform_double(w0, w1) of counter (v, 0).
//   λ >= 10: Hörmann's PTRS ("The transformed rejection method for generating Poisson random
//            variables", 1993; the algorithm numpy uses); attempt i uses counter (v, i):
//            U = uniform_double(w0, w1) − 0.5, V = uniform_double(w2, w3).
//   λ == 0 gives 0 without reading any counter; λ > 1e15 gives λ (see kPoissonExactAbove).
#pragma once

#include <cmath>
#include <cstdint>

#include "core/fastmath.h"
#include "core/philox.h"

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

// ln Γ(x) for x >= 1 (numpy's random_loggam: Stirling series, shifted up to x >= 7).
MS_HOSTDEV double log_gamma(double x) {
  const double a[10] = {8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
                        -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
                        6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
                        -1.39243221690590e+00};
  if (x == 1.0 || x == 2.0) return 0.0;
  int n = 0;
  double x0 = x;
  if (x <= 7.0) {
    n = static_cast<int>(7.0 - x);
    x0 = x + n;
  }
  const double x2 = 1.0 / (x0 * x0);
  double gl0 = a[9];
  for (int k = 8; k >= 0; --k) gl0 = gl0 * x2 + a[k];
  double gl = gl0 / x0 + 0.91893853320467274178 + (x0 - 0.5) * log(x0) - x0;  // ½ ln 2π
  for (int k = 1; k <= n; ++k) {
    x0 -= 1.0;
    gl -= log(x0);
  }
  return gl;
}

// Below this mean the sampler inverts the CDF; at and above it, PTRS (valid for λ >= 10).
constexpr double kPoissonInversionBelow = 10.0;
// Above this mean Poisson's relative spread (λ^-½ < 3e-8) is below float32 resolution: the
// sampler returns λ itself.
constexpr double kPoissonExactAbove = 1e15;

// PTRS's constants for one λ (Hörmann's b, a and v_r).
struct PtrsSetup {
  double b, a, vr;
};

MS_FASTMATH PtrsSetup ptrs_setup(double lambda) {
  const double b = 0.931 + 2.53 * sqrt(lambda);
  return PtrsSetup{b, -0.059 + 0.02483 * b, 0.9277 - 3.6224 / (b - 2.0)};
}

// One PTRS attempt from one counter's four words: the candidate k and the values that decide it.
struct PtrsAttempt {
  double V, us, k;
};

MS_FASTMATH PtrsAttempt ptrs_attempt(const PtrsSetup& s, double lambda, uint32_t w0, uint32_t w1, uint32_t w2,
                                     uint32_t w3) {
  const double U = uniform_double(w0, w1) - 0.5;
  const double us = 0.5 - fabs(U);
  return PtrsAttempt{uniform_double(w2, w3), us, floor((2.0 * s.a / us + s.b) * U + lambda + 0.43)};
}

// The quick acceptance (about 88% of attempts), decided without logarithms.
MS_FASTMATH bool ptrs_quick_accept(const PtrsSetup& s, const PtrsAttempt& t) { return (t.us >= 0.07) & (t.V <= s.vr); }

// A Poisson(λ) draw for voxel v, λ >= 0 (+inf gives +inf). `first` is Philox at counter (v, 0),
// passed in because the CPU kernel computes it vectorised for a block of voxels.
MS_HOSTDEV double poisson_draw(const PhiloxStream& stream, uint32_t v, double lambda, const Philox4& first) {
  if (lambda == 0.0) return 0.0;
  if (lambda > kPoissonExactAbove) return lambda;
  if (lambda < kPoissonInversionBelow) {
    const double u = uniform_double(first.v[0], first.v[1]);
    double p = exp(-lambda), cdf = p, k = 0.0;
    while (u >= cdf) {
      k += 1.0;
      p *= lambda / k;
      const double next = cdf + p;
      if (next == cdf) break;  // the tail has underflowed: u sits in the CDF's rounding gap
      cdf = next;
    }
    return k;
  }
  const PtrsSetup s = ptrs_setup(lambda);
  // Only attempts that miss the quick acceptance need these; computed once, on demand.
  double log_lambda = 0.0, inv_alpha = 0.0;
  bool have_logs = false;
  Philox4 w = first;
  // Each attempt is accepted with probability > 0.8, so the bound is never reached in practice;
  // it only guarantees termination.
  for (uint32_t attempt = 1; attempt != 0; ++attempt) {
    const PtrsAttempt t = ptrs_attempt(s, lambda, w.v[0], w.v[1], w.v[2], w.v[3]);
    if (ptrs_quick_accept(s, t)) return t.k;
    if (!(t.k < 0.0) && !(t.us < 0.013 && t.V > t.us)) {
      if (!have_logs) {
        log_lambda = log(lambda);
        inv_alpha = 1.1239 + 1.1328 / (s.b - 3.4);
        have_logs = true;
      }
      // Hörmann's test log(V·(1/α)/(a/us² + b)) <= log(λ^k e^-λ / k!), with one log on the left.
      if (log(t.V * inv_alpha / (s.a / (t.us * t.us) + s.b)) <= -lambda + t.k * log_lambda - log_gamma(t.k + 1.0)) {
        return t.k;
      }
    }
    w = stream.at(static_cast<uint64_t>(v) | (static_cast<uint64_t>(attempt) << 32));
  }
  return floor(lambda + 0.5);
}

}  // namespace ms
