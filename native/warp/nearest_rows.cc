// Nearest-neighbour label rows (warp/nearest_rows.h).
#include "warp/nearest_rows.h"

#include <climits>

#include "core/simd.h"
#include "warp/x86.h"

namespace ms {
namespace {

void row_scalar(const uint8_t* in, const WarpDims& s, const RowPoints& p, int64_t begin, int64_t end, uint8_t* out,
                uint8_t fill) {
  double q[3];
  for (int64_t i = begin; i < end; ++i) {
    point_at(p, i, q);
    out[i] = nearest(in, s, q[0], q[1], q[2], fill);
  }
}

#if defined(MS_HAVE_WARP_X86)
MS_AVX512 void row_avx512(const uint8_t* in, const WarpDims& s, const RowPoints& p, int64_t begin, int64_t end,
                          uint8_t* out, uint8_t fill) {
  const __m512d zero = _mm512_setzero_pd(), half = _mm512_set1_pd(0.5);
  const __m512d last[3] = {_mm512_set1_pd(static_cast<double>(s.z - 1)), _mm512_set1_pd(static_cast<double>(s.y - 1)),
                           _mm512_set1_pd(static_cast<double>(s.x - 1))};
  const __m256i vrow = _mm256_set1_epi32(static_cast<int32_t>(s.x)),
                vplane = _mm256_set1_epi32(static_cast<int32_t>(s.y * s.x));
  int64_t i = begin;
  for (; i + 8 <= end; i += 8) {
    __m512d q[3];
    points8_512(p, i, q);
    __mmask8 inside = 0xFF;
    __m256i idx[3];
    for (int k = 0; k < 3; ++k) {
      const __m512d r = _mm512_roundscale_pd(_mm512_add_pd(q[k], half), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
      inside &= _mm512_cmp_pd_mask(r, zero, _CMP_GE_OQ) & _mm512_cmp_pd_mask(r, last[k], _CMP_LE_OQ);
      // Clamped so lanes outside convert harmlessly; they are not read.
      idx[k] = _mm512_cvttpd_epi32(_mm512_min_pd(_mm512_max_pd(r, zero), last[k]));
    }
    alignas(32) int32_t ks[8];
    const __m256i zy = _mm256_add_epi32(_mm256_mullo_epi32(idx[0], vplane), _mm256_mullo_epi32(idx[1], vrow));
    _mm256_store_si256(reinterpret_cast<__m256i*>(ks), _mm256_add_epi32(zy, idx[2]));
    for (int l = 0; l < 8; ++l) out[i + l] = (inside >> l) & 1 ? in[ks[l]] : fill;
  }
  row_scalar(in, s, p, i, end, out, fill);
}
#endif

}  // namespace

void nearest_row(const uint8_t* in, const WarpDims& s, const RowPoints& p, int64_t begin, int64_t end, uint8_t* out,
                 uint8_t fill) {
#if defined(MS_HAVE_WARP_X86)
  if (s.count() <= INT32_MAX && warp_isa() == WarpIsa::avx512) return row_avx512(in, s, p, begin, end, out, fill);
#endif
  row_scalar(in, s, p, begin, end, out, fill);
}

}  // namespace ms
