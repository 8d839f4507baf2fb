// The Gaussian blur on the device (filter/gaussian_blur.cu).
// Device-pointer launchers, shared by the host-pointer entry point of cuda/device.h and by the
// whole-sample chain (cuda/render/volume_sample.cu). Everything is queued on the given stream;
// nothing here waits for the device.
#pragma once

#include <cstdint>
#include <vector>

#include "cuda/core/runtime.cuh"

namespace ms {
namespace cuda {

struct BlurAxis {
  int64_t n = 1;  // axis length
  int r = 0;      // radius; 0: the axis is left alone
  std::vector<float> taps;     // taps[k], k = 0..r, for |offset| k
  std::vector<int32_t> refl;   // refl[i + r] = reflect_index(i, n), i in [-r, n + r)
};

struct BlurPlan {
  BlurAxis z, y, x;
  bool any() const { return z.r > 0 || y.r > 0 || x.r > 0; }
};

// Checks the parameters as the CPU kernel does and builds the taps and reflect tables.
BlurPlan plan_blur(int64_t nz, int64_t ny, int64_t nx, const double sigma[3], double truncate);
// Copies the plan's tables to the slot's blur buffers (before kernels_begin).
void upload_blur_tables(Slot& s, const BlurPlan& plan);
// Blurs `a` (x, y, then z pass) ping-ponging with `b`; returns the buffer holding the result.
float* launch_blur(Slot& s, const BlurPlan& plan, float* a, float* b);

}  // namespace cuda
}  // namespace ms
