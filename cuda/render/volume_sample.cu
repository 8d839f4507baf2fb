// A whole sample on the device (render/volume_sample.h's chain, device.h's render_volume_sample): rasterize → blur → bias field →
// noise → cast, on one stream, in the slot's cached buffers; the labels go back on the copy
// stream as soon as the rasterizer is done, overlapping the remaining kernels, and the image once
// the cast is done. Every step is the single-kernel launcher the twins use.
#include <string>

#include "cuda/field/bias_field.cuh"
#include "cuda/filter/gaussian_blur.cuh"
#include "cuda/noise/noise.cuh"
#include "cuda/volume/intensity.cuh"
#include "cuda/volume/rasterize.cuh"
#include "render/volume_sample.h"

namespace ms {
namespace cuda {

void render_volume_sample(const VolumeSampleSpec& spec, const VolumeSampleTargets& targets) {
  check_volume_sample(spec, targets);
  RasterTargets raster_targets;
  raster_targets.z = spec.z;
  raster_targets.y = spec.y;
  raster_targets.x = spec.x;
  raster_targets.labels = targets.labels;
  raster_targets.label_priority = spec.label_priority.data();
  auto raster = plan_raster(spec.shapes, raster_targets);
  BlurPlan blur;
  if (spec.blur) blur = plan_blur(spec.z, spec.y, spec.x, spec.blur_sigma, spec.blur_truncate);
  BiasPlan bias;
  if (spec.bias_order >= 0) {
    bias = plan_bias(spec.bias_order, spec.bias_coefficients.data(),
                     static_cast<int64_t>(spec.bias_coefficients.size()));
  }
  const int64_t n = spec.z * spec.y * spec.x;

  Lease lease;
  Slot& s = lease.slot();
  CallClock clock(s);
  float* a = s.buffer<float>(kVolA, n, "the sample's intensity volume");
  float* b = blur.any() ? s.buffer<float>(kVolB, n, "the sample's blur scratch volume") : a;
  uint8_t* labels = targets.labels != nullptr ? s.buffer<uint8_t>(kLabels, n, "the sample's label volume") : nullptr;
  const auto image_bytes = static_cast<size_t>(image_element_size(spec.image_type));
  void* image = spec.image_type == ImageType::kFloat32 ? nullptr : s.buffers[kOut].reserve(n * image_bytes, "the sample's image");
  upload_raster(s, *raster);
  if (blur.any()) upload_blur_tables(s, blur);
  clock.uploaded();

  clock.kernels_begin();
  MS_CUDA(cudaMemsetAsync(a, 0, static_cast<size_t>(n) * sizeof(float), s.stream));
  if (labels != nullptr) MS_CUDA(cudaMemsetAsync(labels, 0, static_cast<size_t>(n), s.stream));
  launch_raster(s, *raster, a, labels);
  // The labels and coverage are final here: the copy stream takes them while the rest runs.
  MS_CUDA(cudaEventRecord(s.mark, s.stream));
  MS_CUDA(cudaStreamWaitEvent(s.copy, s.mark, 0));

  float* cur = blur.any() ? launch_blur(s, blur, a, b) : a;
  if (spec.bias_order >= 0) launch_bias(s, bias, cur, cur, spec.z, spec.y, spec.x);
  switch (spec.noise) {
    case NoiseKind::kGaussian:
      launch_gaussian_noise(cur, cur, n, spec.noise_sigma, spec.noise_key, s.stream);
      break;
    case NoiseKind::kRician:
      launch_rician_noise(cur, cur, n, spec.noise_sigma, spec.noise_key, s.stream);
      break;
    case NoiseKind::kPoisson:
      launch_poisson_noise(cur, cur, n, spec.poisson_scale, spec.noise_key, s.stream);
      break;
    case NoiseKind::kNone:
      break;
  }
  if (spec.image_type == ImageType::kUint8) {
    launch_cast_u8(cur, static_cast<uint8_t*>(image), n, spec.cast_scale, spec.cast_offset, s.stream);
  } else if (spec.image_type == ImageType::kInt16) {
    launch_cast_i16(cur, static_cast<int16_t*>(image), n, spec.cast_scale, spec.cast_offset, s.stream);
  } else {
    image = cur;
  }
  clock.kernels_end();

  if (labels != nullptr) download(s, s.copy, targets.labels, labels, static_cast<size_t>(n));
  read_coverage(s, s.copy, *raster, targets.coverage_sum);
  clock.kernels_wait();
  download(s, s.stream, targets.image, image, static_cast<size_t>(n) * image_bytes);
  clock.finish();
}

}  // namespace cuda
}  // namespace ms
