// The CUDA twins of the native kernels, callable from plain C++ (the bindings, tools/gpu_check)
// without CUDA headers. Same names and signatures as the CPU kernels, in namespace ms::cuda; every
// pointer is host memory: a call stages its input through pinned memory to the device, runs the
// kernel there and copies the result back, reusing device buffers from call to call.
//
// Built from cuda/<domain>/*.cu (the same folders as native/) when CMake finds nvcc; a CPU-only
// build links cuda/device_stub.cc, where cuda_info() says why CUDA is unavailable and every
// kernel throws CUDA_UNAVAILABLE.
//
// Errors (ms::Error codes): CUDA_UNAVAILABLE (no driver, no device, unsupported device),
// CUDA_ERROR (a CUDA call failed; the message names the call and the error code), OUT_OF_MEMORY
// (device or pinned memory exhausted, or the limit set by set_memory_limit), INVALID_ARGUMENT
// (the same checks as the CPU kernel). Nothing here aborts the process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "noise/noise.h"
#include "render/volume_sample.h"
#include "volume/rasterize.h"

namespace ms {
namespace cuda {

struct CudaInfo {
  bool compiled = false;   // this binary contains the CUDA backend
  bool available = false;  // a usable device was found (compiled and a device and a driver)
  std::string reason;      // why not, when !available: one line
  int device_count = 0;
  int device = -1;  // the device medsynth uses (the first visible one)
  std::string name;
  int cc_major = 0, cc_minor = 0;
  int multiprocessors = 0;
  uint64_t total_memory = 0, free_memory = 0;  // bytes
  int runtime_version = 0, driver_version = 0;  // 1000 * major + 10 * minor
};

// Probes the driver and device once per process (later calls refresh free_memory only).
CudaInfo cuda_info();

// Caps the device memory medsynth's buffers may hold, in bytes (0: no cap, the default). A call
// that would need more fails with OUT_OF_MEMORY instead of taking memory another program (a
// training job on the same GPU) needs. Cached buffers above the new cap are freed when idle.
void set_memory_limit(uint64_t bytes);
uint64_t memory_limit();
// Device bytes medsynth's buffers hold now (cached between calls).
uint64_t memory_in_use();
// Frees every cached device buffer and pinned staging buffer that no call is using.
void release_cached_memory();

// Where the time of one call went, in milliseconds: device_ms is the kernels alone (CUDA
// events), upload_ms and download_ms the staged copies (host wall clock), total_ms the whole call.
struct CallTiming {
  double device_ms = 0, upload_ms = 0, download_ms = 0, total_ms = 0;
};
// The timing of the calling thread's most recent ms::cuda kernel call.
CallTiming last_call_timing();

// Device-to-device copy bandwidth in GB/s (bytes read + bytes written per second), the best of
// `repeats` copies of `bytes`: the ceiling an elementwise kernel can approach.
double measure_copy_bandwidth(uint64_t bytes, int repeats);

// ---- kernels: see the CPU declarations for the semantics --------------------------------------
// volume/intensity.h
void window_level(const float* in, float* out, int64_t n, float center, float width, float out_min,
                  float out_max);
void affine(const float* in, float* out, int64_t n, float scale, float offset);
void clamp(const float* in, float* out, int64_t n, float lo, float hi);
void cast_u8(const float* in, uint8_t* out, int64_t n, float scale, float offset);
void cast_i16(const float* in, int16_t* out, int64_t n, float scale, float offset);
// filter/gaussian_blur.h
void gaussian_blur(const float* in, float* out, int64_t nz, int64_t ny, int64_t nx,
                   const double sigma[3], double truncate);
// field/bias_field.h
void bias_field(const float* in, float* out, int64_t nz, int64_t ny, int64_t nx, int order,
                const double* coefficients, int64_t coefficient_count);
// noise/noise.h
void normal_noise(const NoiseKey& key, float* out, int64_t n);
void gaussian_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key);
void rician_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key);
void poisson_noise(const float* in, float* out, int64_t n, double scale, const NoiseKey& key);
// volume/rasterize.h
void rasterize(const std::vector<RasterShape>& shapes, const RasterTargets& targets,
               double* coverage_sum);

// ---- a whole sample on the device ----------------------------------------------------------------
// render/volume_sample.h's chain, on the device with one copy back of each output (the labels
// while the rest still runs). targets.work is not used.
void render_volume_sample(const VolumeSampleSpec& spec, const VolumeSampleTargets& targets);

}  // namespace cuda
}  // namespace ms
