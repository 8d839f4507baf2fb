// Separable B-spline rows (warp/bspline_rows.h). Weights follow warp/warp.h: voxel o of n sits at
// u = o·m / (n − 1) on a mesh of m = c − 3 cells, i = min(floor(u), m − 1), s = u − i.
#include "warp/bspline_rows.h"

#include <algorithm>
#include <cmath>

#include "core/simd.h"
#include "warp/trilinear_rows.h"
#include "warp/x86.h"

namespace ms {
namespace {

BsplineRows::Taps axis_taps(int64_t n, int64_t controls) {
  BsplineRows::Taps t;
  t.first.resize(static_cast<size_t>(n));
  for (auto& w : t.w) w.resize(static_cast<size_t>(n));
  const int64_t mesh = controls - 3;
  for (int64_t o = 0; o < n; ++o) {
    const double u = n > 1 ? static_cast<double>(o) * static_cast<double>(mesh) / static_cast<double>(n - 1) : 0.0;
    const int64_t i = std::min(static_cast<int64_t>(std::floor(u)), mesh - 1);
    const double s = u - static_cast<double>(i);
    const double s2 = s * s, s3 = s2 * s;
    const size_t k = static_cast<size_t>(o);
    t.first[k] = i;
    t.w[0][k] = static_cast<float>((1 - s) * (1 - s) * (1 - s) / 6.0);
    t.w[1][k] = static_cast<float>((3 * s3 - 6 * s2 + 4) / 6.0);
    t.w[2][k] = static_cast<float>((-3 * s3 + 3 * s2 + 3 * s + 1) / 6.0);
    t.w[3][k] = static_cast<float>(s3 / 6.0);
  }
  return t;
}

// The x pass of one component: d[x] = Σ_k w_k[x] · r[first + k], a run of equal `first` at a
// time so the 4 control values are loop constants and the loop vectorizes.
MS_SIMD_CLONES void x_pass(const float* r, const BsplineRows::Segment* segments, int64_t count,
                           const float* MS_RESTRICT w0, const float* MS_RESTRICT w1, const float* MS_RESTRICT w2,
                           const float* MS_RESTRICT w3, float* MS_RESTRICT d) {
  for (int64_t k = 0; k < count; ++k) {
    const BsplineRows::Segment& s = segments[k];
    const float r0 = r[s.first], r1 = r[s.first + 1], r2 = r[s.first + 2], r3 = r[s.first + 3];
    for (int64_t x = s.begin; x < s.end; ++x) d[x] = ((w0[x] * r0 + w1[x] * r1) + w2[x] * r2) + w3[x] * r3;
  }
}

#if defined(MS_HAVE_WARP_X86)
// The x pass of all three components, 16 voxels a step: each component's control row (cx <= 32
// values) sits in two registers and tap k of voxel x is lane first[x] + k of them. The products
// and sums of x_pass, in its order.
MS_AVX512 void x_pass_permute(const float* r, int64_t cx, const int32_t* first, int64_t n, const float* w0,
                              const float* w1, const float* w2, const float* w3, float* const* d) {
  __m512 lo[3], hi[3];
  const __mmask16 lo_mask = cx >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << cx) - 1);
  const __mmask16 hi_mask = cx <= 16 ? 0 : static_cast<__mmask16>((1u << (cx - 16)) - 1);
  for (int c = 0; c < 3; ++c) {
    lo[c] = _mm512_maskz_loadu_ps(lo_mask, r + c * cx);
    hi[c] = _mm512_maskz_loadu_ps(hi_mask, r + c * cx + 16);
  }
  const __m512i one = _mm512_set1_epi32(1);
  for (int64_t x = 0; x < n; x += 16) {
    const __mmask16 m = n - x >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (n - x)) - 1);
    const __m512i i0 = _mm512_maskz_loadu_epi32(m, first + x);
    const __m512i i1 = _mm512_add_epi32(i0, one), i2 = _mm512_add_epi32(i1, one), i3 = _mm512_add_epi32(i2, one);
    const __m512 v0 = _mm512_maskz_loadu_ps(m, w0 + x), v1 = _mm512_maskz_loadu_ps(m, w1 + x);
    const __m512 v2 = _mm512_maskz_loadu_ps(m, w2 + x), v3 = _mm512_maskz_loadu_ps(m, w3 + x);
    for (int c = 0; c < 3; ++c) {
      const __m512 a = _mm512_mul_ps(v0, _mm512_permutex2var_ps(lo[c], i0, hi[c]));
      const __m512 b = _mm512_mul_ps(v1, _mm512_permutex2var_ps(lo[c], i1, hi[c]));
      const __m512 e = _mm512_mul_ps(v2, _mm512_permutex2var_ps(lo[c], i2, hi[c]));
      const __m512 f = _mm512_mul_ps(v3, _mm512_permutex2var_ps(lo[c], i3, hi[c]));
      _mm512_mask_storeu_ps(d[c] + x, m, _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a, b), e), f));
    }
  }
}
#endif

}  // namespace

BsplineRows::BsplineRows(const float* control, const WarpDims& control_dims, const WarpDims& out)
    : control_(control), cd_(control_dims), out_(out), tz_(axis_taps(out.z, control_dims.z)),
      ty_(axis_taps(out.y, control_dims.y)), tx_(axis_taps(out.x, control_dims.x)) {
  for (int64_t x = 0; x < out.x; ++x) {
    const int64_t f = tx_.first[static_cast<size_t>(x)];
    if (segments_.empty() || segments_.back().first != f) segments_.push_back({x, x + 1, f});
    else segments_.back().end = x + 1;
    x_first_.push_back(static_cast<int32_t>(f));
  }
}

void BsplineRows::row(int64_t z, int64_t y, float* dz, float* dy, float* dx, Scratch& scratch) const {
  const int64_t cyx = cd_.y * cd_.x;
  if (scratch.z != z) {
    // z pass: zpass[c][ky][j] = Σ_a wz[a] · control[c][z0 + a][ky][j].
    const size_t zi = static_cast<size_t>(z);
    const float w0 = tz_.w[0][zi], w1 = tz_.w[1][zi], w2 = tz_.w[2][zi], w3 = tz_.w[3][zi];
    scratch.zpass.resize(static_cast<size_t>(3 * cyx));
    scratch.row.resize(static_cast<size_t>(3 * cd_.x));
    for (int c = 0; c < 3; ++c) {
      const float* src = control_ + (c * cd_.z + tz_.first[zi]) * cyx;
      float* dst = scratch.zpass.data() + c * cyx;
      for (int64_t k = 0; k < cyx; ++k) {
        dst[k] = ((w0 * src[k] + w1 * src[cyx + k]) + w2 * src[2 * cyx + k]) + w3 * src[3 * cyx + k];
      }
    }
    scratch.z = z;
  }
  const size_t yi = static_cast<size_t>(y);
  const float w0 = ty_.w[0][yi], w1 = ty_.w[1][yi], w2 = ty_.w[2][yi], w3 = ty_.w[3][yi];
  for (int c = 0; c < 3; ++c) {
    // y pass: r[c][j] = Σ_b wy[b] · zpass[c][y0 + b][j].
    const float* src = scratch.zpass.data() + c * cyx + ty_.first[yi] * cd_.x;
    float* r = scratch.row.data() + c * cd_.x;
    for (int64_t j = 0; j < cd_.x; ++j) {
      r[j] = ((w0 * src[j] + w1 * src[cd_.x + j]) + w2 * src[2 * cd_.x + j]) + w3 * src[3 * cd_.x + j];
    }
  }
  float* const rows[3] = {dz, dy, dx};
#if defined(MS_HAVE_WARP_X86)
  if (cd_.x <= 32 && warp_isa() == WarpIsa::avx512) {
    x_pass_permute(scratch.row.data(), cd_.x, x_first_.data(), out_.x, tx_.w[0].data(), tx_.w[1].data(),
                   tx_.w[2].data(), tx_.w[3].data(), rows);
    return;
  }
#endif
  for (int c = 0; c < 3; ++c) {
    x_pass(scratch.row.data() + c * cd_.x, segments_.data(), static_cast<int64_t>(segments_.size()), tx_.w[0].data(),
           tx_.w[1].data(), tx_.w[2].data(), tx_.w[3].data(), rows[c]);
  }
}

}  // namespace ms
