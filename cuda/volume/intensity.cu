// CUDA twins of volume/intensity.h: window/level, affine, clamp and the rounding casts.
// Elementwise grid-stride kernels; the expressions are the CPU kernel's, including std::min/max's
// NaN behaviour, so results agree to the last bit wherever both sides fuse (or do not fuse) the
// multiply-add the same way.
#include <algorithm>
#include <type_traits>

#include "cuda/volume/intensity.cuh"
#include "volume/intensity.h"

namespace ms {
namespace cuda {
namespace {

constexpr int kThreads = 256;

// std::max(a, b) and std::min(a, b) exactly: a NaN `a` passes through (fmaxf would drop it).
__device__ __forceinline__ float std_max(float a, float b) { return a < b ? b : a; }
__device__ __forceinline__ float std_min(float a, float b) { return b < a ? b : a; }

// out may be in: each element is read, then written, by one thread.
__global__ void affine_clamp_kernel(const float* in, float* out, int64_t n, float scale, float offset, float lo,
                                    float hi) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    out[i] = std_min(std_max(in[i] * scale + offset, lo), hi);
  }
}

__global__ void affine_kernel(const float* in, float* out, int64_t n, float scale, float offset) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    out[i] = in[i] * scale + offset;
  }
}

// saturate(round half away from zero(v)), NaN -> 0; roundf rounds halves away from zero.
template <typename T>
__global__ void cast_kernel(const float* __restrict__ in, T* __restrict__ out, int64_t n, float scale, float offset,
                            float lo, float hi) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float v = in[i] * scale + offset;
    v = v == v ? v : 0.0f;
    out[i] = static_cast<T>(roundf(std_min(std_max(v, lo), hi)));
  }
}

// Uploads `in`, runs `launch(device_in, device_out, stream)` and downloads `out`.
template <typename TOut, typename Launch>
void elementwise(const float* in, TOut* out, int64_t n, Launch&& launch) {
  require(n >= 0, "element count must be >= 0");
  Lease lease;
  Slot& s = lease.slot();
  CallClock clock(s);
  if (n == 0) {
    clock.kernels_begin();
    clock.kernels_end();
    clock.kernels_wait();
    clock.finish();
    return;
  }
  float* d_in = s.buffer<float>(kVolA, n, "the input volume");
  TOut* d_out;
  if constexpr (std::is_same<TOut, float>::value) {
    d_out = d_in;  // elementwise: in place on the device
  } else {
    d_out = s.buffer<TOut>(kOut, n, "the output volume");
  }
  upload(s, d_in, in, static_cast<size_t>(n) * sizeof(float));
  clock.uploaded();
  clock.kernels_begin();
  launch(d_in, d_out, s.stream);
  clock.kernels_end();
  clock.kernels_wait();
  download(s, s.stream, out, d_out, static_cast<size_t>(n) * sizeof(TOut));
  clock.finish();
}

}  // namespace

void launch_affine_clamp(const float* in, float* out, int64_t n, float scale, float offset, float lo, float hi,
                         cudaStream_t stream) {
  if (n == 0) return;
  affine_clamp_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(in, out, n, scale, offset, lo, hi);
  MS_CUDA_LAUNCH("affine_clamp_kernel");
}

void launch_affine(const float* in, float* out, int64_t n, float scale, float offset, cudaStream_t stream) {
  if (n == 0) return;
  affine_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(in, out, n, scale, offset);
  MS_CUDA_LAUNCH("affine_kernel");
}

void launch_cast_u8(const float* in, uint8_t* out, int64_t n, float scale, float offset, cudaStream_t stream) {
  if (n == 0) return;
  cast_kernel<uint8_t><<<grid_for(n, kThreads), kThreads, 0, stream>>>(in, out, n, scale, offset, 0.0f, 255.0f);
  MS_CUDA_LAUNCH("cast_kernel<uint8_t>");
}

void launch_cast_i16(const float* in, int16_t* out, int64_t n, float scale, float offset, cudaStream_t stream) {
  if (n == 0) return;
  cast_kernel<int16_t><<<grid_for(n, kThreads), kThreads, 0, stream>>>(in, out, n, scale, offset, -32768.0f,
                                                                       32767.0f);
  MS_CUDA_LAUNCH("cast_kernel<int16_t>");
}

// The window maps [center - width/2, center + width/2] onto [out_min, out_max]: the CPU kernel's
// own map (volume/intensity.h, window_map).
void window_level(const float* in, float* out, int64_t n, float center, float width, float out_min,
                  float out_max) {
  const WindowMap m = window_map(center, width, out_min, out_max);
  elementwise(in, out, n, [&](const float* d_in, float* d_out, cudaStream_t st) {
    launch_affine_clamp(d_in, d_out, n, m.scale, m.offset, m.lo, m.hi, st);
  });
}

void affine(const float* in, float* out, int64_t n, float scale, float offset) {
  elementwise(in, out, n, [&](const float* d_in, float* d_out, cudaStream_t st) {
    launch_affine(d_in, d_out, n, scale, offset, st);
  });
}

void clamp(const float* in, float* out, int64_t n, float lo, float hi) {
  elementwise(in, out, n, [&](const float* d_in, float* d_out, cudaStream_t st) {
    launch_affine_clamp(d_in, d_out, n, 1.0f, 0.0f, lo, hi, st);
  });
}

void cast_u8(const float* in, uint8_t* out, int64_t n, float scale, float offset) {
  elementwise(in, out, n, [&](const float* d_in, uint8_t* d_out, cudaStream_t st) {
    launch_cast_u8(d_in, d_out, n, scale, offset, st);
  });
}

void cast_i16(const float* in, int16_t* out, int64_t n, float scale, float offset) {
  elementwise(in, out, n, [&](const float* d_in, int16_t* d_out, cudaStream_t st) {
    launch_cast_i16(d_in, d_out, n, scale, offset, st);
  });
}

}  // namespace cuda
}  // namespace ms
