// Point samplers shared by the warps and patch insertion (and, with MS_WARP_INLINE, their CUDA
// twins): trilinear with out-of-volume neighbours reading `fill` (scipy.ndimage's mode
// 'grid-constant'), and nearest neighbour at floor(p + 0.5).
#pragma once

#include <cmath>
#include <cstdint>

#include "core/simd.h"

// Inlined into each SIMD clone of the calling loop (MS_ALWAYS_INLINE) on the CPU.
#if defined(__CUDACC__)
#define MS_WARP_INLINE __host__ __device__ __forceinline__
#define MS_WARP_COUNT __host__ __device__
#else
#define MS_WARP_INLINE MS_ALWAYS_INLINE
#define MS_WARP_COUNT
#endif

namespace ms {

struct WarpDims {
  int64_t z = 1, y = 1, x = 1;
  MS_WARP_COUNT int64_t count() const { return z * y * x; }
};

MS_WARP_INLINE float lerp(float a, float b, float t) { return a + t * (b - a); }

MS_WARP_INLINE float trilinear(const float* in, const WarpDims& s, double pz, double py, double px, float fill) {
  const double fz = floor(pz), fy = floor(py), fx = floor(px);
  // Far outside (or NaN): fill. The comparisons are on doubles so huge coordinates cannot overflow.
  if (!(fz >= -1 && fz <= static_cast<double>(s.z - 1) && fy >= -1 && fy <= static_cast<double>(s.y - 1) && fx >= -1 &&
        fx <= static_cast<double>(s.x - 1))) {
    return fill;
  }
  const int64_t plane = s.y * s.x;
  const int64_t iz = static_cast<int64_t>(fz), iy = static_cast<int64_t>(fy), ix = static_cast<int64_t>(fx);
  const float tz = static_cast<float>(pz - fz), ty = static_cast<float>(py - fy), tx = static_cast<float>(px - fx);
  float v[8];
  if (iz >= 0 && iz + 1 < s.z && iy >= 0 && iy + 1 < s.y && ix >= 0 && ix + 1 < s.x) {
    const float* p = in + iz * plane + iy * s.x + ix;
    v[0] = p[0];
    v[1] = p[1];
    v[2] = p[s.x];
    v[3] = p[s.x + 1];
    v[4] = p[plane];
    v[5] = p[plane + 1];
    v[6] = p[plane + s.x];
    v[7] = p[plane + s.x + 1];
  } else {
    for (int k = 0; k < 8; ++k) {
      const int64_t z = iz + (k >> 2), y = iy + ((k >> 1) & 1), x = ix + (k & 1);
      const bool inside = z >= 0 && z < s.z && y >= 0 && y < s.y && x >= 0 && x < s.x;
      v[k] = inside ? in[z * plane + y * s.x + x] : fill;
    }
  }
  const float c00 = lerp(v[0], v[1], tx), c01 = lerp(v[2], v[3], tx);
  const float c10 = lerp(v[4], v[5], tx), c11 = lerp(v[6], v[7], tx);
  return lerp(lerp(c00, c01, ty), lerp(c10, c11, ty), tz);
}

template <typename T>
MS_WARP_INLINE T nearest(const T* in, const WarpDims& s, double pz, double py, double px, T fill) {
  const double fz = floor(pz + 0.5), fy = floor(py + 0.5), fx = floor(px + 0.5);
  const bool inside = fz >= 0 && fz <= static_cast<double>(s.z - 1) && fy >= 0 && fy <= static_cast<double>(s.y - 1) &&
                      fx >= 0 && fx <= static_cast<double>(s.x - 1);
  return inside ? in[(static_cast<int64_t>(fz) * s.y + static_cast<int64_t>(fy)) * s.x + static_cast<int64_t>(fx)] : fill;
}

}  // namespace ms
