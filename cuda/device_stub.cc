// ms::cuda in a build without CUDA: cuda_info() says so and every kernel throws
// CUDA_UNAVAILABLE, so callers need no #ifdef and 'auto' can fall back to the CPU.
#include "cuda/device.h"
#include "core/error.h"

namespace ms {
namespace cuda {
namespace {

const char* const kReason =
    "this medsynth binary was built without CUDA (no CUDA compiler at build time, or MEDSYNTH_CUDA=OFF)";

[[noreturn]] void unavailable() { throw Error("CUDA_UNAVAILABLE", kReason); }

}  // namespace

CudaInfo cuda_info() {
  CudaInfo info;
  info.reason = kReason;
  return info;
}

void set_memory_limit(uint64_t) {}
uint64_t memory_limit() { return 0; }
uint64_t memory_in_use() { return 0; }
void release_cached_memory() {}
CallTiming last_call_timing() { return {}; }
double measure_copy_bandwidth(uint64_t, int) { unavailable(); }

void window_level(const float*, float*, int64_t, float, float, float, float) { unavailable(); }
void affine(const float*, float*, int64_t, float, float) { unavailable(); }
void clamp(const float*, float*, int64_t, float, float) { unavailable(); }
void cast_u8(const float*, uint8_t*, int64_t, float, float) { unavailable(); }
void cast_i16(const float*, int16_t*, int64_t, float, float) { unavailable(); }
void gaussian_blur(const float*, float*, int64_t, int64_t, int64_t, const double*, double) { unavailable(); }
void bias_field(const float*, float*, int64_t, int64_t, int64_t, int, const double*, int64_t) { unavailable(); }
void normal_noise(const NoiseKey&, float*, int64_t) { unavailable(); }
void gaussian_noise(const float*, float*, int64_t, float, const NoiseKey&) { unavailable(); }
void rician_noise(const float*, float*, int64_t, float, const NoiseKey&) { unavailable(); }
void poisson_noise(const float*, float*, int64_t, double, const NoiseKey&) { unavailable(); }
void rasterize(const std::vector<RasterShape>&, const RasterTargets&, double*) { unavailable(); }
void render_volume_sample(const VolumeSampleSpec&, const VolumeSampleTargets&) { unavailable(); }

}  // namespace cuda
}  // namespace ms
