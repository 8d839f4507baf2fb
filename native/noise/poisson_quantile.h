// A fast float32 estimate of the Poisson quantile, and a bound on its error, for the sampler in
// noise_draws.h: K = the least k with F(k) > u, where F is the Poisson(λ) CDF. The estimate
// decides K wherever it lies clear of an integer by more than its bound; the rest (about 1 voxel
// in 7,000 for λ in 10..400) go to the float64 steps, so the draws are exactly those of the
// definition whatever rounding (FMA or not) the estimate gets. A coarse variant (bottom of the
// file) with half the operations serves as the CPU kernel's first pass.
//
// The method is Giles's ("Algorithm 955: approximation of the inverse Poisson cumulative
// distribution function", ACM TOMS 42(1), 2016): F(k) = Q(k + 1, λ), the regularised upper
// incomplete gamma function, is increasing in its first argument, so K = ⌊x⌋ where Q(x, λ) = u.
// Temme's uniform asymptotic expansion inverts that for λ >= 10:
//   x = λ·r + δ0(r) + δ1(η)/λ + O(λ^−2),   s = Φ^−1(u),  η = s/√λ,
//   sign(r − 1)·√(2(1 − r + r·ln r)) = η,   δ0 = ln(√r·η/(r − 1)) / ln r.
// The polynomials below are our own fits (tools/fit_poisson_quantile.py makes them):
//   - Φ^−1: s = ±(1 − 2t)·p(w) for w = −ln(4t(1 − t)) <= 5 and ±√w·p̃(√w) beyond, with
//     t = min(u, 1 − u); relative error 2e-8 over every u of the 32-bit word grid;
//   - (r − 1)/η (relative error 1.4e-8) and δ0 (absolute 4e-7) on η in [−0.7, 1.6];
//   - δ1/λ + δ2/λ² as a polynomial in η and 1/λ, fitted to exact quantiles (scipy) for λ in
//     [10, 2·10^5]: the whole estimate is within 1.6e-5 of x there (λ = 10 is the worst).
// The bound is kQuantileAbs (3× the largest model error seen) plus kQuantileRel of the leading
// term √λ·s·(r − 1)/η (float32 rounding: ~10 units of 2^−24 in the worst case, 2e-6 is over 30).
// Outside η in [−0.7, 1.6] (the far lower tail for λ < 30, u beyond 1 − 2.1e-7 at λ = 10) the
// estimate is not trusted at all.
#pragma once

#include <cstdint>

#include "core/fastmath.h"

namespace ms {
namespace poisson_quantile {

constexpr float kQuantileAbs = 5e-5f;
constexpr float kQuantileRel = 2e-6f;
constexpr float kEtaLow = -0.7f, kEtaHigh = 1.6f;

constexpr float kTailMid = 3.4357679f, kTailHalf = 1.1997000f;
constexpr float kEtaMid = 0.45f, kEtaHalf = 1.15f;

// The fits, as functions (CUDA device code cannot read namespace-scope arrays). Their
// coefficients are float32; the float64 estimate (noise_draws.h) evaluates some of them in double.
template <int I, class T, class C, int N>
MS_FASTMATH T horner_from(const C (&c)[N], T z) {
  if constexpr (I == N - 1) {
    return static_cast<T>(c[I]);
  } else {
    return horner_from<I + 1>(c, z) * z + static_cast<T>(c[I]);
  }
}

// Σ c[i]·z^i, unrolled (a loop here would keep the kernels' voxel loops from vectorising).
template <class T, class C, int N>
MS_FASTMATH T horner(const C (&c)[N], T z) {
  return horner_from<0>(c, z);
}

// Φ^−1 = (1 − 2t)·quantile_central(z), z = (w − 2.5)/2.5, for w = −ln(4t(1 − t)) <= 5.
template <class T>
MS_FASTMATH T quantile_central(T z) {
  constexpr float c[10] = {2.123313477e+00f, 8.720050540e-01f, -3.692315192e-02f, -2.768133233e-02f,
                           1.206145365e-02f, -6.879390037e-04f, -1.194643927e-03f, 4.059950091e-04f,
                           4.961229644e-05f, -4.916673312e-05f};
  return horner(c, z);
}

// Φ^−1 = √w·quantile_tail(z), z = (√w − kTailMid)/kTailHalf, for √w in [√5, 4.6355] (u down to
// ½·2^−32).
template <class T>
MS_FASTMATH T quantile_tail(T z) {
  constexpr float c[10] = {1.346302959e+00f, 2.717032738e-02f, -7.441360527e-03f, 1.260353060e-03f,
                           1.244086576e-04f, -2.354688923e-04f, 1.341301636e-04f, -4.169009181e-05f,
                           -7.747460686e-06f, 8.757908302e-06f};
  return horner(c, z);
}

// (r − 1)/η, on z = (η − kEtaMid)/kEtaHalf.
template <class T>
MS_FASTMATH T shape_p(T z) {
  constexpr float c[11] = {1.072478972e+00f, 1.794268860e-01f, -1.338150519e-02f, 3.194196334e-03f,
                           -1.018365719e-03f, 3.875715530e-04f, -1.613776879e-04f, 4.731894784e-05f,
                           -1.731986589e-05f, 3.083676896e-05f, -1.662707303e-05f};
  return horner(c, z);
}

// δ0.
template <class T>
MS_FASTMATH T shape_d0(T z) {
  constexpr float c[9] = {3.223175498e-01f, -2.492068481e-02f, 7.046246862e-03f, -2.593556636e-03f,
                          1.090338611e-03f, -3.771328277e-04f, 1.521325130e-04f, -2.247437701e-04f,
                          1.277597124e-04f};
  return horner(c, z);
}

// The 1/λ correction: (shape_e0 + shape_e1/λ)/λ.
template <class T>
MS_FASTMATH T shape_e0(T z) {
  constexpr float c[6] = {-1.391141603e-02f, 1.131191569e-02f, -7.464717319e-03f, 2.356170373e-03f,
                          -3.556889229e-03f, 5.280348277e-03f};
  return horner(c, z);
}

template <class T>
MS_FASTMATH T shape_e1(T z) {
  constexpr float c[6] = {-1.177963364e-03f, 2.461320978e-04f, 1.418806301e-02f, 1.053139258e-02f,
                          -2.266900165e-02f, -1.471669547e-02f};
  return horner(c, z);
}

// For u = (w + ½)·2^−32: m = min(w, ~w) (below 2^31), so that min(u, 1 − u) = (m + ½)·2^−32;
// u < ½ exactly where w < 2^31, i.e. where Φ^−1(u) < 0.
MS_FASTMATH uint32_t tail_word(uint32_t w) { return w ^ static_cast<uint32_t>(static_cast<int32_t>(w) >> 31); }
MS_FASTMATH float tail_probability(uint32_t m) {
  return (static_cast<float>(static_cast<int32_t>(m)) + 0.5f) * 2.3283064e-10f;
}

// s = Φ^−1(u) for u = (w + ½)·2^−32.
MS_FASTMATH float normal_quantile(uint32_t w) {
  // t = min(u, 1 − u) and 1 − 2t = (2^31 − 1 − m + ½)·2^−31.
  const uint32_t m = tail_word(w);
  const float t = tail_probability(m);
  const float c = (static_cast<float>(static_cast<int32_t>(0x7FFFFFFFu - m)) + 0.5f) * 4.6566129e-10f;
  const float lw = -fm::fast_log(4.0f * t * (1.0f - t));
  const float q = fm::fsqrt(lw);
  const float central = c * quantile_central((lw - 2.5f) * 0.4f);
  const float tail = q * quantile_tail((q - kTailMid) * (1.0f / kTailHalf));
  const float n = lw <= 5.0f ? central : tail;
  return static_cast<int32_t>(w) < 0 ? n : -n;
}

// The estimate of x − λ (x: the continuous quantile, K = ⌊x⌋) for s = Φ^−1(u) and λ (float);
// `tol` bounds its error where η = s/√λ is in [kEtaLow, kEtaHigh] (the caller checks: plain
// floats out keep the kernels' loops vectorisable).
MS_FASTMATH float estimate(float lambda, float s, float& tol, float& eta) {
  const float inv_sqrt = fm::rsqrt(lambda);
  const float inv_lambda = inv_sqrt * inv_sqrt;
  eta = s * inv_sqrt;
  const float z = (eta - kEtaMid) * (1.0f / kEtaHalf);
  const float lead = s * (lambda * inv_sqrt) * shape_p(z);
  const float rest = shape_d0(z) + inv_lambda * (shape_e0(z) + inv_lambda * shape_e1(z));
  tol = kQuantileAbs + kQuantileRel * (lead < 0.0f ? -lead : lead);
  return lead + rest;
}

// ---- The coarse estimate: lower-degree fits, for the CPU kernel's first pass -----------------
// About half the operations of `estimate`; within 2e-4 + 1e-4·|lead| of x for u in the central
// range (w <= 5, i.e. min(u, 1 − u) >= 0.0017) and η in [kEtaLow, kEtaHigh] (float32 rounding
// included: measured over the fitting grid). Its bound, 1e-3 + 3e-4·|lead|, sends ~1% of the
// voxels at λ ~ 400 on to `estimate`; the tails (w > 5) always go there.
constexpr float kCoarseAbs = 1e-3f;
constexpr float kCoarseRel = 3e-4f;

MS_FASTMATH float coarse_estimate(float lambda, uint32_t w, float& tol, bool& ok) {
  // Fits in w and in η directly (no affine map to [−1, 1] first: two operations fewer a voxel).
  constexpr float q[5] = {1.253344737e+00f, 3.276188094e-01f, 1.759795658e-02f, -4.444939649e-03f,
                          2.649229925e-04f};
  constexpr float p[7] = {9.999989283e-01f, 1.666560753e-01f, -1.386018131e-02f, 3.762983579e-03f,
                          -1.470217374e-03f, 5.517519021e-04f, -1.049609531e-04f};
  constexpr float d0[5] = {3.332824368e-01f, -2.780652901e-02f, 9.232465482e-03f, -3.796299515e-03f,
                           8.817103295e-04f};
  constexpr float e0[3] = {-1.994160539e-02f, 2.037204993e-02f, -9.951538896e-03f};
  const float t = tail_probability(tail_word(w));
  const float c = 1.0f - 2.0f * t;  // absolute error ~2^−24: s's, near 0, is far inside the bound
  const float lw = -fm::fast_log_coarse(4.0f * t * (1.0f - t));  // within 5e-6: s within 2e-6
  const float n = c * horner(q, lw);
  const float s = static_cast<int32_t>(w) < 0 ? n : -n;
  const float inv_sqrt = fm::rsqrt<2>(lambda);  // within 5e-6: a tenth of the bound's share
  const float eta = s * inv_sqrt;
  const float lead = (lambda * inv_sqrt) * s * horner(p, eta);
  tol = kCoarseAbs + kCoarseRel * (lead < 0.0f ? -lead : lead);
  ok = (lw <= 5.0f) & (eta >= kEtaLow) & (eta <= kEtaHigh);
  return lead + (horner(d0, eta) + horner(e0, eta) * (inv_sqrt * inv_sqrt));
}

}  // namespace poisson_quantile
}  // namespace ms
