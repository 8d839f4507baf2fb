#include "nn/linear.h"

#include <algorithm>

#include "core/error.h"
#include "core/thread_pool.h"
#include "nn/gemm.h"

namespace ms {

void linear_forward(const float* x, const float* w, const float* b, int64_t n, int64_t in, int64_t out, float* y) {
  require(n >= 1 && in >= 1 && out >= 1, "linear: sizes must be >= 1");
  sgemm(false, true, n, out, in, 1.0f, x, in, w, in, 0.0f, y, out);
  if (!b) return;
  parallel_for(n, std::max<int64_t>(1, 16384 / out), [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float* yi = y + i * out;
      for (int64_t o = 0; o < out; ++o) yi[o] += b[o];
    }
  });
}

}  // namespace ms
