// Separable B-spline rows (warp/bspline_rows.h). Weights follow warp/warp.h: voxel o of n sits at
// u = o·m / (n − 1) on a mesh of m = c − 3 cells, i = min(floor(u), m − 1), s = u − i.
#include "warp/bspline_rows.h"

#include <algorithm>
#include <cmath>

#include "core/simd.h"

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

}  // namespace

BsplineRows::BsplineRows(const float* control, const WarpDims& control_dims, const WarpDims& out)
    : control_(control), cd_(control_dims), out_(out), tz_(axis_taps(out.z, control_dims.z)),
      ty_(axis_taps(out.y, control_dims.y)), tx_(axis_taps(out.x, control_dims.x)) {
  for (int64_t x = 0; x < out.x; ++x) {
    const int64_t f = tx_.first[static_cast<size_t>(x)];
    if (segments_.empty() || segments_.back().first != f) segments_.push_back({x, x + 1, f});
    else segments_.back().end = x + 1;
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
  float* rows[3] = {dz, dy, dx};
  for (int c = 0; c < 3; ++c) {
    // y pass: r[j] = Σ_b wy[b] · zpass[c][y0 + b][j], then the x pass into the displacement row.
    const float* src = scratch.zpass.data() + c * cyx + ty_.first[yi] * cd_.x;
    float* r = scratch.row.data() + c * cd_.x;
    for (int64_t j = 0; j < cd_.x; ++j) {
      r[j] = ((w0 * src[j] + w1 * src[cd_.x + j]) + w2 * src[2 * cd_.x + j]) + w3 * src[3 * cd_.x + j];
    }
    x_pass(r, segments_.data(), static_cast<int64_t>(segments_.size()), tx_.w[0].data(), tx_.w[1].data(),
           tx_.w[2].data(), tx_.w[3].data(), rows[c]);
  }
}

}  // namespace ms
