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
// every K is 0). A NaN voxel stays NaN. Attempt i = 0, 1, ... of voxel v reads Philox counter
// {low = v >> 1, high = i} and takes the pair of words wa = w[2(v & 1)], wb = w[2(v & 1) + 1]: the
// two voxels 2q and 2q + 1 share counter q, one pair each (poisson_words).
//   λ == 0:  K = 0 without reading a counter. λ > 1e15: K = λ (see kPoissonExactAbove).
//   λ < 10:  inversion, sequential search from 0, with u = uniform_double(wa, wb) of attempt 0:
//            p_0 = e^−λ, p_j = p_{j−1}·(λ·(1/j)); K = the first k with u < p_0 + … + p_k, or the
//            first k where adding p_k no longer changes the sum (poisson_inversion).
//   λ >= 10: Hörmann's PTRS ("The transformed rejection method for generating Poisson random
//            variables", 1993; the algorithm numpy uses) on 32-bit uniforms; attempt i:
//              U = (wa + ½)·2^−32 − ½, V = (wb + ½)·2^−32, us = ½ − |U|   (exact in float64)
//              b = 0.931 + 2.53·sqrtf((float)λ), a = −0.059 + 0.02483·b   (√ in float32)
//              k = ⌊(2a/us + b)·U + λ + 0.43⌋
//            accept k if us >= 0.07 and (0.9277 − V)·(b − 2) >= 3.6224 (Hörmann's V <= v_r,
//            multiplied out); else reject if k < 0 or (us < 0.013 and V > us); else accept iff
//            Hörmann's log test, rearranged so that it needs two logarithms (ptrs_log_accept).
//            A rejected attempt moves on to attempt i + 1; after 2^32 − 1 attempts (never, in
//            practice: each is accepted with probability ~0.86) K = ⌊λ + ½⌋.
// The Poisson draw is defined by the float64 evaluation written below (no FMA contraction on
// the CPU). The CPU kernel runs most of it in float32 with error bounds and falls back to float64
// wherever those cannot decide, so it makes exactly the decisions written here.
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

// Below this mean the sampler inverts the CDF; at and above it, PTRS (valid for λ >= 10).
constexpr double kPoissonInversionBelow = 10.0;
// Above this mean Poisson's relative spread (λ^-½ < 3e-8) is below float32 resolution: the
// sampler returns λ itself. (Up to about 1e12 the log test below is accurate to 1e-4 or better;
// towards 1e15 its rounding error grows to ~0.1 in the log of an acceptance probability, on the
// ~30% of attempts that need it, which float32 output cannot resolve anyway.)
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

// The pair of words attempt `attempt` of voxel v reads.
MS_HOSTDEV void poisson_words(const PhiloxStream& stream, uint32_t v, uint32_t attempt, uint32_t& wa, uint32_t& wb) {
  const Philox4 w = stream.at(static_cast<uint64_t>(v >> 1) | (static_cast<uint64_t>(attempt) << 32));
  wa = (v & 1) != 0 ? w.v[2] : w.v[0];
  wb = (v & 1) != 0 ? w.v[3] : w.v[1];
}

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

// PTRS's uniforms from one word each: U in (−½, ½), V in (0, 1), on the grid (w + ½)·2^−32.
constexpr double kTwoPowMinus32 = 2.3283064365386963e-10;
MS_FASTMATH double ptrs_u(uint32_t w) { return (static_cast<double>(w) + 0.5) * kTwoPowMinus32 - 0.5; }
MS_FASTMATH double ptrs_v(uint32_t w) { return (static_cast<double>(w) + 0.5) * kTwoPowMinus32; }

// PTRS's constants for one λ (Hörmann's b and a); √λ in float32 (vectorises 16 wide, and any b
// this close to Hörmann's fit serves: the hat and squeeze are fits with far larger margins).
struct PtrsSetup {
  double b, a;
};

MS_FASTMATH PtrsSetup ptrs_setup(double lambda) {
  const double b = 0.931 + 2.53 * static_cast<double>(fm::fsqrt(static_cast<float>(lambda)));
  return PtrsSetup{b, -0.059 + 0.02483 * b};
}

// The candidate of an attempt.
MS_FASTMATH double ptrs_k(const PtrsSetup& s, double lambda, double U) {
  const double us = 0.5 - fabs(U);
  return floor((2.0 * s.a / us + s.b) * U + lambda + 0.43);
}

// The quick acceptance (about 70% of attempts for λ in 10..400), decided without logarithms.
MS_FASTMATH bool ptrs_quick_accept(const PtrsSetup& s, double U, double V) {
  return (0.5 - fabs(U) >= 0.07) & ((0.9277 - V) * (s.b - 2.0) >= 3.6224);
}

// The outright rejection of an attempt that missed the quick acceptance.
MS_FASTMATH bool ptrs_reject(double U, double V, double k) {
  const double us = 0.5 - fabs(U);
  return (k < 0.0) | ((us < 0.013) & (V > us));
}

// numpy's Stirling series for ln Γ(x) − ((x − ½)·ln x − x + ½·ln 2π), x >= 7, from r = 1/x.
MS_FASTMATH double stirling_tail(double r) {
  const double r2 = r * r;
  double t = -1.39243221690590e+00;
  t = t * r2 + 1.796443723688307e-01;
  t = t * r2 - 2.955065359477124e-02;
  t = t * r2 + 6.410256410256410e-03;
  t = t * r2 - 1.917526917526918e-03;
  t = t * r2 + 8.417508417508418e-04;
  t = t * r2 - 5.952380952380952e-04;
  t = t * r2 + 7.936507936507937e-04;
  t = t * r2 - 2.777777777777778e-03;
  t = t * r2 + 8.333333333333333e-02;
  return t * r;
}

// 7^(6−k)·k!/6! for k = 0, 1, ..., 5 and 1 for k >= 6: ln k! = ln Γ(7) − ln(6!/k!) for small k.
// (A run of two-way selects, which if-converts; a chain of ?: GCC keeps as branches.)
// In double for the exact test, in float for the CPU kernel's pre-check.
template <class F>
MS_FASTMATH F ptrs_small_k_factor(F k) {
  F t = F(117649.0 / 720.0);
  t = k >= F(1) ? F(16807.0 / 720.0) : t;
  t = k >= F(2) ? F(4802.0 / 720.0) : t;
  t = k >= F(3) ? F(2058.0 / 720.0) : t;
  t = k >= F(4) ? F(1176.0 / 720.0) : t;
  t = k >= F(5) ? F(840.0 / 720.0) : t;
  return k >= F(6) ? F(1) : t;
}

// Hörmann's test ln(V·α⁻¹/h) <= ln(λ^k e^−λ / k!), with 1/α = 1.1239 + 1.1328/(b − 3.4) and
// h = a/us² + b, for k >= 0. With x0 = max(k + 1, 7), ln k! by Stirling's series at x0 (shifted by
// the factor T = ptrs_small_k_factor(k) below 6) and q = V·T·α⁻¹/h it reads
//   ½·ln(q²·x0) − k·ln(λ·r) <= (x0 − λ) − ½·ln 2π − stirling_tail(r),   r = 1/x0,
// which keeps the large terms k·ln λ and ln k! from cancelling (numpy's form loses ~k·ln λ·2^−53).
// Evaluated as written below: q = num/den and r = 1/x0 from one division, both logarithms from
// another (fm::log_d2).
MS_FASTMATH bool ptrs_log_accept(const PtrsSetup& s, double lambda, double U, double V, double k) {
  const double us = 0.5 - fabs(U);
  const double us2 = us * us;
  const double bm = s.b - 3.4;
  const double x0 = k >= 6.0 ? k + 1.0 : 7.0;
  const double num = V * ptrs_small_k_factor(k) * us2 * (1.1239 * bm + 1.1328);
  const double den = bm * (s.a + s.b * us2);
  const double inv = 1.0 / (den * x0);
  const double q = num * (x0 * inv);
  const double r = den * inv;
  double log_qqx, log_lr;
  fm::log_d2(q * q * x0, lambda * r, log_qqx, log_lr);
  return 0.5 * log_qqx - k * log_lr <= (x0 - lambda) - 0.91893853320467274178 - stirling_tail(r);
}

// One PTRS attempt from its pair of words: K, or −1 when the attempt is rejected.
MS_FASTMATH double ptrs_attempt(const PtrsSetup& s, double lambda, uint32_t wa, uint32_t wb) {
  const double U = ptrs_u(wa), V = ptrs_v(wb);
  const double k = ptrs_k(s, lambda, U);
  if (ptrs_quick_accept(s, U, V)) return k;
  if (ptrs_reject(U, V, k)) return -1.0;
  return ptrs_log_accept(s, lambda, U, V, k) ? k : -1.0;
}

// K for voxel v with mean λ >= 0 (not NaN; +inf gives +inf).
MS_HOSTDEV double poisson_draw(const PhiloxStream& stream, uint32_t v, double lambda) {
  if (lambda == 0.0) return 0.0;
  if (lambda > kPoissonExactAbove) return lambda;
  uint32_t wa, wb;
  poisson_words(stream, v, 0, wa, wb);
  if (lambda < kPoissonInversionBelow) return poisson_inversion(lambda, uniform_double(wa, wb));
  const PtrsSetup s = ptrs_setup(lambda);
  // Each attempt is accepted with probability > 0.8, so the bound is never reached in practice;
  // it only guarantees termination.
  for (uint32_t attempt = 1; attempt != 0; ++attempt) {
    const double k = ptrs_attempt(s, lambda, wa, wb);
    if (k >= 0.0) return k;
    poisson_words(stream, v, attempt, wa, wb);
  }
  return floor(lambda + 0.5);
}

}  // namespace ms
