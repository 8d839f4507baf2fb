// The rasterizer on the device (volume/rasterize.cu).
// Device-pointer launchers, shared by the host-pointer entry point of cuda/device.h and by the
// whole-sample chain (cuda/render/volume_sample.cu). Everything is queued on the given stream;
// nothing here waits for the device.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "cuda/core/runtime.cuh"

namespace ms {
namespace cuda {

struct RasterJob;  // shapes prepared for the device
struct RasterJobDeleter {
  void operator()(RasterJob* job) const;
};
// Checks the shapes as the CPU kernel does and prepares them; then uploads them and zeroes the
// coverage counters (before kernels_begin).
std::unique_ptr<RasterJob, RasterJobDeleter> plan_raster(const std::vector<RasterShape>& shapes,
                                                         const RasterTargets& targets);
void upload_raster(Slot& s, RasterJob& job);
// Paints into the device targets (either may be null) in shape order.
void launch_raster(Slot& s, const RasterJob& job, float* intensity, uint8_t* labels);
// After the kernels: coverage_sum[i] for each shape (downloads the counters on `stream`).
void read_coverage(Slot& s, cudaStream_t stream, const RasterJob& job, double* coverage_sum);

}  // namespace cuda
}  // namespace ms
