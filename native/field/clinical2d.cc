// Clinical 2D renderer, CPU. One sample per parallel task: its texture, lesion, PSF blur and
// noise are computed in per-thread scratch (two buffers of max(H·W, padded coarse grid) floats,
// in cache up to ~256²), so a batch costs one write of the output instead of one sweep over the
// whole batch per step. The steps call the library's own kernels (normal_noise, gaussian_blur,
// gaussian_noise), whose nested parallel_for runs serially inside this task, so each sample is
// what those kernels give on that sample alone, and samples never depend on their batch.
#include "field/clinical2d.h"

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
// The lesion is drawn out to this many edge widths beyond its outline: logistic(−12) = 6e-6.
constexpr double kLesionTail = 12.0;

// out[i] = b0 + b1·logistic((field[i]·scale − t)·inv_edge) + b2·field[i]·scale.
MS_SIMD_CLONES void compose_background(const float* MS_RESTRICT field, float* MS_RESTRICT out, int64_t n,
                                       float scale, float t, float inv_edge, float b0, float b1, float b2) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = field[i] * scale;
    const float dense = 1.0f / (1.0f + fm::fast_exp((t - v) * inv_edge));
    out[i] = b0 + b1 * dense + b2 * v;
  }
}

// row[x] = wy0·(wx0[x]·c0[x0[x]] + wx1[x]·c0[x0[x] + 1]) + wy1·(the same on c1): one fine row of
// the bilinear interpolant of coarse rows c0, c1 (wx carry the column normalisation).
MS_SIMD_CLONES void interpolate_row(const float* MS_RESTRICT c0, const float* MS_RESTRICT c1, float wy0, float wy1,
                                    const int32_t* MS_RESTRICT x0, const float* MS_RESTRICT wx0,
                                    const float* MS_RESTRICT wx1, int64_t n, float* MS_RESTRICT row) {
  for (int64_t x = 0; x < n; ++x) {
    const int32_t k = x0[x];
    row[x] = wy0 * (wx0[x] * c0[k] + wx1[x] * c0[k + 1]) + wy1 * (wx0[x] * c1[k] + wx1[x] * c1[k + 1]);
  }
}

// The coarse-grid geometry of the parenchyma field and its normalisation (shared by all samples).
struct TextureGrid {
  int64_t step = 1, hc = 0, wc = 0, margin = 0;
  double coarse_sigma = 0;
  float scale = 1;  // 1 / s_tex
  // Per fine row / column: coarse index i0 (in the interior, without the margin) and the two
  // normalised weights (index i0 + 1 is kept inside the grid; its weight is 0 there).
  std::vector<int32_t> y0, x0;
  std::vector<float> wy0, wy1, wx0, wx1;

  TextureGrid(int64_t height, int64_t width, double sigma) {
    step = clinical2d_texture_step(sigma);
    // With step 1 the grid is the image itself; otherwise at least 2 nodes per axis to interpolate.
    const int64_t least = step == 1 ? 1 : 2;
    hc = std::max(least, (height - 1 + step - 1) / step + 1);
    wc = std::max(least, (width - 1 + step - 1) / step + 1);
    coarse_sigma = sigma / static_cast<double>(step);
    margin = static_cast<int64_t>(std::ceil(3.0 * coarse_sigma));
    const std::vector<double> w = gaussian_kernel1d(coarse_sigma, kTruncate);
    double sum2 = 0, lag1 = 0;
    for (size_t k = 0; k < w.size(); ++k) {
      sum2 += w[k] * w[k];
      if (k + 1 < w.size()) lag1 += w[k] * w[k + 1];
    }
    scale = static_cast<float>(1.0 / sum2);
    const double rho1 = lag1 / sum2;
    axis(height, hc, rho1, y0, wy0, wy1);
    axis(width, wc, rho1, x0, wx0, wx1);
  }

  int64_t padded_w() const { return wc + 2 * margin; }
  int64_t padded_count() const { return (hc + 2 * margin) * padded_w(); }
  // The interior node (0, 0) in a padded grid.
  const float* interior(const float* padded) const { return padded + margin * padded_w() + margin; }

  void axis(int64_t n, int64_t coarse, double rho1, std::vector<int32_t>& i0, std::vector<float>& w0,
            std::vector<float>& w1) const {
    i0.resize(static_cast<size_t>(n));
    w0.resize(static_cast<size_t>(n));
    w1.resize(static_cast<size_t>(n));
    for (int64_t p = 0; p < n; ++p) {
      const int64_t i = std::min(p / step, coarse - 1);
      const double t = static_cast<double>(p - i * step) / static_cast<double>(step);
      const double sd = std::sqrt((1 - t) * (1 - t) + t * t + 2 * t * (1 - t) * rho1);
      // Keep i + 1 inside the grid: where it would leave it, t is 0 and i steps back by one.
      const bool last = i + 1 >= coarse;
      i0[static_cast<size_t>(p)] = static_cast<int32_t>(last ? i - 1 : i);
      w0[static_cast<size_t>(p)] = static_cast<float>(last ? 0.0 : (1 - t) / sd);
      w1[static_cast<size_t>(p)] = static_cast<float>(last ? 1.0 : t / sd);
    }
  }
};

struct LesionShape {
  float cx, cy, radius, contrast, inv_edge;
  float cos_psi, sin_psi, inv_sqrt_e, sqrt_e;
  float lobe[6];  // α3, β3, α4, β4, α5, β5
};

// Adds the lesion to pixels [x0, x1) of row y (the row starts at `row`, index 0 = x 0).
MS_SIMD_CLONES void lesion_row(const LesionShape& s, int64_t y, int64_t x0, int64_t x1, float* MS_RESTRICT row) {
  const float dy = static_cast<float>(y) - s.cy;
  for (int64_t x = x0; x < x1; ++x) {
    const float dx = static_cast<float>(x) - s.cx;
    const float u = (s.cos_psi * dx + s.sin_psi * dy) * s.inv_sqrt_e;
    const float v = (s.cos_psi * dy - s.sin_psi * dx) * s.sqrt_e;
    const float rho = fm::fsqrt(u * u + v * v);
    const bool centre = rho < 1e-6f;
    const float c1 = centre ? 1.0f : u / rho;
    const float s1 = centre ? 0.0f : v / rho;
    // cos kθ + i sin kθ = (c1 + i s1)^k.
    const float c2 = c1 * c1 - s1 * s1, s2 = 2.0f * c1 * s1;
    const float c3 = c2 * c1 - s2 * s1, s3 = c2 * s1 + s2 * c1;
    const float c4 = c2 * c2 - s2 * s2, s4 = 2.0f * c2 * s2;
    const float c5 = c4 * c1 - s4 * s1, s5 = c4 * s1 + s4 * c1;
    const float outline = s.radius * (1.0f + s.lobe[0] * c3 + s.lobe[1] * s3 + s.lobe[2] * c4 +
                                      s.lobe[3] * s4 + s.lobe[4] * c5 + s.lobe[5] * s5);
    row[x] += s.contrast / (1.0f + fm::fast_exp((rho - outline) * s.inv_edge));
  }
}

void draw_lesion(const double* p, const Clinical2dOptions& o, float* image) {
  LesionShape s;
  s.cx = static_cast<float>(p[kC2Cx]);
  s.cy = static_cast<float>(p[kC2Cy]);
  s.radius = static_cast<float>(p[kC2Radius]);
  s.contrast = static_cast<float>(p[kC2Contrast]);
  s.inv_edge = static_cast<float>(1.0 / o.lesion_edge);
  s.cos_psi = static_cast<float>(std::cos(p[kC2Orientation]));
  s.sin_psi = static_cast<float>(std::sin(p[kC2Orientation]));
  const double sqrt_e = std::sqrt(p[kC2Elongation]);
  s.sqrt_e = static_cast<float>(sqrt_e);
  s.inv_sqrt_e = static_cast<float>(1.0 / sqrt_e);
  double lobes = 0;
  for (int k = 0; k < 3; ++k) {
    s.lobe[2 * k] = static_cast<float>(p[kC2Lobe3c + 2 * k]);
    s.lobe[2 * k + 1] = static_cast<float>(p[kC2Lobe3s + 2 * k]);
    lobes += std::hypot(p[kC2Lobe3c + 2 * k], p[kC2Lobe3s + 2 * k]);
  }
  // Farthest reach from the centre in image coordinates: the outline's largest radius in (u, v),
  // stretched by at most √e, plus the logistic tail.
  const double reach = (p[kC2Radius] * (1.0 + lobes) + kLesionTail * o.lesion_edge) * sqrt_e;
  const int64_t x0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(p[kC2Cx] - reach)));
  const int64_t x1 = std::min<int64_t>(o.width, static_cast<int64_t>(std::ceil(p[kC2Cx] + reach)) + 1);
  const int64_t y0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(p[kC2Cy] - reach)));
  const int64_t y1 = std::min<int64_t>(o.height, static_cast<int64_t>(std::ceil(p[kC2Cy] + reach)) + 1);
  for (int64_t y = y0; y < y1; ++y) {
    if (x0 < x1) lesion_row(s, y, x0, x1, image + y * o.width);
  }
}

void check_row(const double* p, int64_t j) {
  const std::string at = " (sample row " + std::to_string(j) + ")";
  for (int k = 0; k < kClinical2dStride; ++k) require(std::isfinite(p[k]), "clinical2d parameters must be finite" + at);
  require(p[kC2Index] >= 0 && p[kC2Index] <= 4294967295.0 && p[kC2Index] == std::floor(p[kC2Index]),
          "clinical2d sample index must be an integer in [0, 2^32)" + at);
  require(p[kC2PsfSigma] >= 0 && p[kC2PsfSigma] <= 1000, "clinical2d PSF sigma must be in [0, 1000]" + at);
  if (p[kC2Contrast] != 0) {
    require(p[kC2Radius] > 0 && p[kC2Radius] <= 1e6, "clinical2d lesion radius must be in (0, 1e6]" + at);
    require(p[kC2Elongation] >= 1 && p[kC2Elongation] <= 100, "clinical2d elongation must be in [1, 100]" + at);
    require(std::fabs(p[kC2Cx]) <= 1e7 && std::fabs(p[kC2Cy]) <= 1e7, "clinical2d lesion centre out of range" + at);
  }
}

struct Scratch {
  std::vector<float> a, b, row;
};

float* grow(std::vector<float>& v, int64_t n) {
  if (v.size() < static_cast<size_t>(n)) v.resize(static_cast<size_t>(n));
  return v.data();
}

}  // namespace

int64_t clinical2d_texture_step(double texture_sigma) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::floor(texture_sigma / 3.0)));
}

void render_clinical2d(const Clinical2dOptions& o, const double* params, int64_t n, float* out) {
  require(n >= 0, "clinical2d sample count must be >= 0");
  require(o.height >= 1 && o.width >= 1 && o.height <= (1 << 16) && o.width <= (1 << 16),
          "clinical2d image size must be in [1, 65536] per axis");
  require(o.texture_sigma > 0 && o.texture_sigma <= 1000, "clinical2d texture sigma must be in (0, 1000]");
  require(o.texture_edge > 0 && std::isfinite(o.texture_edge), "clinical2d texture edge must be > 0");
  require(o.lesion_edge > 0 && std::isfinite(o.lesion_edge), "clinical2d lesion edge must be > 0");
  require(o.noise_sigma >= 0 && o.noise_sigma <= 3.4e38, "clinical2d noise sigma must be >= 0");
  for (int64_t j = 0; j < n; ++j) check_row(params + j * kClinical2dStride, j);

  const int64_t plane = o.height * o.width;
  const TextureGrid grid(o.height, o.width, o.texture_sigma);
  const int64_t coarse = grid.padded_count();
  const int64_t pw = grid.padded_w();
  const float inv_edge = static_cast<float>(1.0 / o.texture_edge);
  const double texture_sigma[3] = {0.0, grid.coarse_sigma, grid.coarse_sigma};

  parallel_for(n, 1, [&](int64_t begin, int64_t end) {
    thread_local Scratch scratch;
    float* a = grow(scratch.a, std::max(plane, coarse));
    float* b = grow(scratch.b, coarse);
    float* row = grow(scratch.row, o.width);
    for (int64_t j = begin; j < end; ++j) {
      const double* p = params + j * kClinical2dStride;
      float* image = out + j * plane;
      const auto index = static_cast<uint32_t>(p[kC2Index]);
      const float t = static_cast<float>(p[kC2Threshold]);
      const float b0 = static_cast<float>(p[kC2Fat]), b1 = static_cast<float>(p[kC2Dense]),
                  b2 = static_cast<float>(p[kC2Fine]);

      normal_noise(NoiseKey{o.seed, index, o.texture_stream}, a, coarse);
      gaussian_blur(a, b, 1, grid.hc + 2 * grid.margin, pw, texture_sigma, kTruncate);
      const float* field = grid.interior(b);
      for (int64_t y = 0; y < o.height; ++y) {
        const float* source = field + y * pw;
        if (grid.step > 1) {
          const float* c0 = field + static_cast<int64_t>(grid.y0[static_cast<size_t>(y)]) * pw;
          interpolate_row(c0, c0 + pw, grid.wy0[static_cast<size_t>(y)], grid.wy1[static_cast<size_t>(y)],
                          grid.x0.data(), grid.wx0.data(), grid.wx1.data(), o.width, row);
          source = row;
        }
        compose_background(source, image + y * o.width, o.width, grid.scale, t, inv_edge, b0, b1, b2);
      }
      if (p[kC2Contrast] != 0) draw_lesion(p, o, image);

      const NoiseKey noise{o.seed, index, o.noise_stream};
      if (p[kC2PsfSigma] > 0) {
        const double psf[3] = {0.0, p[kC2PsfSigma], p[kC2PsfSigma]};
        gaussian_blur(image, a, 1, o.height, o.width, psf, kTruncate);
        gaussian_noise(a, image, plane, static_cast<float>(o.noise_sigma), noise);
      } else {
        gaussian_noise(image, image, plane, static_cast<float>(o.noise_sigma), noise);
      }
    }
  });
}

}  // namespace ms
