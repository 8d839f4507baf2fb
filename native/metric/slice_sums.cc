#include "metric/slice_sums.h"

#include <vector>

#include "core/batch_chunks.h"
#include "core/error.h"
#include "core/simd.h"

namespace ms {
namespace {

constexpr int64_t kChunk = 1 << 16;
constexpr int kLanes = 8;

struct Partial {
  double sum = 0, masked_sum = 0;
  int64_t masked_count = 0;
};

// Eight interleaved float64 accumulators (a fixed association that vectorises), added in lane
// order at the end; the tail goes to lane 0.
MS_SIMD_CLONES double sum_lanes(const float* MS_RESTRICT x, int64_t n) {
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) acc[j] += static_cast<double>(x[i + j]);
  }
  for (; i < n; ++i) acc[0] += static_cast<double>(x[i]);
  double s = 0;
  for (int j = 0; j < kLanes; ++j) s += acc[j];
  return s;
}

MS_SIMD_CLONES Partial masked_sum_lanes(const float* MS_RESTRICT x, const uint8_t* MS_RESTRICT mask, int64_t n) {
  double acc[kLanes] = {}, macc[kLanes] = {};
  int32_t cnt[kLanes] = {};  // a chunk holds at most 2^16 pixels
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) {
      const double v = static_cast<double>(x[i + j]);
      const bool in = mask[i + j] != 0;
      acc[j] += v;
      macc[j] += in ? v : 0.0;
      cnt[j] += in;
    }
  }
  for (; i < n; ++i) {
    const double v = static_cast<double>(x[i]);
    acc[0] += v;
    macc[0] += mask[i] != 0 ? v : 0.0;
    cnt[0] += mask[i] != 0;
  }
  Partial p;
  for (int j = 0; j < kLanes; ++j) {
    p.sum += acc[j];
    p.masked_sum += macc[j];
    p.masked_count += cnt[j];
  }
  return p;
}

}  // namespace

void slice_sums(const float* x, const uint8_t* mask, int64_t slices, int64_t plane, double* sum, double* masked_sum,
                double* masked_count) {
  require(slices >= 0 && plane >= 1, "slice_sums needs plane >= 1 and slices >= 0");
  if (slices == 0) return;
  const BatchChunks chunks(slices, plane, kChunk);
  std::vector<Partial> partial(static_cast<size_t>(chunks.tasks()));
  chunks.run([&](int64_t t, int64_t, int64_t begin, int64_t end) {
    if (mask) {
      partial[t] = masked_sum_lanes(x + begin, mask + begin, end - begin);
    } else {
      partial[t].sum = sum_lanes(x + begin, end - begin);
    }
  });
  for (int64_t s = 0; s < slices; ++s) {
    Partial total;
    for (int64_t k = 0; k < chunks.per_sample; ++k) {
      const Partial& p = partial[s * chunks.per_sample + k];
      total.sum += p.sum;
      total.masked_sum += p.masked_sum;
      total.masked_count += p.masked_count;
    }
    sum[s] = total.sum;
    if (mask) {
      masked_sum[s] = total.masked_sum;
      masked_count[s] = static_cast<double>(total.masked_count);
    }
  }
}

}  // namespace ms
