// 16-lane float vectors (GCC vector extensions) for the hot loss loops. Inside an
// MS_SIMD_CLONES function GCC lowers them to one zmm register on AVX-512, two ymm on AVX2 and
// four xmm on the baseline clone — explicit lanes where auto-vectorisation of mixed
// float/double reductions falls back to scalar code and stack traffic.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/simd.h"

// These helpers are always inlined into the clone that uses them, so the vector-argument ABI
// that -Wpsabi warns about (it differs between the baseline and AVX-512) is never used.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace ms {

typedef float f32x16 __attribute__((vector_size(64)));
typedef float f32x8 __attribute__((vector_size(32)));
typedef double f64x8 __attribute__((vector_size(64)));
typedef int32_t i32x16 __attribute__((vector_size(64)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));

MS_ALWAYS_INLINE f32x16 load16(const float* p) {
  f32x16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

MS_ALWAYS_INLINE f32x16 load16(const uint8_t* p) {
  u8x16 b;
  std::memcpy(&b, p, sizeof b);
  return __builtin_convertvector(b, f32x16);
}

MS_ALWAYS_INLINE void store16(float* p, f32x16 v) { std::memcpy(p, &v, sizeof v); }

MS_ALWAYS_INLINE f32x16 splat16(float v) { return f32x16{} + v; }

// Lanes 0–7 and 8–15 widened to float64.
MS_ALWAYS_INLINE f64x8 low_f64(f32x16 v) {
  return __builtin_convertvector(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7), f64x8);
}
MS_ALWAYS_INLINE f64x8 high_f64(f32x16 v) {
  return __builtin_convertvector(__builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15), f64x8);
}

MS_ALWAYS_INLINE f32x16 min16(f32x16 a, f32x16 b) { return a < b ? a : b; }
MS_ALWAYS_INLINE f32x16 max16(f32x16 a, f32x16 b) { return a > b ? a : b; }

// The same operations on scalars, so one template serves the vector body and the tail.
MS_ALWAYS_INLINE float splat(float v, float) { return v; }
MS_ALWAYS_INLINE f32x16 splat(float v, f32x16) { return splat16(v); }
// NaN → 0: converting NaN to int is undefined behaviour (UBSan found the exponent shift of a NaN
// logit); the callers' results are NaN through their other operands anyway.
MS_ALWAYS_INLINE int32_t to_i32(float v) { return v == v ? static_cast<int32_t>(v) : 0; }
MS_ALWAYS_INLINE i32x16 to_i32(f32x16 v) { return __builtin_convertvector(v, i32x16); }
MS_ALWAYS_INLINE float bits_f32(int32_t v) {
  float f;
  std::memcpy(&f, &v, sizeof f);
  return f;
}
MS_ALWAYS_INLINE f32x16 bits_f32(i32x16 v) { return reinterpret_cast<f32x16>(v); }
MS_ALWAYS_INLINE float clamp_f(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }
MS_ALWAYS_INLINE f32x16 clamp_f(f32x16 v, float lo, float hi) { return min16(max16(v, splat16(lo)), splat16(hi)); }

}  // namespace ms

#pragma GCC diagnostic pop
