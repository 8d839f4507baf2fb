// The intensity steps on the device (volume/intensity.cu).
// Device-pointer launchers, shared by the host-pointer entry point of cuda/device.h and by the
// whole-sample chain (cuda/render/volume_sample.cu). Everything is queued on the given stream;
// nothing here waits for the device.
#pragma once

#include <cstdint>

#include "cuda/core/runtime.cuh"

namespace ms {
namespace cuda {

// out = min(max(in * scale + offset, lo), hi) with the CPU's min/max (NaN passes through).
void launch_affine_clamp(const float* in, float* out, int64_t n, float scale, float offset, float lo, float hi,
                         cudaStream_t stream);
void launch_affine(const float* in, float* out, int64_t n, float scale, float offset, cudaStream_t stream);
void launch_cast_u8(const float* in, uint8_t* out, int64_t n, float scale, float offset, cudaStream_t stream);
void launch_cast_i16(const float* in, int16_t* out, int64_t n, float scale, float offset, cudaStream_t stream);

}  // namespace cuda
}  // namespace ms
