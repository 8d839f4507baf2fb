// Nearest-neighbour label rows (warp/nearest_rows.h).
#include "warp/nearest_rows.h"

#include <climits>

#include "core/simd.h"
#include "warp/x86.h"

namespace ms {
namespace {

void row_scalar(const uint8_t* in, const WarpDims& s, const RowPoints& p, int64_t begin, int64_t end, uint8_t* out,
                uint8_t fill) {
  for (int64_t i = begin; i < end; ++i) {
    if (p.pz != nullptr) {
      out[i] = nearest(in, s, p.pz[i], p.py[i], p.px[i], fill);
    } else {
      const double x = static_cast<double>(i);
      out[i] = nearest(in, s, p.b[0] + p.a[0] * x, p.b[1] + p.a[1] * x, p.b[2] + p.a[2] * x, fill);
    }
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
    if (p.pz != nullptr) {
      q[0] = _mm512_loadu_pd(p.pz + i);
      q[1] = _mm512_loadu_pd(p.py + i);
      q[2] = _mm512_loadu_pd(p.px + i);
    } else {
      const __m512d x = _mm512_add_pd(_mm512_set1_pd(static_cast<double>(i)), _mm512_setr_pd(0, 1, 2, 3, 4, 5, 6, 7));
      for (int k = 0; k < 3; ++k) {
        q[k] = _mm512_add_pd(_mm512_set1_pd(p.b[k]), _mm512_mul_pd(_mm512_set1_pd(p.a[k]), x));
      }
    }
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
