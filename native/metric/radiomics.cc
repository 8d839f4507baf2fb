// Radiomics sums of a batch of patches (metric/radiomics.h): one patch per work item, plain
// loops over its voxels.
#include "metric/radiomics.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

struct Patch {
  const float* image;
  const uint8_t* mask;
  int64_t z, y, x;
  float threshold;
  bool in(int64_t k, int64_t j, int64_t i) const {
    if (k < 0 || j < 0 || i < 0 || k >= z || j >= y || i >= x) return false;
    const int64_t v = (k * y + j) * x + i;
    return mask != nullptr ? mask[v] != 0 : image[v] >= threshold;
  }
};

void one_patch(const Patch& p, double lo, double hi, int levels, double* out) {
  std::fill(out, out + kRadiomicsHeader + levels * levels, 0.0);
  int64_t voxels = 0, faces[3] = {0, 0, 0};
  double sum = 0, vmin = INFINITY, vmax = -INFINITY;
  for (int64_t k = 0; k < p.z; ++k) {
    for (int64_t j = 0; j < p.y; ++j) {
      for (int64_t i = 0; i < p.x; ++i) {
        if (!p.in(k, j, i)) continue;
        const double v = p.image[(k * p.y + j) * p.x + i];
        ++voxels;
        sum += v;
        vmin = std::min(vmin, v);
        vmax = std::max(vmax, v);
        faces[0] += !p.in(k - 1, j, i) + !p.in(k + 1, j, i);
        faces[1] += !p.in(k, j - 1, i) + !p.in(k, j + 1, i);
        faces[2] += !p.in(k, j, i - 1) + !p.in(k, j, i + 1);
      }
    }
  }
  if (voxels == 0) return;
  const double mean = sum / static_cast<double>(voxels);
  double m2 = 0, m3 = 0, m4 = 0;
  const double scale = static_cast<double>(levels) / (hi - lo);
  double* glcm = out + kRadiomicsHeader;
  auto level = [&](double v) {
    const double q = std::floor((v - lo) * scale);
    return static_cast<int>(std::min(std::max(q, 0.0), static_cast<double>(levels - 1)));
  };
  static const int kDirs[13][3] = {{0, 0, 1},  {0, 1, -1}, {0, 1, 0},  {0, 1, 1},  {1, -1, -1}, {1, -1, 0}, {1, -1, 1},
                                   {1, 0, -1}, {1, 0, 0},  {1, 0, 1},  {1, 1, -1}, {1, 1, 0},   {1, 1, 1}};
  for (int64_t k = 0; k < p.z; ++k) {
    for (int64_t j = 0; j < p.y; ++j) {
      for (int64_t i = 0; i < p.x; ++i) {
        if (!p.in(k, j, i)) continue;
        const double v = p.image[(k * p.y + j) * p.x + i];
        const double d = v - mean, d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
        const int a = level(v);
        for (const auto& dir : kDirs) {
          const int64_t kk = k + dir[0], jj = j + dir[1], ii = i + dir[2];
          if (!p.in(kk, jj, ii)) continue;
          const int b = level(p.image[(kk * p.y + jj) * p.x + ii]);
          glcm[a * levels + b] += 1;
          glcm[b * levels + a] += 1;
        }
      }
    }
  }
  const double header[kRadiomicsHeader] = {static_cast<double>(voxels), static_cast<double>(faces[0]),
                                           static_cast<double>(faces[1]), static_cast<double>(faces[2]),
                                           mean, m2, m3, m4, vmin, vmax};
  std::copy(header, header + kRadiomicsHeader, out);
}

}  // namespace

void radiomics_sums(const float* image, const uint8_t* mask, int64_t n, int64_t z, int64_t y, int64_t x,
                    float threshold, double lo, double hi, int levels, double* out) {
  require(n >= 0 && z >= 1 && y >= 1 && x >= 1, "radiomics: dims must be >= 1");
  require(levels >= 2 && levels <= 256, "radiomics: levels must be in 2..256");
  require(std::isfinite(lo) && std::isfinite(hi) && hi > lo, "radiomics: need finite lo < hi");
  const int64_t voxels = z * y * x;
  const int64_t stride = kRadiomicsHeader + static_cast<int64_t>(levels) * levels;
  parallel_for(n, 1, [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      const Patch p{image + s * voxels, mask != nullptr ? mask + s * voxels : nullptr, z, y, x, threshold};
      one_patch(p, lo, hi, levels, out + s * stride);
    }
  });
}

}  // namespace ms
