// The bias field on the device (field/bias_field.cu).
// Device-pointer launchers, shared by the host-pointer entry point of cuda/device.h and by the
// whole-sample chain (cuda/render/volume_sample.cu). Everything is queued on the given stream;
// nothing here waits for the device.
#pragma once

#include <cstdint>

#include "cuda/core/runtime.cuh"

namespace ms {
namespace cuda {

struct BiasPlan {
  int order = 0;
  double c[4][4][4] = {};  // c[i][j][k]: coefficient of X^i Y^j Z^k
};
BiasPlan plan_bias(int order, const double* coefficients, int64_t coefficient_count);
// out = in * field (in == nullptr: the field itself); out may be in.
void launch_bias(Slot& s, const BiasPlan& plan, const float* in, float* out, int64_t nz, int64_t ny, int64_t nx);

}  // namespace cuda
}  // namespace ms
