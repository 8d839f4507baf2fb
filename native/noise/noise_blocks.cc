#include "noise/noise_blocks.h"

#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#include <immintrin.h>
#endif

#include "core/simd.h"

namespace ms {
namespace noise_blocks {
namespace {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
// Floats before the first `align`-byte boundary of out (float arrays are 4-byte aligned).
MS_ALWAYS_INLINE int64_t floats_to_boundary(const float* out, int64_t n, uintptr_t align) {
  const uintptr_t bytes = (align - (reinterpret_cast<uintptr_t>(out) & (align - 1))) & (align - 1);
  return std::min<int64_t>(n, static_cast<int64_t>(bytes / sizeof(float)));
}

__attribute__((target("default"))) void stream_copy(float* out, const float* src, int64_t n) {
  int64_t i = floats_to_boundary(out, n, 16);
  std::memcpy(out, src, static_cast<size_t>(i) * sizeof(float));
  for (; i + 4 <= n; i += 4) _mm_stream_ps(out + i, _mm_loadu_ps(src + i));
  std::memcpy(out + i, src + i, static_cast<size_t>(n - i) * sizeof(float));
}

__attribute__((target("avx512f"))) void stream_copy(float* out, const float* src, int64_t n) {
  int64_t i = floats_to_boundary(out, n, 64);
  std::memcpy(out, src, static_cast<size_t>(i) * sizeof(float));
  for (; i + 16 <= n; i += 16) _mm512_stream_ps(out + i, _mm512_loadu_ps(src + i));
  std::memcpy(out + i, src + i, static_cast<size_t>(n - i) * sizeof(float));
}
#else
void stream_copy(float* out, const float* src, int64_t n) {
  std::memcpy(out, src, static_cast<size_t>(n) * sizeof(float));
}
#endif

}  // namespace

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
void stream_fence() { _mm_sfence(); }
#else
void stream_fence() {}
#endif

void put_block(float* out, const float* src, int64_t n, bool stream) {
  if (stream) {
    stream_copy(out, src, n);
  } else {
    std::memcpy(out, src, static_cast<size_t>(n) * sizeof(float));
  }
}

}  // namespace noise_blocks
}  // namespace ms
