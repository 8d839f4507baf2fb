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

#include "field/bias_field.h"
#include "filter/gaussian_blur.h"
#include "noise/noise.h"
#include "render/volume_sample.h"
#include "volume/intensity.h"
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

// ---- kernels: the CPU kernels' own function types, so a twin's signature cannot drift ------------
// (see the CPU declarations for the semantics)
// volume/intensity.h
decltype(ms::window_level) window_level;
decltype(ms::affine) affine;
decltype(ms::clamp) clamp;
decltype(ms::cast_u8) cast_u8;
decltype(ms::cast_i16) cast_i16;
// filter/gaussian_blur.h
decltype(ms::gaussian_blur) gaussian_blur;
// field/bias_field.h
decltype(ms::bias_field) bias_field;
// noise/noise.h
decltype(ms::normal_noise) normal_noise;
decltype(ms::gaussian_noise) gaussian_noise;
decltype(ms::rician_noise) rician_noise;
decltype(ms::poisson_noise) poisson_noise;
// volume/rasterize.h
decltype(ms::rasterize) rasterize;

// ---- a whole sample on the device ----------------------------------------------------------------
// render/volume_sample.h's chain, on the device with one copy back of each output (the labels
// while the rest still runs). targets.work is not used.
decltype(ms::render_volume_sample) render_volume_sample;

}  // namespace cuda
}  // namespace ms
