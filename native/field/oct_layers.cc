// OCT layered-retina renderer, CPU. One sample per parallel task, in per-thread scratch: the
// boundary depths are computed per column in double (W·9 values), then each row adds the nine
// soft steps of the reflectivity profile and applies attenuation and speckle. The speckle field
// comes from the library's own normal_noise and gaussian_blur, the detector noise from
// gaussian_noise; their nested parallel_for runs serially inside this task, so a sample is what
// those kernels give on it alone.
#include "field/oct_layers.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/fastmath.h"
#include "core/simd.h"
#include "core/thread_pool.h"
#include "filter/gaussian_blur.h"
#include "noise/noise.h"

namespace ms {
namespace {

constexpr double kTruncate = 4.0;
constexpr int kBoundaries = kOctLayers + 2;  // b_0 … b_8

// acc[x] += step / (1 + exp((b[x] − y)·inv_edge)): one soft boundary of the reflectivity profile.
MS_SIMD_CLONES void add_step(const float* MS_RESTRICT b, float y, float step, float inv_edge, int64_t n,
                             float* MS_RESTRICT acc) {
  for (int64_t x = 0; x < n; ++x) acc[x] += step / (1.0f + fm::fast_exp((b[x] - y) * inv_edge));
}

// out[x] = gain·acc[x]·exp(−att·max(0, y − ilm[x]) + s·speckle[x]·scale − s²/2).
MS_SIMD_CLONES void finish_row(const float* MS_RESTRICT acc, const float* MS_RESTRICT ilm,
                               const float* MS_RESTRICT speckle, float y, float gain, float att, float s,
                               float scale, float half_s2, int64_t n, float* MS_RESTRICT out) {
  for (int64_t x = 0; x < n; ++x) {
    const float depth = std::max(0.0f, y - ilm[x]);
    out[x] = gain * acc[x] * fm::fast_exp(s * speckle[x] * scale - half_s2 - att * depth);
  }
}

void check_options(const OctOptions& o) {
  require(o.height >= 1 && o.width >= 1 && o.height <= (1 << 16) && o.width <= (1 << 16),
          "oct image size must be in [1, 65536] per axis");
  for (int k = 0; k < kOctRegions; ++k) {
    require(std::isfinite(o.reflectivity[k]) && std::fabs(o.reflectivity[k]) <= 1e6, "oct reflectivities must be finite, |r| <= 1e6");
  }
  for (int l = 0; l < kOctLayers; ++l) {
    require(o.fraction[l] >= 0 && o.fraction[l] <= 1e3, "oct layer fractions must be in [0, 1000]");
    require(o.pit_weight[l] <= 1 && o.pit_weight[l] >= -1e3, "oct pit weights must be in [-1000, 1]");
  }
  require(o.edge > 0 && o.edge <= 1e4, "oct edge width must be in (0, 1e4]");
  require(o.grain_axial >= 0 && o.grain_axial <= 1000 && o.grain_lateral >= 0 && o.grain_lateral <= 1000,
          "oct speckle grain must be in [0, 1000]");
  require(o.noise_sigma >= 0 && o.noise_sigma <= 3.4e38, "oct noise sigma must be >= 0");
}

void check_row(const double* p, int64_t j) {
  const std::string at = " (sample row " + std::to_string(j) + ")";
  for (int k = 0; k < kOctStride; ++k) require(std::isfinite(p[k]), "oct parameters must be finite" + at);
  require(p[kOctIndex] >= 0 && p[kOctIndex] <= 4294967295.0 && p[kOctIndex] == std::floor(p[kOctIndex]),
          "oct sample index must be an integer in [0, 2^32)" + at);
  for (int k : {kOctBruch, kOctCurvature, kOctTilt, kOctPitCentre}) {
    require(std::fabs(p[k]) <= 1e7, "oct geometry out of range" + at);
  }
  require(p[kOctThickness] > 0 && p[kOctThickness] <= 1e6, "oct thickness must be in (0, 1e6]" + at);
  require(p[kOctPitDepth] >= 0 && p[kOctPitDepth] <= 1, "oct pit depth must be in [0, 1]" + at);
  require(p[kOctPitWidth] > 0 && p[kOctPitWidth] <= 1e6, "oct pit width must be in (0, 1e6]" + at);
  require(p[kOctGain] >= 0 && p[kOctGain] <= 1e6, "oct gain must be in [0, 1e6]" + at);
  require(p[kOctAttenuation] >= 0 && p[kOctAttenuation] <= 100, "oct attenuation must be in [0, 100]" + at);
  require(p[kOctSpeckle] >= 0 && p[kOctSpeckle] <= 10, "oct speckle must be in [0, 10]" + at);
  const double count = p[kOctDrusenCount];
  require(count >= 0 && count <= kOctMaxDrusen && count == std::floor(count),
          "oct drusen count must be an integer in [0, " + std::to_string(kOctMaxDrusen) + "]" + at);
  for (int k = 0; k < static_cast<int>(count); ++k) {
    const double* d = p + kOctDrusen + 3 * k;
    require(std::fabs(d[0]) <= 1e7 && d[1] > 0 && d[1] <= 1e6 && d[2] >= 0 && d[2] <= 1e6,
            "oct drusen need |centre| <= 1e7, width in (0, 1e6], height in [0, 1e6]" + at);
  }
}

// Boundary depths b_0 … b_8 of every column, as float rows of `width` values each.
void column_boundaries(const OctOptions& o, const double* p, float* b) {
  const int64_t W = o.width;
  const double half = (static_cast<double>(W) - 1.0) / 2.0;
  const int drusen = static_cast<int>(p[kOctDrusenCount]);
  for (int64_t x = 0; x < W; ++x) {
    const double xd = static_cast<double>(x);
    const double u = W > 1 ? (xd - half) / half : 0.0;
    const double bruch = p[kOctBruch] + p[kOctCurvature] * u * u + p[kOctTilt] * u;
    double lift = 0;
    for (int k = 0; k < drusen; ++k) {
      const double* d = p + kOctDrusen + 3 * k;
      const double dx = xd - d[0];
      lift += d[2] * std::exp(-dx * dx / (2.0 * d[1] * d[1]));
    }
    const double dp = xd - p[kOctPitCentre];
    const double pit = p[kOctPitDepth] * std::exp(-dp * dp / (2.0 * p[kOctPitWidth] * p[kOctPitWidth]));
    double depth = bruch;
    b[8 * W + x] = static_cast<float>(depth);
    depth -= lift;
    b[7 * W + x] = static_cast<float>(depth);
    for (int l = kOctLayers - 1; l >= 0; --l) {
      depth -= p[kOctThickness] * o.fraction[l] * (1.0 - o.pit_weight[l] * pit);
      b[l * W + x] = static_cast<float>(depth);
    }
  }
}

struct Scratch {
  std::vector<float> noise, speckle, bounds, acc;
};

float* grow(std::vector<float>& v, int64_t n) {
  if (v.size() < static_cast<size_t>(n)) v.resize(static_cast<size_t>(n));
  return v.data();
}

}  // namespace

void render_oct_layers(const OctOptions& o, const double* params, int64_t n, float* out) {
  require(n >= 0, "oct sample count must be >= 0");
  check_options(o);
  for (int64_t j = 0; j < n; ++j) check_row(params + j * kOctStride, j);

  const int64_t H = o.height, W = o.width, plane = H * W;
  const double grain[3] = {0.0, o.grain_axial, o.grain_lateral};
  // Unit variance of the blurred white noise: Var = Σw_y²·Σw_x² for a separable kernel.
  double sum2 = 1.0;
  for (int axis = 1; axis < 3; ++axis) {
    if (grain[axis] <= 0) continue;
    double s = 0;
    for (double w : gaussian_kernel1d(grain[axis], kTruncate)) s += w * w;
    sum2 *= s;
  }
  const auto scale = static_cast<float>(1.0 / std::sqrt(sum2));
  const auto inv_edge = static_cast<float>(1.0 / o.edge);
  float steps[kBoundaries];
  for (int k = 0; k < kBoundaries; ++k) steps[k] = static_cast<float>(o.reflectivity[k + 1] - o.reflectivity[k]);
  const auto r0 = static_cast<float>(o.reflectivity[0]);

  parallel_for(n, 1, [&](int64_t begin, int64_t end) {
    thread_local Scratch scratch;
    float* noise = grow(scratch.noise, plane);
    float* speckle = grow(scratch.speckle, plane);
    float* bounds = grow(scratch.bounds, kBoundaries * W);
    float* acc = grow(scratch.acc, W);
    for (int64_t j = begin; j < end; ++j) {
      const double* p = params + j * kOctStride;
      float* image = out + j * plane;
      const auto index = static_cast<uint32_t>(p[kOctIndex]);
      const auto s = static_cast<float>(p[kOctSpeckle]);
      const auto half_s2 = static_cast<float>(p[kOctSpeckle] * p[kOctSpeckle] / 2.0);
      const auto gain = static_cast<float>(p[kOctGain]);
      const auto att = static_cast<float>(p[kOctAttenuation]);

      column_boundaries(o, p, bounds);
      if (s > 0) {
        normal_noise(NoiseKey{o.seed, index, o.speckle_stream}, noise, plane);
        gaussian_blur(noise, speckle, 1, H, W, grain, kTruncate);
      } else {
        std::fill(speckle, speckle + plane, 0.0f);
      }
      for (int64_t y = 0; y < H; ++y) {
        const auto yf = static_cast<float>(y);
        std::fill(acc, acc + W, r0);
        for (int k = 0; k < kBoundaries; ++k) add_step(bounds + k * W, yf, steps[k], inv_edge, W, acc);
        finish_row(acc, bounds, speckle + y * W, yf, gain, att, s, scale, half_s2, W, image + y * W);
      }
      gaussian_noise(image, image, plane, static_cast<float>(o.noise_sigma), NoiseKey{o.seed, index, o.noise_stream});
    }
  });
}

}  // namespace ms
