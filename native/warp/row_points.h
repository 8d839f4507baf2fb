// The source points of one output row (warp/warp.h): p(i) = (b + i·a) per axis, plus, for an
// elastic warp, the B-spline displacement d(i) of that row (float, as warp/bspline_rows.h
// evaluates it) converted to double and added. Every sampler, scalar or vector, computes a point
// with exactly these operations, in this order, so all paths give the same bytes.
#pragma once

#include <cstdint>

#include "core/simd.h"
#include "warp/x86.h"

namespace ms {

struct RowPoints {
  double b[3] = {0, 0, 0};
  double a[3] = {0, 0, 0};
  const float* d[3] = {nullptr, nullptr, nullptr};  // [z, y, x] displacement rows, or none
};

MS_ALWAYS_INLINE void point_at(const RowPoints& p, int64_t i, double* q) {
  const double x = static_cast<double>(i);
  for (int k = 0; k < 3; ++k) {
    q[k] = p.b[k] + p.a[k] * x;
    if (p.d[0] != nullptr) q[k] = q[k] + static_cast<double>(p.d[k][i]);
  }
}

#if defined(MS_HAVE_WARP_X86)
// Points i … i + 7.
MS_AVX512 MS_ALWAYS_INLINE void points8_512(const RowPoints& p, int64_t i, __m512d* q) {
  const __m512d x = _mm512_add_pd(_mm512_set1_pd(static_cast<double>(i)), _mm512_setr_pd(0, 1, 2, 3, 4, 5, 6, 7));
  for (int k = 0; k < 3; ++k) {
    q[k] = _mm512_add_pd(_mm512_set1_pd(p.b[k]), _mm512_mul_pd(_mm512_set1_pd(p.a[k]), x));
    if (p.d[0] != nullptr) q[k] = _mm512_add_pd(q[k], _mm512_cvtps_pd(_mm256_loadu_ps(p.d[k] + i)));
  }
}

// Points i … i + 3.
MS_AVX2 MS_ALWAYS_INLINE void points4_256(const RowPoints& p, int64_t i, __m256d* q) {
  const __m256d x = _mm256_add_pd(_mm256_set1_pd(static_cast<double>(i)), _mm256_setr_pd(0, 1, 2, 3));
  for (int k = 0; k < 3; ++k) {
    q[k] = _mm256_add_pd(_mm256_set1_pd(p.b[k]), _mm256_mul_pd(_mm256_set1_pd(p.a[k]), x));
    if (p.d[0] != nullptr) q[k] = _mm256_add_pd(q[k], _mm256_cvtps_pd(_mm_loadu_ps(p.d[k] + i)));
  }
}
#endif

}  // namespace ms
