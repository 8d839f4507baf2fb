#include "filter/blur_taps.h"

#include "core/simd.h"

namespace ms {
namespace {

// N floats as one GCC/Clang vector, unaligned and allowed to alias float (rows start
// anywhere). Declared inside a template so the attributes survive (they would be dropped from
// a typedef passed as a template argument). Casts below name this type directly: GCC also
// drops aligned(4) from a function template's return type, and would then emit aligned loads
// (vmovaps) that fault on unaligned rows; test/gaussian_blur.test.ts runs unaligned arrays.
template <int N>
struct FloatVec {
  typedef float type __attribute__((vector_size(N * sizeof(float)), aligned(alignof(float)), may_alias));
};

// ---- symmetric taps (x pass) ------------------------------------------------------------
// A block of A vectors keeps A independent accumulators in registers (an FMA takes ~4 cycles)
// while the taps stream past.
template <int N, int A>
MS_ALWAYS_INLINE void symmetric_block(const float* row, const float* w, int64_t r, float* out,
                                      int64_t j) {
  typedef typename FloatVec<N>::type V;
  const V* c = reinterpret_cast<const V*>(row + j);
  V acc[A];
#pragma GCC unroll 8
  for (int q = 0; q < A; ++q) acc[q] = w[0] * c[q];
  for (int64_t k = 1; k <= r; ++k) {
    const float wk = w[k];
    const V* a = reinterpret_cast<const V*>(row + j - k);
    const V* b = reinterpret_cast<const V*>(row + j + k);
#pragma GCC unroll 8
    for (int q = 0; q < A; ++q) acc[q] += wk * (a[q] + b[q]);
  }
  V* o = reinterpret_cast<V*>(out + j);
#pragma GCC unroll 8
  for (int q = 0; q < A; ++q) o[q] = acc[q];
}

template <int N>
MS_ALWAYS_INLINE void symmetric_taps_impl(const float* row, const float* w, int64_t r, float* out,
                                          int64_t begin, int64_t end) {
  int64_t j = begin;
  for (; j + 8 * N <= end; j += 8 * N) symmetric_block<N, 8>(row, w, r, out, j);
  for (; j + N <= end; j += N) symmetric_block<N, 1>(row, w, r, out, j);
  for (; j < end; ++j) {
    float acc = w[0] * row[j];
    for (int64_t k = 1; k <= r; ++k) acc += w[k] * (row[j - k] + row[j + k]);
    out[j] = acc;
  }
}

// ---- row taps (y and z passes) ----------------------------------------------------------
// R outputs x A vectors of accumulators. Row t feeds output q with tap i = t - q when
// 0 <= i < taps; tap 0 starts the sum. Rows t in [R, taps) feed all R outputs, so that loop
// runs without conditions (Ramp = false); the first R rows and the last R - 1 test each q.
template <int N, int R, int A, bool Ramp>
MS_ALWAYS_INLINE void feed_row(typename FloatVec<N>::type (&acc)[R][A], const float* row,
                               const float* w, int64_t t, int64_t taps) {
  typedef typename FloatVec<N>::type V;
  const V* v = reinterpret_cast<const V*>(row);
#pragma GCC unroll 4
  for (int q = 0; q < R; ++q) {
    const int64_t i = t - q;
    if (Ramp && (i < 0 || i >= taps)) continue;
    const float wi = w[i];
    if (Ramp && i == 0) {
#pragma GCC unroll 8
      for (int a = 0; a < A; ++a) acc[q][a] = wi * v[a];
    } else {
#pragma GCC unroll 8
      for (int a = 0; a < A; ++a) acc[q][a] += wi * v[a];
    }
  }
}

template <int N, int R, int A>
MS_ALWAYS_INLINE void row_block(const float* const* rows, const float* w, int64_t taps,
                                float* const* out, int64_t j) {
  typedef typename FloatVec<N>::type V;
  V acc[R][A] = {};
#pragma GCC unroll 4
  for (int64_t t = 0; t < R; ++t) feed_row<N, R, A, true>(acc, rows[t] + j, w, t, taps);
  for (int64_t t = R; t < taps; ++t) feed_row<N, R, A, false>(acc, rows[t] + j, w, t, taps);
  for (int64_t t = taps > R ? taps : R; t < taps + R - 1; ++t) {
    feed_row<N, R, A, true>(acc, rows[t] + j, w, t, taps);
  }
#pragma GCC unroll 4
  for (int q = 0; q < R; ++q) {
    V* o = reinterpret_cast<V*>(out[q] + j);
#pragma GCC unroll 8
    for (int a = 0; a < A; ++a) o[a] = acc[q][a];
  }
}

template <int N, int R, int A>
MS_ALWAYS_INLINE void row_group(const float* const* rows, const float* w, int64_t taps,
                                float* const* out, int64_t begin, int64_t end) {
  int64_t j = begin;
  for (; j + A * N <= end; j += A * N) row_block<N, R, A>(rows, w, taps, out, j);
  for (; j + N <= end; j += N) row_block<N, R, 1>(rows, w, taps, out, j);
  for (; j < end; ++j) {
    for (int q = 0; q < R; ++q) {
      float acc = w[0] * rows[q][j];
      for (int64_t i = 1; i < taps; ++i) acc += w[i] * rows[q + i][j];
      out[q][j] = acc;
    }
  }
}

template <int N>
MS_ALWAYS_INLINE void row_taps_impl(const float* const* rows, const float* w, int64_t taps,
                                    float* const* out, int64_t nout, int64_t begin, int64_t end) {
  int64_t q = 0;
  // Four outputs share each loaded row: two loads per eight FMAs instead of one per one.
  for (; q + 4 <= nout; q += 4) row_group<N, 4, 2>(rows + q, w, taps, out + q, begin, end);
  for (; q < nout; ++q) row_group<N, 1, 8>(rows + q, w, taps, out + q, begin, end);
}

}  // namespace

// Runtime dispatch by GCC function multiversioning rather than MS_SIMD_CLONES: target_clones
// compiles one body for every ISA, so a vector type would have a single width (and GCC's
// auto-vectoriser, left to pick widths, keeps these accumulators in memory after -O3
// unroll-and-jam). Each version below uses its ISA's native width: 16, 8 or 4 floats.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__)
#define MS_BLUR_VERSIONS(name, impl, params, args)                                   \
  __attribute__((target("default"))) void name params { impl<4> args; }           \
  __attribute__((target("avx2,fma"))) void name params { impl<8> args; }          \
  __attribute__((target("avx512f"))) void name params { impl<16> args; }
#else
#define MS_BLUR_VERSIONS(name, impl, params, args) void name params { impl<4> args; }
#endif

namespace {
MS_BLUR_VERSIONS(symmetric_taps_dispatch, symmetric_taps_impl,
                 (const float* row, const float* w, int64_t r, float* out, int64_t begin,
                  int64_t end),
                 (row, w, r, out, begin, end))
MS_BLUR_VERSIONS(row_taps_dispatch, row_taps_impl,
                 (const float* const* rows, const float* w, int64_t taps, float* const* out,
                  int64_t nout, int64_t begin, int64_t end),
                 (rows, w, taps, out, nout, begin, end))
}  // namespace
#undef MS_BLUR_VERSIONS

void symmetric_taps(const float* row, const float* w, int64_t r, float* out, int64_t begin,
                    int64_t end) {
  symmetric_taps_dispatch(row, w, r, out, begin, end);
}

void row_taps(const float* const* rows, const float* w, int64_t taps, float* const* out,
              int64_t nout, int64_t begin, int64_t end) {
  row_taps_dispatch(rows, w, taps, out, nout, begin, end);
}

}  // namespace ms
