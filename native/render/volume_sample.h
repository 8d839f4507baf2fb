// One synthetic volume in one call: the anatomy generator's chain
//   intensity = 0, labels = 0 → rasterize(shapes) → gaussian_blur (if blur) → bias_field (if
//   bias_order >= 0) → noise (unless kNone) → image = intensity cast to image_type
// with the parameters of the single kernels. This is the only place the CPU chain's order is
// written; its CUDA twin (cuda/render/volume_sample.cu, ms::cuda::render_volume_sample) runs the
// same steps on the device and equals it within the kernels' float tolerances.
#pragma once

#include <cstdint>
#include <vector>

#include "noise/noise.h"
#include "volume/rasterize.h"

namespace ms {

enum class NoiseKind : int32_t { kNone = 0, kGaussian = 1, kRician = 2, kPoisson = 3 };
enum class ImageType : int32_t { kFloat32 = 0, kUint8 = 1, kInt16 = 2 };

struct VolumeSampleSpec {
  int64_t z = 1, y = 1, x = 1;
  std::vector<RasterShape> shapes;
  std::vector<double> label_priority;  // 256 entries
  bool blur = false;
  double blur_sigma[3] = {0, 0, 0};  // voxels, [sz, sy, sx]
  double blur_truncate = 4.0;
  int bias_order = -1;  // -1: no bias field
  std::vector<double> bias_coefficients;
  NoiseKind noise = NoiseKind::kNone;
  float noise_sigma = 0;     // gaussian, rician
  double poisson_scale = 1;  // poisson
  NoiseKey noise_key;
  ImageType image_type = ImageType::kFloat32;
  float cast_scale = 1, cast_offset = 0;  // uint8 / int16: saturate(round(v * scale + offset))
};

struct VolumeSampleTargets {
  void* image = nullptr;           // z*y*x elements of image_type; required
  uint8_t* labels = nullptr;       // z*y*x labels, or null
  double* coverage_sum = nullptr;  // one per shape, or null
  // CPU only: z*y*x floats for the intensity of an integer image (allocated when null; a float32
  // image is its own intensity). The CUDA twin keeps the intensity on the device.
  float* work = nullptr;
};

// The checks both devices make before the first step (the kernels' own checks, made up front so
// a bad spec fails before any output is touched).
void check_volume_sample(const VolumeSampleSpec& spec, const VolumeSampleTargets& targets);

// Bytes per element of an image type.
inline int64_t image_element_size(ImageType t) { return t == ImageType::kFloat32 ? 4 : t == ImageType::kInt16 ? 2 : 1; }

// Runs the chain on the thread pool; the result does not depend on the thread count.
void render_volume_sample(const VolumeSampleSpec& spec, const VolumeSampleTargets& targets);

}  // namespace ms
