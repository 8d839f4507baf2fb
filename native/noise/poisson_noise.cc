// Poisson noise (the definition: noise_draws.h). A block goes through: Philox, one counter per
// four voxels (one word each); a vectorised float32 first pass that decides ~97% of the voxels
// (λ in 0..400) from the coarse quantile estimate (noise/poisson_quantile.h) and flags the rest —
// λ < 10 (~1.7% here), the tails (0.34%), and those the coarse bound cannot call (~0.8%); then
// the flagged voxels: λ < 10 by the sequential search in lock-step lanes, the others through the
// full float32 estimate (vectorised over the packed list), and the ~1 in 7,000 still unsure one
// at a time by poisson_settle (the float64 estimate from λ = 2^16, then the exact walk).
//
// This file is compiled with FMA contraction allowed (CMakeLists.txt): the estimate's rounding
// is covered by its error bound either way, so the draws do not depend on it, and fused
// multiply-adds make the kernel 5–8% faster (A/B at 256×512×512, 2 threads). The exact float64 steps can then round differently
// on CPUs with and without FMA; that changes a draw only where u lies within ~1e-15 of a CDF value.
#include <cmath>
#include <cstring>
#include <memory>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#include <immintrin.h>
#endif

#include "core/error.h"
#include "core/philox.h"
#include "core/philox_wide.h"
#include "core/simd.h"
#include "noise/noise.h"
#include "noise/noise_blocks.h"
#include "noise/noise_draws.h"

namespace ms {
namespace {

using noise_blocks::fill_blocks;
using noise_blocks::kBlock;
using noise_blocks::kTwo32;

struct PoissonScratch {
  // Per voxel of the block: its word, result, and whether the first pass left it; the flagged
  // positions, and the second pass's outcomes.
  alignas(64) uint32_t w[kBlock];
  alignas(64) float result[kBlock];
  alignas(64) double guess[kBlock];
  alignas(64) uint8_t flag[kBlock];
  alignas(64) int32_t flagged[kBlock + 16];
  // The λ < 10 lanes of the sequential search.
  alignas(64) double lam[kBlock], u[kBlock], p[kBlock], cdf[kBlock], k[kBlock], out[kBlock];
  alignas(64) int32_t lane[kBlock], pos[kBlock];
};

// w[4i + j] = word j of counter (lo + i, 0), i < count (lo + count <= 2^32: n <= 2^32 voxels).
MS_SIMD_CLONES void philox_words(const PhiloxRoundKeys& k, uint32_t lo, int64_t count, uint32_t* MS_RESTRICT w) {
  for (int64_t i = 0; i < count; ++i) philox_wide(lo + static_cast<uint32_t>(i), 0, k, w + 4 * i);
}

// The first pass: result[i] where the coarse estimate decides (or λ == 0, or NaN), flag[i] = 1
// elsewhere. It runs in float32 throughout: lf = x·(float)scale is within 2^−23·lf of λ (two
// roundings), which widens the bound by twice that, and its range checks only ever flag more
// than the float64 ones would (lf >= 10.00001 implies λ >= 10; below 2^23, K is exact in float32).
// The output K·(1/scale) is rounded from float64, unless 1/scale is a power of two (1 included),
// where the float32 product is exact: PowerOfTwo.
template <bool PowerOfTwo>
MS_ALWAYS_INLINE void poisson_first(const float* MS_RESTRICT in, int64_t n, float scale_f, double inv_scale,
                                    const uint32_t* MS_RESTRICT w, float* MS_RESTRICT result,
                                    uint8_t* MS_RESTRICT flag) {
  const float inv_f = static_cast<float>(inv_scale);
  for (int64_t i = 0; i < n; ++i) {
    const float x = in[i];
    const float lf = x * scale_f;
    float tol;
    bool ok;
    const float dev = poisson_quantile::coarse_estimate(lf, w[i], tol, ok);
    const float whole = floorf(lf);
    const float y = (lf - whole) + dev;
    const float fy = floorf(y), f = y - fy;
    const float slack = tol + lf * 2.4e-7f;
    const bool zero = !(x > 0.0f);  // λ == 0 (or underflows to it; the inversion then gives 0)
    // Bitwise & and | keep the loop free of branches so it if-converts and vectorises.
    const bool fast = (lf >= 10.00001f) & (lf <= 8e6f) & ok & (f > slack) & (f < 1.0f - slack);
    const float k = zero ? 0.0f : whole + fy;
    const float out = PowerOfTwo ? k * inv_f : static_cast<float>(static_cast<double>(k) * inv_scale);
    result[i] = x != x ? x : out;
    flag[i] = static_cast<uint8_t>(!(zero | fast));
  }
}

MS_SIMD_CLONES void poisson_first_pass(const float* MS_RESTRICT in, int64_t n, float scale_f, double inv_scale,
                                       const uint32_t* MS_RESTRICT w, float* MS_RESTRICT result,
                                       uint8_t* MS_RESTRICT flag) {
  // A power of two from 2^−100 to 2^100: K·2^e is then a normal float, exactly.
  int e = 0;
  const bool power_of_two = std::frexp(inv_scale, &e) == 0.5 && e > -100 && e < 100;
  if (power_of_two) {
    poisson_first<true>(in, n, scale_f, inv_scale, w, result, flag);
  } else {
    poisson_first<false>(in, n, scale_f, inv_scale, w, result, flag);
  }
}

// The second pass, over the flagged voxels sel[j] (λ in [10, 1e15]) of the first: the full
// estimate; out[j] = K where it is sure, −1 − K where not (K its guess).
MS_SIMD_CLONES void poisson_second_pass(const int32_t* MS_RESTRICT sel, int64_t m, const float* MS_RESTRICT in,
                                        double scale, const uint32_t* MS_RESTRICT w, double* MS_RESTRICT out) {
  for (int64_t j = 0; j < m; ++j) {
    const int32_t i = sel[j];
    bool sure;
    const double k = poisson_fast(poisson_lambda(in[i], scale), w[i], sure);
    out[j] = sure ? k : -1.0 - k;
  }
}

// The positions i < n with flag[i] set, in increasing order; returns how many. pos needs room
// for n + 16 entries (the AVX-512 version stores whole vectors).
// The scalar scan of positions [i, n), appending to pos[c, ...); returns the new count.
MS_ALWAYS_INLINE int64_t flagged_positions_from(const uint8_t* flag, int64_t i, int64_t n, int32_t* pos, int64_t c) {
  for (; i < n; ++i) {
    pos[c] = static_cast<int32_t>(i);
    c += flag[i];
  }
  return c;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
__attribute__((target("default"))) int64_t flagged_positions(const uint8_t* flag, int64_t n, int32_t* pos) {
  return flagged_positions_from(flag, 0, n, pos, 0);
}

// Sixteen flags per step, compressed into positions (a scan of eight bytes at a time, branching
// on them, took ~4% of the kernel). No branch on whether any is set: which are is random.
__attribute__((target("avx512f"))) int64_t flagged_positions(const uint8_t* flag, int64_t n, int32_t* pos) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int64_t c = 0, i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i f = _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(flag + i)));
    const __mmask16 set = _mm512_test_epi32_mask(f, f);
    const __m512i at = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int32_t>(i)));
    _mm512_storeu_si512(pos + c, _mm512_maskz_compress_epi32(set, at));
    c += __builtin_popcount(set);
  }
  return flagged_positions_from(flag, i, n, pos, c);
}
#else
int64_t flagged_positions(const uint8_t* flag, int64_t n, int32_t* pos) {
  return flagged_positions_from(flag, 0, n, pos, 0);
}
#endif

// Pads the list sel[0, m) with copies of its first entry up to a multiple of 16 (at most kBlock)
// and returns the padded length: the lists the later passes run over hold a dozen entries or so
// per block, which a vectorised loop would otherwise leave to its scalar remainder.
int64_t pad_lanes(int32_t* sel, int64_t m) {
  const int64_t padded = m == 0 ? 0 : (m + 15) & ~int64_t{15};
  for (int64_t j = m; j < padded; ++j) sel[j] = sel[0];
  return padded;
}

// ---- λ < 10: the sequential search in lock-step lanes ----------------------------------------
// The lanes' state before the first round; returns how many still search (the others: K = 0).
MS_SIMD_CLONES int64_t invert_setup(const int32_t* MS_RESTRICT sel, int64_t m, const float* MS_RESTRICT x,
                                    double scale, const uint32_t* MS_RESTRICT w, double* MS_RESTRICT lam,
                                    double* MS_RESTRICT u, double* MS_RESTRICT p, double* MS_RESTRICT cdf,
                                    double* MS_RESTRICT k, int32_t* MS_RESTRICT lane) {
  int64_t live = 0;
  for (int64_t j = 0; j < m; ++j) {
    const int32_t i = sel[j];
    lam[j] = poisson_lambda(x[i], scale);
    u[j] = poisson_u(w[i]);
    p[j] = fm::exp_d(-lam[j]);
    cdf[j] = p[j];
    k[j] = 0.0;
    lane[j] = static_cast<int32_t>(j);
    live += u[j] >= cdf[j];
  }
  return live;
}

// One lock-step round r of poisson_inversion over lanes [0, n): the lanes still searching take
// k = r (the scalar loop's k += 1). Returns how many lanes still search after it.
MS_SIMD_CLONES int64_t invert_round(int64_t n, double round, const double* MS_RESTRICT lam,
                                    const double* MS_RESTRICT u, double* MS_RESTRICT p, double* MS_RESTRICT cdf,
                                    double* MS_RESTRICT k) {
  const double inv_round = 1.0 / round;
  int64_t live = 0;
  for (int64_t j = 0; j < n; ++j) {
    const bool on = u[j] >= cdf[j];
    const double pj = p[j] * (lam[j] * inv_round);
    const double next = cdf[j] + pj;
    const bool stop = next == cdf[j];
    k[j] = on ? round : k[j];
    p[j] = on ? pj : p[j];
    // A stopped lane parks its cdf above every u (the scalar loop's break).
    cdf[j] = on ? (stop ? 2.0 : next) : cdf[j];
    live += on & !stop & (u[j] >= next);
  }
  return live;
}

// Writes out[lane[j]] = k[j] for the lanes of [0, n) that are done (u < cdf) and moves the
// others, in order, to the front; returns how many are left. Branch-free (which lanes are done
// is random): every lane writes its k out — a lane still searching overwrites it later — and is
// copied to slot `kept`, which only advances past the ones still searching.
int64_t pack_searching(int64_t n, double* MS_RESTRICT lam, double* MS_RESTRICT u, double* MS_RESTRICT p,
                       double* MS_RESTRICT cdf, double* MS_RESTRICT k, int32_t* MS_RESTRICT lane,
                       double* MS_RESTRICT out) {
  int64_t kept = 0;
  for (int64_t j = 0; j < n; ++j) {
    const bool searching = u[j] >= cdf[j];
    out[lane[j]] = k[j];
    lam[kept] = lam[j];
    u[kept] = u[j];
    p[kept] = p[j];
    cdf[kept] = cdf[j];
    k[kept] = k[j];
    lane[kept] = lane[j];
    kept += searching;
  }
  return kept;
}

// s.out[j] = K by poisson_inversion for voxel sel[j] (λ < 10), j < m (m <= kBlock). All lanes advance in
// lock-step rounds; whenever at most a quarter still search, the finished ones are written out
// and the rest packed to the front, so the work follows the sum of the K rather than the block's
// largest K times its size (λ in 0..10: ~25% faster than never packing).
void invert(const int32_t* sel, int64_t m, const float* x, double scale, PoissonScratch& s) {
  int64_t live = invert_setup(sel, m, x, scale, s.w, s.lam, s.u, s.p, s.cdf, s.k, s.lane);
  int64_t n = m;
  for (double round = 1.0;; round += 1.0) {
    if (live <= n / 4) n = pack_searching(n, s.lam, s.u, s.p, s.cdf, s.k, s.lane, s.out);
    if (n == 0) return;
    live = invert_round(n, round, s.lam, s.u, s.p, s.cdf, s.k);
  }
}

// The draws of voxels v0 .. v0 + len − 1 (input `in`; v0 a multiple of 4) into s.result.
void poisson_block(const PhiloxRoundKeys& keys, const float* in, uint32_t v0, int64_t len, double scale,
                   double inv_scale, PoissonScratch& s) {
  philox_words(keys, v0 >> 2, (len + 3) / 4, s.w);
  poisson_first_pass(in, len, static_cast<float>(scale), inv_scale, s.w, s.result, s.flag);
  const int64_t flagged = flagged_positions(s.flag, len, s.flagged);
  int64_t small = 0, second = 0;
  for (int64_t j = 0; j < flagged; ++j) {
    const int32_t i = s.flagged[j];
    const double lambda = poisson_lambda(in[i], scale);
    if (lambda < kPoissonInversionBelow) {
      s.pos[small++] = i;
    } else if (lambda > kPoissonExactAbove) {
      s.result[i] = static_cast<float>(lambda * inv_scale);
    } else {
      s.flagged[second++] = i;  // second <= j: the list is rewritten behind its reading point
    }
  }
  poisson_second_pass(s.flagged, pad_lanes(s.flagged, second), in, scale, s.w, s.guess);
  for (int64_t j = 0; j < second; ++j) {
    const int32_t i = s.flagged[j];
    const double g = s.guess[j];
    const double k = g >= 0.0 ? g : poisson_settle(poisson_lambda(in[i], scale), s.w[i], -1.0 - g);
    s.result[i] = static_cast<float>(k * inv_scale);
  }
  invert(s.pos, pad_lanes(s.pos, small), in, scale, s);
  for (int64_t j = 0; j < small; ++j) s.result[s.pos[j]] = static_cast<float>(s.out[j] * inv_scale);
}

}  // namespace

void check_poisson(int64_t n, double scale) {
  require(n >= 0 && static_cast<uint64_t>(n) <= kTwo32, "poisson noise covers at most 2^32 voxels");
  require(scale > 0.0 && scale <= 1.7e308, "poisson scale must be a finite number > 0");
}

void poisson_noise(const float* in, float* out, int64_t n, double scale, const NoiseKey& key) {
  check_poisson(n, scale);
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  const double inv_scale = poisson_inv_scale(scale);
  fill_blocks(out, n, [&](int64_t v, int64_t len, float*) {
    // ~80 KB per thread, allocated once: too much for a worker's stack.
    thread_local std::unique_ptr<PoissonScratch> scratch;
    if (!scratch) scratch.reset(new PoissonScratch);
    poisson_block(k, in + v, static_cast<uint32_t>(v), len, scale, inv_scale, *scratch);
    return static_cast<const float*>(scratch->result);
  });
}

}  // namespace ms
