// Separable Gaussian blur with the semantics of scipy.ndimage.gaussian_filter (order 0):
//   radius  r = int(truncate * sigma + 0.5)
//   weights w[k] = exp(-0.5 k² / sigma²) / sum_j exp(-0.5 j² / sigma²),  k = -r..r (in double)
//   border  mode 'reflect' (half-sample symmetric, d c b a | a b c d | d c b a), repeated as
//           often as the radius needs when it exceeds the axis length.
// An axis with sigma 0, radius 0 or length 1 is left alone, as scipy leaves it.
#pragma once

#include <cstdint>
#include <vector>

namespace ms {

// Largest kernel radius accepted (2r + 1 taps per axis).
constexpr int64_t kMaxGaussianRadius = 1 << 16;

// int(truncate * sigma + 0.5); sigma >= 0 and truncate > 0, both finite.
int64_t gaussian_radius(double sigma, double truncate);

// The 2r + 1 normalised taps for offsets -r..r.
std::vector<double> gaussian_kernel1d(double sigma, double truncate);

// Index of sample i of the infinite half-sample-symmetric extension of an axis of length n.
inline int64_t reflect_index(int64_t i, int64_t n) {
  const int64_t period = 2 * n;
  int64_t m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

// Blurs a [nz, ny, nx] float32 volume (C order, x fastest); sigma = {sz, sy, sx} in voxels.
// `out` may be `in` itself (in-place) but must not otherwise overlap it. The result does not
// depend on the thread count. Passes run y, x, then z, each rounding to float32 (scipy runs
// z, y, x; the results agree to float rounding).
void gaussian_blur(const float* in, float* out, int64_t nz, int64_t ny, int64_t nx,
                   const double sigma[3], double truncate);

}  // namespace ms
