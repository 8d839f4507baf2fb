#include "volume/masked_gather.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

constexpr int64_t kChunk = 1 << 16;

MS_SIMD_CLONES int64_t count_set(const uint8_t* MS_RESTRICT mask, int64_t n) {
  int32_t c = 0;  // n <= kChunk
  for (int64_t i = 0; i < n; ++i) c += mask[i] != 0;
  return c;
}

void gather_range(const float* MS_RESTRICT x, const uint8_t* MS_RESTRICT mask, int64_t n, float* MS_RESTRICT out) {
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (mask[i] != 0) out[k++] = x[i];  // a write past the chunk's share would race its neighbour
  }
}

}  // namespace

void masked_gather(const float* x, const uint8_t* mask, int64_t n, float* out, int64_t out_length) {
  require(n >= 0 && out_length >= 0, "masked_gather needs n >= 0");
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<int64_t> start(static_cast<size_t>(chunks) + 1, 0);
  parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) start[c + 1] = count_set(mask + c * kChunk, std::min(n, (c + 1) * kChunk) - c * kChunk);
  });
  for (int64_t c = 0; c < chunks; ++c) start[c + 1] += start[c];
  require(start[chunks] == out_length, "out must hold " + std::to_string(start[chunks]) +
                                           " elements (the set mask bytes) but has " + std::to_string(out_length));
  parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t b = c * kChunk, e = std::min(n, b + kChunk);
      const int64_t kept = start[c + 1] - start[c];
      if (kept == e - b) {
        std::copy(x + b, x + e, out + start[c]);
      } else if (kept > 0) {
        gather_range(x + b, mask + b, e - b, out + start[c]);
      }
    }
  });
}

}  // namespace ms
