// Row prefetch (warp/prefetch_rows.h): an affine row's points 8 at a time on AVX-512 (in blocked
// order a row is prefetched at every 8th voxel, and the scalar address arithmetic for that many
// points is a cost of its own), else one point at a time.
#include "warp/prefetch_rows.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "core/simd.h"
#include "warp/x86.h"

namespace ms {
namespace {

// One prefetcht0. Not __builtin_prefetch: GCC 12 at -O3 deleted a whole loop of those (a loop
// whose only effects are prefetches counted as dead); an asm statement stays.
MS_ALWAYS_INLINE void prefetch_line(const void* p) {
#if defined(__x86_64__) && defined(__GNUC__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

void prefetch_scalar(const float* in, const WarpDims& s, const RowPoints& p, int64_t n, int64_t step) {
  const int64_t row = s.x, plane = s.y * s.x;
  const double hi[3] = {static_cast<double>(s.z - 1), static_cast<double>(s.y - 1), static_cast<double>(s.x - 1)};
  for (int64_t i = 0; i < n; i += step) {
    double q[3];
    point_at(p, i, q);
    int64_t f[3];
    bool near = true;
    for (int k = 0; k < 3; ++k) {
      const double v = std::floor(q[k]);
      near = near && v >= -1 && v <= hi[k];  // false for NaN too
      f[k] = near ? std::max<int64_t>(0, static_cast<int64_t>(v)) : 0;
    }
    if (!near) continue;
    const float* c = in + f[0] * plane + f[1] * row + f[2];
    const int64_t dy = f[1] + 1 < s.y ? row : 0, dz = f[0] + 1 < s.z ? plane : 0;
    prefetch_line(c);
    prefetch_line(c + dy);
    prefetch_line(c + dz);
    prefetch_line(c + dz + dy);
  }
}

#if defined(MS_HAVE_WARP_X86)
// int32(v) · stride per lane.
MS_AVX512 MS_ALWAYS_INLINE __m256i scaled(__m512d v, __m256i stride) {
  return _mm256_mullo_epi32(_mm512_cvttpd_epi32(v), stride);
}

// The affine row's points 8 at a time: floors, the inside test and the 4 line offsets in vectors
// (int32: the vector warp paths run only below INT32_MAX voxels), then the prefetches.
MS_AVX512 void prefetch_affine_avx512(const float* in, const WarpDims& s, const RowPoints& p, int64_t n,
                                      int64_t step) {
  const __m512d lane = _mm512_mul_pd(_mm512_setr_pd(0, 1, 2, 3, 4, 5, 6, 7), _mm512_set1_pd(static_cast<double>(step)));
  const __m512d lo = _mm512_set1_pd(-1), zero = _mm512_setzero_pd(), one = _mm512_set1_pd(1);
  const __m512d end = _mm512_set1_pd(static_cast<double>(n));
  const __m512d hi[3] = {_mm512_set1_pd(static_cast<double>(s.z - 1)), _mm512_set1_pd(static_cast<double>(s.y - 1)),
                         _mm512_set1_pd(static_cast<double>(s.x - 1))};
  const __m256i vrow = _mm256_set1_epi32(static_cast<int32_t>(s.x));
  const __m256i vplane = _mm256_set1_epi32(static_cast<int32_t>(s.y * s.x));
  alignas(32) int32_t offset[4][8];
  for (int64_t i = 0; i < n; i += 8 * step) {
    const __m512d x = _mm512_add_pd(_mm512_set1_pd(static_cast<double>(i)), lane);
    __mmask8 near = _mm512_cmp_pd_mask(x, end, _CMP_LT_OQ);
    __m512d f[3];
    for (int k = 0; k < 3; ++k) {
      const __m512d q = _mm512_add_pd(_mm512_set1_pd(p.b[k]), _mm512_mul_pd(_mm512_set1_pd(p.a[k]), x));
      f[k] = _mm512_roundscale_pd(q, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
      near &= _mm512_cmp_pd_mask(f[k], lo, _CMP_GE_OQ) & _mm512_cmp_pd_mask(f[k], hi[k], _CMP_LE_OQ);
      f[k] = _mm512_max_pd(f[k], zero);
    }
    if (near == 0) continue;
    const __m256i z0 = scaled(f[0], vplane), z1 = scaled(_mm512_min_pd(_mm512_add_pd(f[0], one), hi[0]), vplane);
    const __m256i y0 = scaled(f[1], vrow), y1 = scaled(_mm512_min_pd(_mm512_add_pd(f[1], one), hi[1]), vrow);
    const __m256i x0 = _mm512_cvttpd_epi32(f[2]);
    _mm256_store_si256(reinterpret_cast<__m256i*>(offset[0]), _mm256_add_epi32(_mm256_add_epi32(z0, y0), x0));
    _mm256_store_si256(reinterpret_cast<__m256i*>(offset[1]), _mm256_add_epi32(_mm256_add_epi32(z0, y1), x0));
    _mm256_store_si256(reinterpret_cast<__m256i*>(offset[2]), _mm256_add_epi32(_mm256_add_epi32(z1, y0), x0));
    _mm256_store_si256(reinterpret_cast<__m256i*>(offset[3]), _mm256_add_epi32(_mm256_add_epi32(z1, y1), x0));
    for (unsigned m = near; m != 0; m &= m - 1) {
      const int l = __builtin_ctz(m);
      for (int c = 0; c < 4; ++c) prefetch_line(in + offset[c][l]);
    }
  }
}
#endif

}  // namespace

int64_t prefetch_rows_ahead(int64_t nx) { return std::max<int64_t>(1, 2048 / nx); }

bool row_leaves_source_row(const double* a, int64_t n) {
  const double span = static_cast<double>(n - 1);
  return std::fabs(a[0]) * span >= 1 || std::fabs(a[1]) * span >= 1;
}

void prefetch_row(const float* in, const WarpDims& s, const RowPoints& p, int64_t n, int64_t step) {
#if defined(MS_HAVE_WARP_X86)
  if (p.d[0] == nullptr && warp_isa() == WarpIsa::avx512 && s.count() <= INT32_MAX) {
    return prefetch_affine_avx512(in, s, p, n, step);
  }
#endif
  prefetch_scalar(in, s, p, n, step);
}

}  // namespace ms
