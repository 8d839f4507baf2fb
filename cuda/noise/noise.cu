// CUDA twins of noise/noise.h. The draws are noise/noise_draws.h's functions (Philox from
// core/philox.h, Box–Muller on core/fastmath.h, Poisson by inversion), evaluated per thread:
//   normal, gaussian: one thread per Philox counter q, i.e. the four normals N[4q .. 4q + 3]
//   rician:           one thread per counter q, i.e. voxels 2q and 2q + 1 (N[2v], N[2v + 1] each)
//   poisson:          one thread per voxel v, word v & 3 of counter v >> 2 (poisson_draw: the
//                     full float32 estimate, then the float64 steps where it is unsure)
// so a voxel sees the same Philox words as on the CPU.
#include <string>

#include "core/philox.h"
#include "cuda/noise/noise.cuh"
#include "noise/noise_draws.h"

namespace ms {
namespace cuda {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ void four_normals(const PhiloxStream& s, uint64_t q, float n[4]) {
  const Philox4 w = s.at(q);
  box_muller(w.v[0], w.v[1], n[0], n[1]);
  box_muller(w.v[2], w.v[3], n[2], n[3]);
}

// out[m] = N[m]. Base pointers from cudaMalloc are 16-byte aligned, so whole quads go as float4.
__global__ void normal_kernel(PhiloxStream s, float* out, int64_t n) {
  const int64_t quads = (n + 3) / 4;
  for (int64_t q = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; q < quads;
       q += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float v[4];
    four_normals(s, static_cast<uint64_t>(q), v);
    if (4 * q + 4 <= n) {
      reinterpret_cast<float4*>(out)[q] = make_float4(v[0], v[1], v[2], v[3]);
    } else {
      for (int64_t j = 0; 4 * q + j < n; ++j) out[4 * q + j] = v[j];
    }
  }
}

// out[v] = in[v] + sigma·N[v]; out may be in.
__global__ void gaussian_kernel(PhiloxStream s, const float* in, float* out, int64_t n, float sigma) {
  const int64_t quads = (n + 3) / 4;
  for (int64_t q = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; q < quads;
       q += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float v[4];
    four_normals(s, static_cast<uint64_t>(q), v);
    if (4 * q + 4 <= n) {
      const float4 x = reinterpret_cast<const float4*>(in)[q];
      reinterpret_cast<float4*>(out)[q] =
          make_float4(x.x + sigma * v[0], x.y + sigma * v[1], x.z + sigma * v[2], x.w + sigma * v[3]);
    } else {
      for (int64_t j = 0; 4 * q + j < n; ++j) out[4 * q + j] = in[4 * q + j] + sigma * v[j];
    }
  }
}

// out[v] = sqrt((in[v] + sigma·N[2v])² + (sigma·N[2v+1])²); out may be in.
__global__ void rician_kernel(PhiloxStream s, const float* in, float* out, int64_t n, float sigma) {
  const int64_t pairs = (n + 1) / 2;
  for (int64_t q = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; q < pairs;
       q += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float v[4];
    four_normals(s, static_cast<uint64_t>(q), v);
    for (int64_t j = 0; j < 2 && 2 * q + j < n; ++j) {
      const float re = in[2 * q + j] + sigma * v[2 * j], im = sigma * v[2 * j + 1];
      out[2 * q + j] = fm::fsqrt(re * re + im * im);
    }
  }
}

// out[v] = Poisson(max(in[v], 0)·scale)·(1/scale); NaN stays NaN; out may be in. n <= 2^32.
__global__ void poisson_kernel(PhiloxStream s, const float* in, float* out, int64_t n, double scale,
                               double inv_scale) {
  for (int64_t v = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; v < n;
       v += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const float x = in[v];
    if (x != x) {
      out[v] = x;
      continue;
    }
    const double k = poisson_draw(s, static_cast<uint32_t>(v), poisson_lambda(x, scale));
    out[v] = static_cast<float>(k * inv_scale);
  }
}

PhiloxStream stream_of(const NoiseKey& key) { return PhiloxStream::make(key.seed, key.sample, key.stream); }

// Uploads `in` (unless null), runs `launch(device_in, device_out, stream)`, downloads `out`.
template <typename Launch>
void run_noise(const float* in, float* out, int64_t n, Launch&& launch) {
  Lease lease;
  Slot& s = lease.slot();
  CallClock clock(s);
  float* d = n > 0 ? s.buffer<float>(kVolA, n, "the noise volume") : nullptr;
  if (in != nullptr && n > 0) upload(s, d, in, static_cast<size_t>(n) * sizeof(float));
  clock.uploaded();
  clock.kernels_begin();
  if (n > 0) launch(d, d, s.stream);
  clock.kernels_end();
  clock.kernels_wait();
  if (n > 0) download(s, s.stream, out, d, static_cast<size_t>(n) * sizeof(float));
  clock.finish();
}

}  // namespace

void launch_normal_noise(const NoiseKey& key, float* out, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  normal_kernel<<<grid_for((n + 3) / 4, kThreads), kThreads, 0, stream>>>(stream_of(key), out, n);
  MS_CUDA_LAUNCH("normal_kernel");
}

void launch_gaussian_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key,
                           cudaStream_t stream) {
  if (n == 0) return;
  gaussian_kernel<<<grid_for((n + 3) / 4, kThreads), kThreads, 0, stream>>>(stream_of(key), in, out, n, sigma);
  MS_CUDA_LAUNCH("gaussian_kernel");
}

void launch_rician_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key,
                         cudaStream_t stream) {
  if (n == 0) return;
  rician_kernel<<<grid_for((n + 1) / 2, kThreads), kThreads, 0, stream>>>(stream_of(key), in, out, n, sigma);
  MS_CUDA_LAUNCH("rician_kernel");
}

void launch_poisson_noise(const float* in, float* out, int64_t n, double scale, const NoiseKey& key,
                          cudaStream_t stream) {
  if (n == 0) return;
  poisson_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(stream_of(key), in, out, n, scale,
                                                                  poisson_inv_scale(scale));
  MS_CUDA_LAUNCH("poisson_kernel");
}

void normal_noise(const NoiseKey& key, float* out, int64_t n) {
  require(n >= 0, "normal count must be >= 0");
  run_noise(nullptr, out, n, [&](const float*, float* d, cudaStream_t st) { launch_normal_noise(key, d, n, st); });
}

void gaussian_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key) {
  require(n >= 0, "voxel count must be >= 0");
  check_noise_sigma(sigma);
  run_noise(in, out, n, [&](const float* d_in, float* d_out, cudaStream_t st) {
    launch_gaussian_noise(d_in, d_out, n, sigma, key, st);
  });
}

void rician_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key) {
  require(n >= 0, "voxel count must be >= 0");
  check_noise_sigma(sigma);
  run_noise(in, out, n, [&](const float* d_in, float* d_out, cudaStream_t st) {
    launch_rician_noise(d_in, d_out, n, sigma, key, st);
  });
}

void poisson_noise(const float* in, float* out, int64_t n, double scale, const NoiseKey& key) {
  check_poisson(n, scale);
  run_noise(in, out, n, [&](const float* d_in, float* d_out, cudaStream_t st) {
    launch_poisson_noise(d_in, d_out, n, scale, key, st);
  });
}

}  // namespace cuda
}  // namespace ms
