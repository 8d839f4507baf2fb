#include "warp/resample2d.h"

#include <algorithm>
#include <cmath>

#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

struct Plane {
  const float* data;
  int64_t height, width;
};

// The source value at integer (ix, iy), or the padding rule's value outside.
MS_ALWAYS_INLINE float tap(const Plane& s, int64_t ix, int64_t iy, const Warp2dParams& p) {
  if (ix < 0 || iy < 0 || ix >= s.width || iy >= s.height) {
    if (p.padding == Padding::kConstant) return p.fill;
    ix = std::min(std::max<int64_t>(ix, 0), s.width - 1);
    iy = std::min(std::max<int64_t>(iy, 0), s.height - 1);
  }
  return s.data[iy * s.width + ix];
}

// Far outside any source (sides are at most 2^16) the padding rule alone decides the value, so
// clamping keeps the integer casts defined for huge, infinite or NaN positions of extreme maps.
MS_ALWAYS_INLINE double safe_coordinate(double v) {
  if (!(v > -1e9)) return -1e9;
  return v < 1e9 ? v : 1e9;
}

// One destination row y of one plane.
MS_SIMD_CLONES void warp_row(const Plane s, float* MS_RESTRICT out, int64_t out_width, int64_t y,
                             const Warp2dParams& p) {
  const double* m = p.m;
  const bool binarise = !std::isnan(p.threshold);
  for (int64_t x = 0; x < out_width; ++x) {
    const double xs = safe_coordinate(m[0] * static_cast<double>(x) + m[1] * static_cast<double>(y) + m[2]);
    const double ys = safe_coordinate(m[3] * static_cast<double>(x) + m[4] * static_cast<double>(y) + m[5]);
    float v;
    if (p.interpolation == Interpolation::kNearest) {
      v = tap(s, static_cast<int64_t>(std::floor(xs + 0.5)), static_cast<int64_t>(std::floor(ys + 0.5)), p);
    } else {
      const double fx = std::floor(xs), fy = std::floor(ys);
      const int64_t x0 = static_cast<int64_t>(fx), y0 = static_cast<int64_t>(fy);
      const float wx = static_cast<float>(xs - fx), wy = static_cast<float>(ys - fy);
      float v00, v01, v10, v11;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < s.width && y0 + 1 < s.height) {
        // Interior (almost every pixel): the four taps without padding checks.
        const float* r0 = s.data + y0 * s.width + x0;
        v00 = r0[0];
        v01 = r0[1];
        v10 = r0[s.width];
        v11 = r0[s.width + 1];
      } else {
        v00 = tap(s, x0, y0, p);
        v01 = tap(s, x0 + 1, y0, p);
        v10 = tap(s, x0, y0 + 1, p);
        v11 = tap(s, x0 + 1, y0 + 1, p);
      }
      const float top = v00 * (1.0f - wx) + v01 * wx;
      const float bottom = v10 * (1.0f - wx) + v11 * wx;
      v = top * (1.0f - wy) + bottom * wy;
    }
    out[x] = binarise ? (v >= p.threshold ? 1.0f : 0.0f) : v;
  }
}

}  // namespace

void warp_affine_2d(const float* src, int64_t planes, int64_t height, int64_t width, float* dst,
                    int64_t out_height, int64_t out_width, const Warp2dParams& p) {
  // Rows of all planes are independent: chunk over (plane, row) pairs, ~16k outputs a chunk.
  const int64_t rows = planes * out_height;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(out_width, 1));
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t c = r / out_height, y = r % out_height;
      const Plane s{src + c * height * width, height, width};
      warp_row(s, dst + r * out_width, out_width, y, p);
    }
  });
}

}  // namespace ms
