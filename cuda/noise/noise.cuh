// Voxel noise on the device (noise/noise.cu).
// Device-pointer launchers, shared by the host-pointer entry point of cuda/device.h and by the
// whole-sample chain (cuda/render/volume_sample.cu). Everything is queued on the given stream;
// nothing here waits for the device.
#pragma once

#include <cstdint>

#include "cuda/core/runtime.cuh"

namespace ms {
namespace cuda {

void launch_normal_noise(const NoiseKey& key, float* out, int64_t n, cudaStream_t stream);
void launch_gaussian_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key,
                           cudaStream_t stream);
void launch_rician_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key,
                         cudaStream_t stream);
void launch_poisson_noise(const float* in, float* out, int64_t n, double scale, const NoiseKey& key,
                          cudaStream_t stream);

}  // namespace cuda
}  // namespace ms
