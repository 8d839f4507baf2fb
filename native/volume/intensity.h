// Elementwise intensity steps a generator needs between kernels: window/level, affine rescale,
// clamp, and casts with rounding. Plain reference semantics; `out` may alias `in`.
#pragma once

#include <algorithm>
#include <cstdint>

namespace ms {

// out = clamp((in - (center - width/2)) / width, 0, 1) * (out_max - out_min) + out_min
// window_level as an affine map clamped to [lo, hi] (both devices compute it here, in float).
struct WindowMap {
  float scale, offset, lo, hi;
};
inline WindowMap window_map(float center, float width, float out_min, float out_max) {
  const float scale = (out_max - out_min) / width;
  return {scale, out_min - (center - 0.5f * width) * scale, std::min(out_min, out_max), std::max(out_min, out_max)};
}

void window_level(const float* in, float* out, int64_t n, float center, float width, float out_min,
                  float out_max);

// out = in * scale + offset
void affine(const float* in, float* out, int64_t n, float scale, float offset);

// out = min(max(in, lo), hi)
void clamp(const float* in, float* out, int64_t n, float lo, float hi);

// out = saturate(round_half_away_from_zero(in * scale + offset)); NaN becomes 0.
void cast_u8(const float* in, uint8_t* out, int64_t n, float scale, float offset);
void cast_i16(const float* in, int16_t* out, int64_t n, float scale, float offset);

}  // namespace ms
