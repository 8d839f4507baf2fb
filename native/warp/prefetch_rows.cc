// Row prefetch (warp/prefetch_rows.h): a row's points 16 at a time on AVX-512, 8 on AVX2 (in
// blocked order a row is prefetched at every 4th voxel, and the scalar address arithmetic for that
// many points is a cost of its own), else one point at a time.
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

void prefetch_scalar(const float* in, const WarpDims& s, const RowPoints& p, int64_t n, int64_t step,
                     PrefetchLines lines) {
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
    prefetch_line(c + dz + dy);
    if (lines == PrefetchLines::next_plane_row) continue;
    prefetch_line(c);
    prefetch_line(c + dy);
    prefetch_line(c + dz);
  }
}

#if defined(MS_HAVE_WARP_X86)
// A row's points 16 at a time, in float: only an address is wanted, and a point that rounds to the
// neighbouring voxel fetches a neighbouring line at worst. Floors, the inside test and the line
// offsets in vectors (int32: the vector warp paths run only below INT32_MAX voxels), then the
// prefetches. An elastic row's displacement at those points is gathered from its rows (masked past
// the row's end).
MS_AVX512 void prefetch_avx512(const float* in, const WarpDims& s, const RowPoints& p, int64_t n, int64_t step,
                               PrefetchLines lines) {
  const __m512i at = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                        _mm512_set1_epi32(static_cast<int32_t>(step)));
  const __m512 lane = _mm512_mul_ps(_mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                    _mm512_set1_ps(static_cast<float>(step)));
  const __m512 lo = _mm512_set1_ps(-1), zero = _mm512_setzero_ps();
  const __m512 end = _mm512_set1_ps(static_cast<float>(n));
  const __m512 hi[3] = {_mm512_set1_ps(static_cast<float>(s.z - 1)), _mm512_set1_ps(static_cast<float>(s.y - 1)),
                        _mm512_set1_ps(static_cast<float>(s.x - 1))};
  const __m512i one = _mm512_set1_epi32(1), vrow = _mm512_set1_epi32(static_cast<int32_t>(s.x));
  const __m512i vplane = _mm512_set1_epi32(static_cast<int32_t>(s.y * s.x));
  const __m512i zlast = _mm512_set1_epi32(static_cast<int32_t>(s.z - 1)), ylast = _mm512_set1_epi32(static_cast<int32_t>(s.y - 1));
  // The lines prefetched: [z0 y0, z0 y1, z1 y0, z1 y1], or only the last.
  const int first = lines == PrefetchLines::all ? 0 : 3;
  alignas(64) int32_t offset[4][16];
  for (int64_t i = 0; i < n; i += 16 * step) {
    const __m512 x = _mm512_add_ps(_mm512_set1_ps(static_cast<float>(i)), lane);
    __mmask16 near = _mm512_cmp_ps_mask(x, end, _CMP_LT_OQ);
    __m512i f[3];
    for (int k = 0; k < 3; ++k) {
      __m512 q = _mm512_add_ps(_mm512_set1_ps(static_cast<float>(p.b[k])), _mm512_mul_ps(_mm512_set1_ps(static_cast<float>(p.a[k])), x));
      if (p.d[0] != nullptr) q = _mm512_add_ps(q, _mm512_mask_i32gather_ps(zero, near, at, p.d[k] + i, 4));
      const __m512 v = _mm512_roundscale_ps(q, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
      near &= _mm512_cmp_ps_mask(v, lo, _CMP_GE_OQ) & _mm512_cmp_ps_mask(v, hi[k], _CMP_LE_OQ);
      f[k] = _mm512_cvttps_epi32(_mm512_max_ps(v, zero));
    }
    if (near == 0) continue;
    const __m512i z0 = _mm512_mullo_epi32(f[0], vplane);
    const __m512i z1 = _mm512_mullo_epi32(_mm512_min_epi32(_mm512_add_epi32(f[0], one), zlast), vplane);
    const __m512i y0 = _mm512_mullo_epi32(f[1], vrow);
    const __m512i y1 = _mm512_mullo_epi32(_mm512_min_epi32(_mm512_add_epi32(f[1], one), ylast), vrow);
    _mm512_store_si512(offset[0], _mm512_add_epi32(_mm512_add_epi32(z0, y0), f[2]));
    _mm512_store_si512(offset[1], _mm512_add_epi32(_mm512_add_epi32(z0, y1), f[2]));
    _mm512_store_si512(offset[2], _mm512_add_epi32(_mm512_add_epi32(z1, y0), f[2]));
    _mm512_store_si512(offset[3], _mm512_add_epi32(_mm512_add_epi32(z1, y1), f[2]));
    for (unsigned m = near; m != 0; m &= m - 1) {
      const int l = __builtin_ctz(m);
      for (int c = first; c < 4; ++c) prefetch_line(in + offset[c][l]);
    }
  }
}

// The same, 8 points at a time (AVX2: the comparisons give lane masks, not mask registers).
MS_AVX2 void prefetch_avx2(const float* in, const WarpDims& s, const RowPoints& p, int64_t n, int64_t step,
                           PrefetchLines lines) {
  const __m256i at = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(static_cast<int32_t>(step)));
  const __m256 lane = _mm256_mul_ps(_mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_ps(static_cast<float>(step)));
  const __m256 lo = _mm256_set1_ps(-1), zero = _mm256_setzero_ps(), end = _mm256_set1_ps(static_cast<float>(n));
  const __m256 hi[3] = {_mm256_set1_ps(static_cast<float>(s.z - 1)), _mm256_set1_ps(static_cast<float>(s.y - 1)),
                        _mm256_set1_ps(static_cast<float>(s.x - 1))};
  const __m256i one = _mm256_set1_epi32(1), vrow = _mm256_set1_epi32(static_cast<int32_t>(s.x));
  const __m256i vplane = _mm256_set1_epi32(static_cast<int32_t>(s.y * s.x));
  const __m256i zlast = _mm256_set1_epi32(static_cast<int32_t>(s.z - 1)), ylast = _mm256_set1_epi32(static_cast<int32_t>(s.y - 1));
  const int first = lines == PrefetchLines::all ? 0 : 3;
  alignas(32) int32_t offset[4][8];
  for (int64_t i = 0; i < n; i += 8 * step) {
    const __m256 x = _mm256_add_ps(_mm256_set1_ps(static_cast<float>(i)), lane);
    __m256 near = _mm256_cmp_ps(x, end, _CMP_LT_OQ);
    __m256i f[3];
    for (int k = 0; k < 3; ++k) {
      __m256 q = _mm256_add_ps(_mm256_set1_ps(static_cast<float>(p.b[k])), _mm256_mul_ps(_mm256_set1_ps(static_cast<float>(p.a[k])), x));
      if (p.d[0] != nullptr) q = _mm256_add_ps(q, _mm256_mask_i32gather_ps(zero, p.d[k] + i, at, near, 4));
      const __m256 v = _mm256_floor_ps(q);
      near = _mm256_and_ps(near, _mm256_and_ps(_mm256_cmp_ps(v, lo, _CMP_GE_OQ), _mm256_cmp_ps(v, hi[k], _CMP_LE_OQ)));
      f[k] = _mm256_cvttps_epi32(_mm256_max_ps(v, zero));
    }
    const unsigned mask = static_cast<unsigned>(_mm256_movemask_ps(near));
    if (mask == 0) continue;
    const __m256i z0 = _mm256_mullo_epi32(f[0], vplane);
    const __m256i z1 = _mm256_mullo_epi32(_mm256_min_epi32(_mm256_add_epi32(f[0], one), zlast), vplane);
    const __m256i y0 = _mm256_mullo_epi32(f[1], vrow);
    const __m256i y1 = _mm256_mullo_epi32(_mm256_min_epi32(_mm256_add_epi32(f[1], one), ylast), vrow);
    _mm256_store_si256(reinterpret_cast<__m256i*>(offset[0]), _mm256_add_epi32(_mm256_add_epi32(z0, y0), f[2]));
    _mm256_store_si256(reinterpret_cast<__m256i*>(offset[1]), _mm256_add_epi32(_mm256_add_epi32(z0, y1), f[2]));
    _mm256_store_si256(reinterpret_cast<__m256i*>(offset[2]), _mm256_add_epi32(_mm256_add_epi32(z1, y0), f[2]));
    _mm256_store_si256(reinterpret_cast<__m256i*>(offset[3]), _mm256_add_epi32(_mm256_add_epi32(z1, y1), f[2]));
    for (unsigned m = mask; m != 0; m &= m - 1) {
      const int l = __builtin_ctz(m);
      for (int c = first; c < 4; ++c) prefetch_line(in + offset[c][l]);
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

void prefetch_row(const float* in, const WarpDims& s, const RowPoints& p, int64_t n, int64_t step, PrefetchLines lines) {
#if defined(MS_HAVE_WARP_X86)
  if (s.count() <= INT32_MAX) {
    if (warp_isa() == WarpIsa::avx512) return prefetch_avx512(in, s, p, n, step, lines);
    if (warp_isa() == WarpIsa::avx2) return prefetch_avx2(in, s, p, n, step, lines);
  }
#endif
  prefetch_scalar(in, s, p, n, step, lines);
}

}  // namespace ms
