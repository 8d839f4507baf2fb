// Noise kernels. Each parallel chunk works block by block through small stack buffers: Philox
// for the block's counters (vectorised, 64-bit lanes), then the draws (vectorised: float32 for
// Box–Muller; for Poisson, float32 with error bounds and float64 where those cannot decide), then
// the combination with the input, then the block goes out. A voxel's value depends only on its
// index, never on the chunk, the block or the thread.
#include "noise/noise.h"

#include <algorithm>
#include <cstring>
#include <memory>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#include <immintrin.h>
#endif

#include "core/error.h"
#include "core/philox.h"
#include "core/philox_wide.h"
#include "core/simd.h"
#include "core/thread_pool.h"
#include "noise/noise_draws.h"

namespace ms {
namespace {

constexpr int64_t kBlock = 1024;         // voxels per inner block (a multiple of 4)
constexpr int64_t kGrain = 64 * kBlock;  // voxels per parallel chunk; chunks start at multiples of 4
constexpr uint64_t kTwo32 = uint64_t{1} << 32;

// ---- Output ---------------------------------------------------------------------------------
// Each block is computed into a stack buffer and then copied out. A large volume is written once
// and not read back soon, so its blocks go out with non-temporal stores (no read-for-ownership
// of the output lines: a third less memory traffic, ~10% faster end to end at 256×512×512); a
// volume that fits in the caches keeps ordinary stores, so the next operation finds it there.
// A chunk that streamed ends with stream_fence(), so its stores are visible before it counts as
// done.
constexpr int64_t kStreamFrom = int64_t{1} << 23;  // voxels (32 MB of float32)

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
// Floats before the first `align`-byte boundary of out (float arrays are 4-byte aligned).
MS_ALWAYS_INLINE int64_t floats_to_boundary(const float* out, int64_t n, uintptr_t align) {
  const uintptr_t bytes = (align - (reinterpret_cast<uintptr_t>(out) & (align - 1))) & (align - 1);
  return std::min<int64_t>(n, static_cast<int64_t>(bytes / sizeof(float)));
}

__attribute__((target("default"))) void stream_copy(float* out, const float* src, int64_t n) {
  int64_t i = floats_to_boundary(out, n, 16);
  std::memcpy(out, src, static_cast<size_t>(i) * sizeof(float));
  for (; i + 4 <= n; i += 4) _mm_stream_ps(out + i, _mm_loadu_ps(src + i));
  std::memcpy(out + i, src + i, static_cast<size_t>(n - i) * sizeof(float));
}

__attribute__((target("avx512f"))) void stream_copy(float* out, const float* src, int64_t n) {
  int64_t i = floats_to_boundary(out, n, 64);
  std::memcpy(out, src, static_cast<size_t>(i) * sizeof(float));
  for (; i + 16 <= n; i += 16) _mm512_stream_ps(out + i, _mm512_loadu_ps(src + i));
  std::memcpy(out + i, src + i, static_cast<size_t>(n - i) * sizeof(float));
}

void stream_fence() { _mm_sfence(); }
#else
void stream_copy(float* out, const float* src, int64_t n) {
  std::memcpy(out, src, static_cast<size_t>(n) * sizeof(float));
}
void stream_fence() {}
#endif

void put_block(float* out, const float* src, int64_t n, bool stream) {
  if (stream) {
    stream_copy(out, src, n);
  } else {
    std::memcpy(out, src, static_cast<size_t>(n) * sizeof(float));
  }
}

// Fills out[0, n) in parallel chunks, block by block: fill(v, len, buf) computes voxels
// [v, v + len) (v a multiple of 4) into buf or a buffer of its own, and returns where they are;
// they then go out (streamed for large volumes).
template <class Fill>
void fill_blocks(float* out, int64_t n, Fill&& fill) {
  const bool stream = n >= kStreamFrom;
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    alignas(64) float buf[kBlock];
    for (int64_t v = b; v < e; v += kBlock) {
      const int64_t len = std::min(kBlock, e - v);
      put_block(out + v, fill(v, len, buf), len, stream);
    }
    if (stream) stream_fence();
  });
}

// ---- Philox words and normals -------------------------------------------------------------
// The words of counter (lo + i, hi), i < count, as pairs: a[2i] = w0, b[2i] = w1, a[2i + 1] = w2,
// b[2i + 1] = w3, so pair p holds the two words one Box–Muller (or one Poisson attempt) needs.
// Philox runs in 64-bit lanes; the draws that follow run in float lanes twice as wide, so the
// two stay in separate loops.
MS_SIMD_CLONES void philox_pairs(const PhiloxRoundKeys& k, uint32_t lo, uint32_t hi, int64_t count,
                                 uint32_t* MS_RESTRICT a, uint32_t* MS_RESTRICT b) {
  for (int64_t i = 0; i < count; ++i) {
    uint32_t w[4];
    philox_wide(lo + static_cast<uint32_t>(i), hi, k, w);
    a[2 * i] = w[0];
    b[2 * i] = w[1];
    a[2 * i + 1] = w[2];
    b[2 * i + 1] = w[3];
  }
}

// philox_pairs for counters first_counter .. first_counter + count − 1, split where the counter's
// low word wraps.
void word_pairs(const PhiloxRoundKeys& k, uint64_t first_counter, int64_t count, uint32_t* a, uint32_t* b) {
  uint64_t c = first_counter;
  while (count > 0) {
    const int64_t span = static_cast<int64_t>(std::min<uint64_t>(static_cast<uint64_t>(count), kTwo32 - (c & 0xFFFFFFFFu)));
    philox_pairs(k, static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32), span, a, b);
    a += 2 * span;
    b += 2 * span;
    c += static_cast<uint64_t>(span);
    count -= span;
  }
}

// out[2p] = r·cos, out[2p + 1] = r·sin of Box–Muller on pair p, p < pairs.
MS_SIMD_CLONES void normal_pairs(const uint32_t* MS_RESTRICT a, const uint32_t* MS_RESTRICT b, int64_t pairs,
                                 float* MS_RESTRICT out) {
  for (int64_t p = 0; p < pairs; ++p) {
    float nc, ns;
    box_muller(a[p], b[p], nc, ns);
    out[2 * p] = nc;
    out[2 * p + 1] = ns;
  }
}

// Scratch for one block of normals: 2 pairs per counter, 4 normals per counter.
struct NormalScratch {
  alignas(64) uint32_t a[kBlock / 2], b[kBlock / 2];
};

// buf[0 .. 4·counters) = N[4·first_counter ...]; counters <= kBlock / 4.
void normals(const PhiloxRoundKeys& k, uint64_t first_counter, int64_t counters, NormalScratch& s, float* buf) {
  word_pairs(k, first_counter, counters, s.a, s.b);
  normal_pairs(s.a, s.b, 2 * counters, buf);
}

// noise[i] = in[i] + sigma·noise[i].
MS_SIMD_CLONES void add_scaled(const float* MS_RESTRICT in, float* MS_RESTRICT noise, int64_t n, float sigma) {
  for (int64_t i = 0; i < n; ++i) noise[i] = in[i] + sigma * noise[i];
}

// out[i] = |in[i] + sigma·(N[2v] + i·N[2v + 1])| with voxel v's normals from pair i.
MS_SIMD_CLONES void rician_pairs(const float* MS_RESTRICT in, float* MS_RESTRICT out, const uint32_t* MS_RESTRICT a,
                                 const uint32_t* MS_RESTRICT b, int64_t n, float sigma) {
  for (int64_t i = 0; i < n; ++i) {
    float nc, ns;
    box_muller(a[i], b[i], nc, ns);
    const float re = in[i] + sigma * nc, im = sigma * ns;
    out[i] = fm::fsqrt(re * re + im * im);
  }
}

// ---- Poisson ------------------------------------------------------------------------------
// A block goes through: Philox for attempt 0 (one counter per voxel pair); a first pass, in
// float32 with a bound on its error, that decides every voxel it can without logarithms (λ == 0,
// NaN, PTRS's quick acceptance) and marks the rest by what it needs next: PTRS's log test, a
// further attempt, or kOther (the inversion for λ < 10, λ > 1e15, and the few too close to call
// in float32); the log tests on a packed copy of their inputs (float32 again, float64 where that
// cannot tell); then rounds of further attempts (Philox per voxel, each round one pass over the
// list of voxels left) until none is left. The heavy steps are vectorised loops over contiguous
// lanes; what float32 decides is exactly what the float64 definition (noise_draws.h) decides.

enum PoissonState : int32_t { kDone = 0, kLogTest = 1, kRetry = 2, kOther = 3 };
constexpr int64_t kList = kBlock + 16;  // room for whole-vector stores past the end

// The inputs of attempt 0's log tests, packed: voxel, input value, candidate (float32, exact
// below 2^24), words; and the outcome.
struct LogBatch {
  alignas(64) int32_t pos[kList];
  alignas(64) float x[kList], k[kList];
  alignas(64) uint32_t a[kList], b[kList];
  alignas(64) double out[kList];  // k where the test accepts, −1 where it rejects
};

struct PoissonScratch {
  // Per voxel of the block: attempt 0's words, candidate, result and state.
  alignas(64) uint32_t a[kBlock], b[kBlock];
  alignas(64) float k[kBlock];
  alignas(64) float result[kBlock];
  alignas(64) int32_t state[kBlock];
  alignas(64) int32_t other[kList];
  // The voxels left for a further attempt (index, input value), and that attempt's words,
  // candidate and outcome (K; −1: rejected; −2, −3 while undecided).
  alignas(64) int32_t retry[kList];
  alignas(64) float retry_x[kList];
  alignas(64) uint32_t ra[kBlock], rb[kBlock];
  alignas(64) float rkf[kBlock];
  alignas(64) double rk[kBlock];
  LogBatch log;
  // Scratch for the float64 log tests the float32 pre-test leaves, and for the inversions.
  alignas(64) int32_t unsure[kList];
  alignas(64) double unsure_out[kBlock];
  alignas(64) double lam[kBlock], u[kBlock], p[kBlock], cdf[kBlock], kinv[kBlock], inv_k[kBlock];
  alignas(64) int32_t inv_lane[kBlock];
};

// ---- PTRS in float32 (the CPU kernel's pre-checks; noise_draws.h has the float64 definition) ----
// Hörmann's b and a from the definition's float32 √λ.
struct PtrsSetupF {
  float b, a;
};

MS_ALWAYS_INLINE PtrsSetupF ptrs_setup_f(float lf) {
  const float b = 0.931f + 2.53f * fm::fsqrt(lf);
  return PtrsSetupF{b, -0.059f + 0.02483f * b};
}

// (w + ½)·2^−32 in float32 (within 2.01u of the float64 grid value). The int32 overload is for
// words below 2^31, whose signed conversion vectorises.
MS_ALWAYS_INLINE float grid_f(int32_t w) { return (static_cast<float>(w) + 0.5f) * 2.3283064e-10f; }
MS_ALWAYS_INLINE float grid_f(uint32_t w) { return (static_cast<float>(w) + 0.5f) * 2.3283064e-10f; }

// m with us = ½ − |U| = (m + ½)·2^−32 exactly: the attempt's first word or its complement,
// whichever is below 2^31.
MS_ALWAYS_INLINE uint32_t us_word(uint32_t wa) { return wa ^ static_cast<uint32_t>(static_cast<int32_t>(wa) >> 31); }

// PTRS's comparisons of us with 0.07 and 0.013 on the word grid: us = (m + ½)·2^−32 exactly,
// with m = a or ~a (whichever is below 2^31), so us >= 0.07 ⟺ m >= kWideFrom and
// us < 0.013 ⟺ m < kNarrowBelow (from the float64 constants, exactly); V > us ⟺ b > m.
constexpr uint32_t kWideFrom = 300647711u;
constexpr uint32_t kNarrowBelow = 55834575u;
// Slack of the float32 first pass, 2^−19 = 32u (see poisson_first).
constexpr float kFirstSlack = 1.9073486e-06f;

// Attempt 0 of every voxel, in float32 lanes with a bound on their error against the float64
// definition: result[i] where it is decided here (state kDone), the candidate k[i] (exact where
// the state is kLogTest or kRetry) and the state. The candidate y = (2a/us + b)·U + λ + 0.43 comes
// out within 19u·(|(2a/us + b)·U| + λ + 1) of float64's (b within 3.1u, a within 8.5u, us and U
// within 2.01u, 2a/us + b within 12.6u, and four roundings), so where float32's y lies more than
// kFirstSlack·(|..| + λ + 1) from an integer both floor to the same k. The quick test's
// (0.9277 − V)·(b − 2) − 3.6224 is within 11u·(b + 1) of float64's; it counts only beyond
// kFirstSlack·(b + 4). The comparisons of us and V are exact (kWideFrom). Everything else —
// λ < 10, λ > 1e15, and the about 2 voxels in 1000 (λ ~ 400) too close to call — is kOther.
MS_SIMD_CLONES void poisson_first(const float* MS_RESTRICT in, int64_t n, double scale, double inv_scale,
                                  const uint32_t* MS_RESTRICT a, const uint32_t* MS_RESTRICT b,
                                  float* MS_RESTRICT k_out, float* MS_RESTRICT result, int32_t* MS_RESTRICT state) {
  for (int64_t i = 0; i < n; ++i) {
    const float x = in[i];
    const double lambda = poisson_lambda(x, scale);
    const float lf = static_cast<float>(lambda);
    const PtrsSetupF sf = ptrs_setup_f(lf);
    const float bf = sf.b, af = sf.a;
    const uint32_t wa = a[i], wb = b[i];
    const uint32_t m = us_word(wa);
    const float us = grid_f(static_cast<int32_t>(m));
    const float U = grid_f(static_cast<int32_t>(wa ^ 0x80000000u));
    const float V = grid_f(wb);
    const float cu = (2.0f * af / us + bf) * U;
    const float y = cu + lf + 0.43f;
    const float k = floorf(y);
    const float slack_k = (fabsf(cu) + lf + 1.0f) * kFirstSlack;
    const bool k_sure = (y - k > slack_k) & (k + 1.0f - y > slack_k);
    const float g = (0.9277f - V) * (bf - 2.0f) - 3.6224f;
    const float slack_q = (bf + 4.0f) * kFirstSlack;
    const bool wide = m >= kWideFrom;
    const bool quick = wide & (g > slack_q);
    const bool not_quick = !wide | (g < -slack_q);
    const bool reject = (k < 0.0f) | ((m < kNarrowBelow) & (wb > m));
    // Bitwise & and | keep the loop free of branches so it if-converts and vectorises.
    const bool ptrs = (lambda >= kPoissonInversionBelow) & (lambda <= kPoissonExactAbove) & k_sure & (quick | not_quick);
    const bool zero = lambda == 0.0;  // also NaN and x <= 0
    k_out[i] = k;
    result[i] = x != x ? x : static_cast<float>((zero ? 0.0 : static_cast<double>(k)) * inv_scale);
    state[i] = zero | (ptrs & quick) ? kDone : !ptrs ? kOther : reject ? kRetry : kLogTest;
  }
}

// Packs the voxels i < n with state[i] == kLogTest into `log`, those with kRetry into
// retry/retry_x (i, x[i]) and those with kOther into `other` (i), each in increasing order from
// position 0. Scalar, and AVX-512 compress-stores where the CPU has them (every list then needs 16
// lanes of room past its end).
struct Packed {
  int64_t log = 0, retry = 0, other = 0;
};

MS_ALWAYS_INLINE void pack_states_scalar(const int32_t* state, int64_t n, const float* x, const float* k,
                                         const uint32_t* a, const uint32_t* b, LogBatch& log, int32_t* retry,
                                         float* retry_x, int32_t* other, Packed& c) {
  for (int64_t i = 0; i < n; ++i) {
    const int32_t st = state[i];
    log.pos[c.log] = static_cast<int32_t>(i);
    log.x[c.log] = x[i];
    log.k[c.log] = k[i];
    log.a[c.log] = a[i];
    log.b[c.log] = b[i];
    c.log += st == kLogTest;
    retry[c.retry] = static_cast<int32_t>(i);
    retry_x[c.retry] = x[i];
    c.retry += st == kRetry;
    other[c.other] = static_cast<int32_t>(i);
    c.other += st == kOther;
  }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
__attribute__((target("default"))) void pack_states(const int32_t* state, int64_t n, const float* x, const float* k,
                                                    const uint32_t* a, const uint32_t* b, LogBatch& log,
                                                    int32_t* retry, float* retry_x, int32_t* other, Packed& c) {
  pack_states_scalar(state, n, x, k, a, b, log, retry, retry_x, other, c);
}

__attribute__((target("avx512f"))) void pack_states(const int32_t* state, int64_t n, const float* x, const float* k,
                                                    const uint32_t* a, const uint32_t* b, LogBatch& log,
                                                    int32_t* retry, float* retry_x, int32_t* other, Packed& c) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 valid = n - i >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512i st = _mm512_maskz_loadu_epi32(valid, state + i);
    const __m512i pos = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int32_t>(i)));
    const __m512 xv = _mm512_maskz_loadu_ps(valid, x + i);
    const __mmask16 ml = _mm512_mask_cmpeq_epi32_mask(valid, st, _mm512_set1_epi32(kLogTest));
    _mm512_storeu_si512(log.pos + c.log, _mm512_maskz_compress_epi32(ml, pos));
    _mm512_storeu_ps(log.x + c.log, _mm512_maskz_compress_ps(ml, xv));
    _mm512_storeu_ps(log.k + c.log, _mm512_maskz_compress_ps(ml, _mm512_maskz_loadu_ps(valid, k + i)));
    _mm512_storeu_si512(log.a + c.log, _mm512_maskz_compress_epi32(ml, _mm512_maskz_loadu_epi32(valid, a + i)));
    _mm512_storeu_si512(log.b + c.log, _mm512_maskz_compress_epi32(ml, _mm512_maskz_loadu_epi32(valid, b + i)));
    c.log += __builtin_popcount(ml);
    const __mmask16 mr = _mm512_mask_cmpeq_epi32_mask(valid, st, _mm512_set1_epi32(kRetry));
    _mm512_storeu_si512(retry + c.retry, _mm512_maskz_compress_epi32(mr, pos));
    _mm512_storeu_ps(retry_x + c.retry, _mm512_maskz_compress_ps(mr, xv));
    c.retry += __builtin_popcount(mr);
    const __mmask16 mo = _mm512_mask_cmpeq_epi32_mask(valid, st, _mm512_set1_epi32(kOther));
    _mm512_storeu_si512(other + c.other, _mm512_maskz_compress_epi32(mo, pos));
    c.other += __builtin_popcount(mo);
  }
}
#else
void pack_states(const int32_t* state, int64_t n, const float* x, const float* k, const uint32_t* a,
                 const uint32_t* b, LogBatch& log, int32_t* retry, float* retry_x, int32_t* other, Packed& c) {
  pack_states_scalar(state, n, x, k, a, b, log, retry, retry_x, other, c);
}
#endif

// out[t] = K where PTRS's log test accepts lane j = sel[t] (λ from its input value x[j], the
// candidate recomputed from its words, all in float64 as the definition), else −1.
MS_SIMD_CLONES void poisson_log_tests(const int32_t* MS_RESTRICT sel, int64_t m, const float* MS_RESTRICT x,
                                      const uint32_t* MS_RESTRICT a, const uint32_t* MS_RESTRICT b, double scale,
                                      double* MS_RESTRICT out) {
  for (int64_t t = 0; t < m; ++t) {
    const int32_t j = sel[t];
    const double lambda = poisson_lambda(x[j], scale);
    const PtrsSetup s = ptrs_setup(lambda);
    const double U = ptrs_u(a[j]);
    const double k = ptrs_k(s, lambda, U);
    out[t] = ptrs_log_accept(s, lambda, U, ptrs_v(b[j]), k) ? k : -1.0;
  }
}

// The log test in float32 first. ptrs_log_accept costs ~5 ns per lane in float64; the same
// expression in float32, twice as many lanes wide, decides all but about 2 lanes in 1000 (λ up
// to ~1000; more above) with certainty, and those go to ptrs_log_accept. The decisions are therefore
// exactly ptrs_log_accept's. Error bound, with u = 2^−24 and D = rhs − lhs of the test: from the
// word grid, us and V are within 2.01u (relative) of the float64 values, b within 3.1u, a within
// 8.5u (a >= 0.163), b − 3.4 within 6.6u (b >= 8.93); then num within 20.8u, den within 17.8u,
// q within 39.6u, q²·x0 within 81.2u, so C = ½·ln(q²·x0) is within 41u + 2.7u·|C|, B = k·ln(λ/x0)
// within 3u·k + 2.8u·|B| (fast_log: relative error <= 1.37u over all normal floats, measured
// exhaustively), A = x0 − λ within u·|A|, Stirling's series (4 terms) within 1e-9, and the four
// sums add 4u·(|A| + |B| + |C| + 1): |D_float − D| <= u·(5|A| + 6.8|B| + 6.7|C| + 3k + 46) + 1e-9,
// under half of kLogTestSlack·(|A| + |B| + |C| + k + 64) (float64's own rounding, ~1e-15
// relative, is far inside; over 2e7 random tests the largest error was 0.17 of the slack).
// Lanes whose q²·x0 would leave the normal float range, or whose k is not exact in float32, are
// left to float64.
constexpr float kLogTestSlack = 9.5367432e-07f;  // 2^−20 = 16u

// The float32 log test of one lane: k where it accepts, −1 where it rejects, −2 where float32
// cannot tell. kf: the candidate (>= 0; exact below 2^24).
MS_ALWAYS_INLINE double log_pretest(double lambda, uint32_t wa, uint32_t wb, float kf) {
  const float lf = static_cast<float>(lambda);
  const PtrsSetupF sf = ptrs_setup_f(lf);
  const float bf = sf.b, af = sf.a;
  const float us = grid_f(static_cast<int32_t>(us_word(wa)));
  const float V = grid_f(wb);
  const float x0 = kf >= 6.0f ? kf + 1.0f : 7.0f;
  const float t = ptrs_small_k_factor(kf);
  const float us2 = us * us;
  const float bm = bf - 3.4f;
  const float q = V * t * us2 * (1.1239f * bm + 1.1328f) / (bm * (af + bf * us2));
  const float r = 1.0f / x0;
  const float r2 = r * r;
  const float stirling =
      (((-5.952380952380952e-4f * r2 + 7.936507936507937e-4f) * r2 - 2.777777777777778e-3f) * r2 + 8.333333333333333e-2f) * r;
  const float A = static_cast<float>(static_cast<double>(x0) - lambda);
  const float B = kf * fm::fast_log(lf * r);
  const float C = 0.5f * fm::fast_log(q * q * x0);
  const float D = ((A - 0.918938533f) - stirling - C) + B;
  const float E = (fabsf(A) + fabsf(B) + fabsf(C) + kf + 64.0f) * kLogTestSlack;
  const bool sure = (q > 1e-15f) & (kf < 16777216.0f);
  return sure & (D > E) ? static_cast<double>(kf) : sure & (D < -E) ? -1.0 : -2.0;
}

// out[j] = log_pretest of lane j, j < m.
MS_SIMD_CLONES void poisson_log_pretests(int64_t m, const float* MS_RESTRICT x, const uint32_t* MS_RESTRICT a,
                                         const uint32_t* MS_RESTRICT b, const float* MS_RESTRICT k, double scale,
                                         double* MS_RESTRICT out) {
  for (int64_t j = 0; j < m; ++j) out[j] = log_pretest(poisson_lambda(x[j], scale), a[j], b[j], k[j]);
}

// Where out[j] == −2 (float32 could not tell), the float64 log test decides: out[j] = K or −1.
// unsure: scratch for m positions, unsure_out for m values.
void poisson_settle_unsure(int64_t m, const float* x, const uint32_t* a, const uint32_t* b, double scale,
                           double* out, int32_t* unsure, double* unsure_out) {
  int64_t n = 0;
  for (int64_t j = 0; j < m; ++j) {
    unsure[n] = static_cast<int32_t>(j);
    n += out[j] == -2.0;
  }
  if (n == 0) return;
  poisson_log_tests(unsure, n, x, a, b, scale, unsure_out);
  for (int64_t t = 0; t < n; ++t) out[unsure[t]] = unsure_out[t];
}

// The lanes' state before the first round of poisson_invert; returns how many still search
// (the others are done: K = 0).
MS_SIMD_CLONES int64_t poisson_invert_setup(const int32_t* MS_RESTRICT sel, int64_t m, const float* MS_RESTRICT x,
                                            double scale, const uint32_t* MS_RESTRICT a,
                                            const uint32_t* MS_RESTRICT b, double* MS_RESTRICT lam,
                                            double* MS_RESTRICT u, double* MS_RESTRICT p, double* MS_RESTRICT cdf,
                                            double* MS_RESTRICT k, int32_t* MS_RESTRICT lane) {
  int64_t live = 0;
  for (int64_t j = 0; j < m; ++j) {
    const int32_t i = sel[j];
    lam[j] = poisson_lambda(x[i], scale);
    u[j] = uniform_double(a[i], b[i]);
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
MS_SIMD_CLONES int64_t poisson_invert_round(int64_t n, double round, const double* MS_RESTRICT lam,
                                            const double* MS_RESTRICT u, double* MS_RESTRICT p,
                                            double* MS_RESTRICT cdf, double* MS_RESTRICT k) {
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
// others, in order, to the front; returns how many are left. Lanes are written in increasing j,
// so slot `kept` <= j is never read again after it is written.
int64_t pack_searching(int64_t n, double* MS_RESTRICT lam, double* MS_RESTRICT u, double* MS_RESTRICT p,
                       double* MS_RESTRICT cdf, double* MS_RESTRICT k, int32_t* MS_RESTRICT lane,
                       double* MS_RESTRICT out) {
  // Branch-free (which lanes are done is random): every lane writes its k out — a lane still
  // searching overwrites it later — and is copied to slot `kept`, which only advances past the
  // ones still searching.
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

// out[j] = K by poisson_inversion for voxel i = sel[j] (λ < 10). All lanes advance in lock-step
// rounds; whenever at most a quarter of them still search, the finished ones are written out and
// the rest packed to the front, so the work follows the sum of the K rather than the block's
// largest K times its size (λ in 0..10: ~25% faster; packing at a half was no better than at a
// quarter, at an eighth slower). lam, u, p, cdf, k: scratch of m lanes; lane: m int32.
void poisson_invert(const int32_t* MS_RESTRICT sel, int64_t m, const float* MS_RESTRICT x, double scale,
                    const uint32_t* MS_RESTRICT a, const uint32_t* MS_RESTRICT b, double* MS_RESTRICT lam,
                    double* MS_RESTRICT u, double* MS_RESTRICT p, double* MS_RESTRICT cdf,
                    double* MS_RESTRICT k, int32_t* MS_RESTRICT lane, double* MS_RESTRICT out) {
  int64_t live = poisson_invert_setup(sel, m, x, scale, a, b, lam, u, p, cdf, k, lane);
  int64_t n = m;
  for (double round = 1.0;; round += 1.0) {
    if (live <= n / 4) n = pack_searching(n, lam, u, p, cdf, k, lane, out);
    if (n == 0) return;
    live = poisson_invert_round(n, round, lam, u, p, cdf, k);
  }
}

// Attempt `attempt` (>= 1) of voxel v0 + voxel[j] with input value x[j], j < m, in float64 as
// the definition: its words, candidate (float32: exact below 2^24, else +inf) and out[j] = K
// where the quick acceptance takes it, −1 where it is rejected outright, −3 where it needs the
// log test.
MS_SIMD_CLONES void poisson_attempt(const PhiloxRoundKeys& keys, uint32_t v0, uint32_t attempt,
                                    const int32_t* MS_RESTRICT voxel, int64_t m, const float* MS_RESTRICT x,
                                    double scale, uint32_t* MS_RESTRICT a, uint32_t* MS_RESTRICT b,
                                    float* MS_RESTRICT kf, double* MS_RESTRICT out) {
  for (int64_t j = 0; j < m; ++j) {
    const uint32_t v = v0 + static_cast<uint32_t>(voxel[j]);
    uint32_t w[4];
    philox_wide(v >> 1, attempt, keys, w);
    const bool odd = (v & 1) != 0;
    const uint32_t wa = odd ? w[2] : w[0], wb = odd ? w[3] : w[1];
    const double lambda = poisson_lambda(x[j], scale);
    const PtrsSetup s = ptrs_setup(lambda);
    const double U = ptrs_u(wa), V = ptrs_v(wb);
    const double k = ptrs_k(s, lambda, U);
    a[j] = wa;
    b[j] = wb;
    kf[j] = k < 16777216.0 ? static_cast<float>(k) : __builtin_inff();
    out[j] = ptrs_quick_accept(s, U, V) ? k : ptrs_reject(U, V, k) ? -1.0 : -3.0;
  }
}

// out[j] = log_pretest(...) where out[j] == −3, j < m (on every lane: a third of them need it,
// and packing those would cost more than the rest).
MS_SIMD_CLONES void poisson_attempt_log_pretests(int64_t m, const float* MS_RESTRICT x, const uint32_t* MS_RESTRICT a,
                                                 const uint32_t* MS_RESTRICT b, const float* MS_RESTRICT kf,
                                                 double scale, double* MS_RESTRICT out) {
  for (int64_t j = 0; j < m; ++j) {
    const double tested = log_pretest(poisson_lambda(x[j], scale), a[j], b[j], kf[j]);
    out[j] = out[j] == -3.0 ? tested : out[j];
  }
}

// The draws of voxels v0 .. v0 + len − 1 (input `in`) into s.result.
void poisson_block(const PhiloxRoundKeys& keys, const float* in, uint32_t v0, int64_t len, double scale,
                   double inv_scale, PoissonScratch& s) {
  word_pairs(keys, v0 >> 1, (len + 1) / 2, s.a, s.b);
  poisson_first(in, len, scale, inv_scale, s.a, s.b, s.k, s.result, s.state);
  Packed c;
  pack_states(s.state, len, in, s.k, s.a, s.b, s.log, s.retry, s.retry_x, s.other, c);
  int64_t left = c.retry;
  // kOther: λ < 10 (the inversion, vectorised below); λ > 1e15 (K = λ), and PTRS where float32
  // could not tell: attempt 0 in float64, one voxel at a time (about 2 in 1000).
  int64_t invert = 0;
  for (int64_t j = 0; j < c.other; ++j) {
    const int32_t i = s.other[j];
    const double lambda = poisson_lambda(in[i], scale);
    if (lambda < kPoissonInversionBelow) {
      s.other[invert++] = i;
    } else if (lambda > kPoissonExactAbove) {
      s.result[i] = static_cast<float>(lambda * inv_scale);
    } else {
      const double k = ptrs_attempt(ptrs_setup(lambda), lambda, s.a[i], s.b[i]);
      s.result[i] = static_cast<float>(k * inv_scale);
      s.retry[left] = i;
      s.retry_x[left] = in[i];
      left += k < 0.0;
    }
  }
  poisson_invert(s.other, invert, in, scale, s.a, s.b, s.lam, s.u, s.p, s.cdf, s.inv_k, s.inv_lane, s.kinv);
  for (int64_t j = 0; j < invert; ++j) s.result[s.other[j]] = static_cast<float>(s.kinv[j] * inv_scale);
  // Attempt 0's log tests; the rejected join the list for attempt 1.
  poisson_log_pretests(c.log, s.log.x, s.log.a, s.log.b, s.log.k, scale, s.log.out);
  poisson_settle_unsure(c.log, s.log.x, s.log.a, s.log.b, scale, s.log.out, s.unsure, s.unsure_out);
  // Branch-free: a rejected voxel's result is written too, and overwritten when it is decided.
  for (int64_t j = 0; j < c.log; ++j) {
    const int32_t i = s.log.pos[j];
    s.result[i] = static_cast<float>(s.log.out[j] * inv_scale);
    s.retry[left] = i;
    s.retry_x[left] = s.log.x[j];
    left += s.log.out[j] < 0.0;
  }
  // At most 2^32 − 1 attempts in all (poisson_draw's bound), then floor(λ + ½).
  for (uint32_t attempt = 1; left > 0 && attempt != 0xFFFFFFFFu; ++attempt) {
    poisson_attempt(keys, v0, attempt, s.retry, left, s.retry_x, scale, s.ra, s.rb, s.rkf, s.rk);
    poisson_attempt_log_pretests(left, s.retry_x, s.ra, s.rb, s.rkf, scale, s.rk);
    poisson_settle_unsure(left, s.retry_x, s.ra, s.rb, scale, s.rk, s.unsure, s.unsure_out);
    int64_t next = 0;
    for (int64_t j = 0; j < left; ++j) {
      const int32_t i = s.retry[j];
      s.result[i] = static_cast<float>(s.rk[j] * inv_scale);
      s.retry[next] = i;
      s.retry_x[next] = s.retry_x[j];
      next += s.rk[j] < 0.0;
    }
    left = next;
  }
  for (int64_t j = 0; j < left; ++j) {
    s.result[s.retry[j]] = static_cast<float>(floor(poisson_lambda(s.retry_x[j], scale) + 0.5) * inv_scale);
  }
}

void require_sigma(float sigma) {
  require(sigma >= 0.0f && sigma <= 3.4e38f, "noise sigma must be a finite number >= 0");
}

}  // namespace

void normal_noise(const NoiseKey& key, float* out, int64_t n) {
  require(n >= 0, "normal count must be >= 0");
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  fill_blocks(out, n, [&](int64_t v, int64_t len, float* buf) {
    NormalScratch s;
    normals(k, static_cast<uint64_t>(v) >> 2, (len + 3) / 4, s, buf);
    return buf;
  });
}

void gaussian_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key) {
  require(n >= 0, "voxel count must be >= 0");
  require_sigma(sigma);
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  fill_blocks(out, n, [&](int64_t v, int64_t len, float* buf) {
    NormalScratch s;
    normals(k, static_cast<uint64_t>(v) >> 2, (len + 3) / 4, s, buf);
    add_scaled(in + v, buf, len, sigma);
    return buf;
  });
}

void rician_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key) {
  require(n >= 0, "voxel count must be >= 0");
  require_sigma(sigma);
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  fill_blocks(out, n, [&](int64_t v, int64_t len, float* buf) {
    alignas(64) uint32_t wa[kBlock + 1], wb[kBlock + 1];
    word_pairs(k, static_cast<uint64_t>(v) >> 1, (len + 1) / 2, wa, wb);  // N[2v], N[2v + 1]: pair v
    rician_pairs(in + v, buf, wa, wb, len, sigma);
    return buf;
  });
}

void poisson_noise(const float* in, float* out, int64_t n, double scale, const NoiseKey& key) {
  require(n >= 0 && static_cast<uint64_t>(n) <= kTwo32, "poisson noise covers at most 2^32 voxels");
  require(scale > 0.0 && scale <= 1.7e308, "poisson scale must be a finite number > 0");
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  const double inv_scale = poisson_inv_scale(scale);
  fill_blocks(out, n, [&](int64_t v, int64_t len, float*) {
    // 136 KB per thread, allocated once: too much for a worker's stack.
    thread_local std::unique_ptr<PoissonScratch> scratch;
    if (!scratch) scratch.reset(new PoissonScratch);
    poisson_block(k, in + v, static_cast<uint32_t>(v), len, scale, inv_scale, *scratch);
    return static_cast<const float*>(scratch->result);
  });
}

}  // namespace ms
