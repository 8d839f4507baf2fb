// Dropout kernels; see dropout.h.
#include "nn/dropout.h"

#include "core/philox.h"
#include "core/thread_pool.h"

namespace ms::nn {

void dropout_mask(uint64_t seed, uint32_t step, uint32_t layer, float p, int64_t count, float* mask) {
  const PhiloxStream stream = PhiloxStream::make(seed, step, layer);
  const float keep = 1.0f / (1.0f - p);
  const int64_t blocks = (count + 3) / 4;
  parallel_for(blocks, 4096, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const Philox4 words = stream.at(static_cast<uint64_t>(b));
      for (int64_t k = 0; k < 4 && b * 4 + k < count; ++k) {
        mask[b * 4 + k] = uniform_open01(words.v[k]) < p ? 0.0f : keep;
      }
    }
  });
}

void apply_mask(const float* x, const float* mask, int64_t groups, int64_t inner, float* y) {
  if (inner == 1) {
    parallel_for(groups, 16384, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) y[i] = x[i] * mask[i];
    });
    return;
  }
  const int64_t grain = inner >= 16384 ? 1 : 16384 / inner + 1;
  parallel_for(groups, grain, [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; ++g) {
      const float m = mask[g];
      const float* xg = x + g * inner;
      float* yg = y + g * inner;
      for (int64_t i = 0; i < inner; ++i) yg[i] = xg[i] * m;
    }
  });
}

}  // namespace ms::nn
