#include "volume/intensity.h"

#include <algorithm>
#include <cmath>

#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

constexpr int64_t kGrain = 1 << 16;

MS_SIMD_CLONES void affine_clamp_range(const float* in, float* out, int64_t n,
                                       float scale, float offset, float lo, float hi) {
  for (int64_t i = 0; i < n; ++i) out[i] = std::min(std::max(in[i] * scale + offset, lo), hi);
}

MS_SIMD_CLONES void affine_range(const float* in, float* out, int64_t n, float scale,
                                 float offset) {
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] * scale + offset;
}

template <typename T>
MS_ALWAYS_INLINE T round_saturate(float v, float lo, float hi) {
  v = v == v ? v : 0.0f;  // NaN -> 0
  v = std::min(std::max(v, lo), hi);
  // Round half away from zero. (v + 0.5 then trunc is wrong: 0.49999997f + 0.5f == 1.0f.)
  const float t = std::trunc(v);
  return static_cast<T>(std::fabs(v - t) >= 0.5f ? t + std::copysign(1.0f, v) : t);
}

MS_SIMD_CLONES void cast_u8_range(const float* MS_RESTRICT in, uint8_t* MS_RESTRICT out, int64_t n,
                                  float scale, float offset) {
  for (int64_t i = 0; i < n; ++i) out[i] = round_saturate<uint8_t>(in[i] * scale + offset, 0.0f, 255.0f);
}

MS_SIMD_CLONES void cast_i16_range(const float* MS_RESTRICT in, int16_t* MS_RESTRICT out, int64_t n,
                                   float scale, float offset) {
  for (int64_t i = 0; i < n; ++i) {
    out[i] = round_saturate<int16_t>(in[i] * scale + offset, -32768.0f, 32767.0f);
  }
}

}  // namespace

// Aliasing in == out is allowed: every element is read before it is written, by one thread.
void window_level(const float* in, float* out, int64_t n, float center, float width, float out_min,
                  float out_max) {
  const WindowMap m = window_map(center, width, out_min, out_max);
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    affine_clamp_range(in + b, out + b, e - b, m.scale, m.offset, m.lo, m.hi);
  });
}

void affine(const float* in, float* out, int64_t n, float scale, float offset) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) { affine_range(in + b, out + b, e - b, scale, offset); });
}

void clamp(const float* in, float* out, int64_t n, float lo, float hi) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    affine_clamp_range(in + b, out + b, e - b, 1.0f, 0.0f, lo, hi);
  });
}

void cast_u8(const float* in, uint8_t* out, int64_t n, float scale, float offset) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) { cast_u8_range(in + b, out + b, e - b, scale, offset); });
}

void cast_i16(const float* in, int16_t* out, int64_t n, float scale, float offset) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) { cast_i16_range(in + b, out + b, e - b, scale, offset); });
}

}  // namespace ms
