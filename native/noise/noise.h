// Voxel noise keyed by Philox: every voxel's value is a pure function of (seed, sample, stream,
// voxel index), so a volume comes out the same on any thread count, in any chunking, and on the
// CUDA twins. The draws themselves are defined in noise/noise_draws.h.
#pragma once

#include <cstdint>

namespace ms {

struct NoiseKey {
  uint64_t seed = 0;
  uint32_t sample = 0;
  uint32_t stream = 0;
};

// out[m] = N[m], m in [0, n): the raw standard normals of the key's normal sequence.
// The parameter checks of the noise kernels, shared with their CUDA twins: sigma finite and >= 0;
// Poisson: at most 2^32 voxels (its counter space) and a finite scale > 0.
void check_noise_sigma(float sigma);
void check_poisson(int64_t n, double scale);

void normal_noise(const NoiseKey& key, float* out, int64_t n);

// out[v] = in[v] + sigma·N[v]. out may alias in. sigma >= 0 finite.
void gaussian_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key);

// Magnitude of complex Gaussian noise (MR): out[v] = sqrt((in[v] + sigma·N[2v])² + (sigma·N[2v+1])²).
// out may alias in. sigma >= 0 finite.
void rician_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key);

// Photon-count noise: out[v] = Poisson(λ)·(1/scale) with λ = max(in[v], 0)·scale (`scale` counts
// per unit of intensity, > 0 finite); a NaN voxel stays NaN. out may alias in. n <= 2^32
// (voxel v inverts the Poisson CDF at one uniform: word v & 3 of Philox counter v >> 2).
void poisson_noise(const float* in, float* out, int64_t n, double scale, const NoiseKey& key);

}  // namespace ms
