// Device-pointer launchers of the CUDA kernels, shared by the single-kernel entry points (each
// .cu file's ms::cuda::<kernel>, host pointers in and out) and the whole-sample pipeline.
// Everything is queued on the slot's stream; nothing here waits for the device.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/device.h"
#include "runtime.cuh"

namespace ms {
namespace cuda {

// ---- intensity (intensity.cu) ----------------------------------------------------------------------
// out = min(max(in * scale + offset, lo), hi) with the CPU's min/max (NaN passes through).
void launch_affine_clamp(const float* in, float* out, int64_t n, float scale, float offset, float lo, float hi,
                         cudaStream_t stream);
void launch_affine(const float* in, float* out, int64_t n, float scale, float offset, cudaStream_t stream);
void launch_cast_u8(const float* in, uint8_t* out, int64_t n, float scale, float offset, cudaStream_t stream);
void launch_cast_i16(const float* in, int16_t* out, int64_t n, float scale, float offset, cudaStream_t stream);

// ---- Gaussian blur (gaussian_blur.cu) --------------------------------------------------------------
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

// ---- bias field (bias_field.cu) --------------------------------------------------------------------
struct BiasPlan {
  int order = 0;
  double c[4][4][4] = {};  // c[i][j][k]: coefficient of X^i Y^j Z^k
};
BiasPlan plan_bias(int order, const double* coefficients, int64_t coefficient_count);
// out = in * field (in == nullptr: the field itself); out may be in.
void launch_bias(Slot& s, const BiasPlan& plan, const float* in, float* out, int64_t nz, int64_t ny, int64_t nx);

// ---- noise (noise.cu) ------------------------------------------------------------------------------
void launch_normal_noise(const NoiseKey& key, float* out, int64_t n, cudaStream_t stream);
void launch_gaussian_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key,
                           cudaStream_t stream);
void launch_rician_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key,
                         cudaStream_t stream);
void launch_poisson_noise(const float* in, float* out, int64_t n, double scale, const NoiseKey& key,
                          cudaStream_t stream);

// ---- rasterize (rasterize.cu) ----------------------------------------------------------------------
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
