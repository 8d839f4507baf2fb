#include "render/volume_sample.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "field/bias_field.h"
#include "filter/gaussian_blur.h"
#include "volume/intensity.h"

namespace ms {

void check_volume_sample(const VolumeSampleSpec& spec, const VolumeSampleTargets& targets) {
  require(spec.z >= 1 && spec.y >= 1 && spec.x >= 1, "dims must be positive");
  require(targets.image != nullptr, "a volume sample needs an image target");
  require(spec.label_priority.size() == 256, "the label priority table must have 256 entries");
  if (spec.blur) {
    for (double s : spec.blur_sigma) gaussian_radius(s, spec.blur_truncate);
  }
  if (spec.bias_order >= 0) {
    check_bias_field(spec.bias_order, spec.bias_coefficients.data(), static_cast<int64_t>(spec.bias_coefficients.size()));
  }
  switch (spec.noise) {
    case NoiseKind::kNone:
      break;
    case NoiseKind::kGaussian:
    case NoiseKind::kRician:
      check_noise_sigma(spec.noise_sigma);
      break;
    case NoiseKind::kPoisson:
      check_poisson(spec.z * spec.y * spec.x, spec.poisson_scale);
      break;
    default:
      throw Error("INVALID_ARGUMENT", "unknown noise kind");
  }
  require(spec.image_type == ImageType::kFloat32 || spec.image_type == ImageType::kUint8 ||
              spec.image_type == ImageType::kInt16,
          "unknown image type");
}

void render_volume_sample(const VolumeSampleSpec& spec, const VolumeSampleTargets& targets) {
  check_volume_sample(spec, targets);
  const int64_t n = spec.z * spec.y * spec.x;
  std::vector<float> own;
  float* v = spec.image_type == ImageType::kFloat32 ? static_cast<float*>(targets.image) : targets.work;
  if (v == nullptr) {
    own.resize(static_cast<size_t>(n));
    v = own.data();
  }
  std::fill(v, v + n, 0.0f);
  if (targets.labels != nullptr) std::fill(targets.labels, targets.labels + n, uint8_t{0});

  if (!spec.shapes.empty()) {
    RasterTargets raster;
    raster.z = spec.z;
    raster.y = spec.y;
    raster.x = spec.x;
    raster.intensity = v;
    raster.labels = targets.labels;
    raster.label_priority = spec.label_priority.data();
    std::vector<double> coverage(spec.shapes.size());
    rasterize(spec.shapes, raster, targets.coverage_sum != nullptr ? targets.coverage_sum : coverage.data());
  }
  if (spec.blur) gaussian_blur(v, v, spec.z, spec.y, spec.x, spec.blur_sigma, spec.blur_truncate);
  if (spec.bias_order >= 0) {
    bias_field(v, v, spec.z, spec.y, spec.x, spec.bias_order, spec.bias_coefficients.data(),
               static_cast<int64_t>(spec.bias_coefficients.size()));
  }
  switch (spec.noise) {
    case NoiseKind::kGaussian:
      gaussian_noise(v, v, n, spec.noise_sigma, spec.noise_key);
      break;
    case NoiseKind::kRician:
      rician_noise(v, v, n, spec.noise_sigma, spec.noise_key);
      break;
    case NoiseKind::kPoisson:
      poisson_noise(v, v, n, spec.poisson_scale, spec.noise_key);
      break;
    case NoiseKind::kNone:
      break;
  }
  if (spec.image_type == ImageType::kUint8) {
    cast_u8(v, static_cast<uint8_t*>(targets.image), n, spec.cast_scale, spec.cast_offset);
  } else if (spec.image_type == ImageType::kInt16) {
    cast_i16(v, static_cast<int16_t*>(targets.image), n, spec.cast_scale, spec.cast_offset);
  }
}

}  // namespace ms
