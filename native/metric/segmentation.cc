#include "metric/segmentation.h"

#include <vector>

#include "core/error.h"
#include "core/simd.h"
#include "core/batch_chunks.h"

namespace ms {
namespace {

constexpr int64_t kChunk = 1 << 16;

struct ChunkCounts {
  int64_t tp = 0, fp = 0, fn = 0, nan = 0;
};

MS_ALWAYS_INLINE int foreground(float v, float threshold) { return v >= threshold; }
MS_ALWAYS_INLINE int foreground(uint8_t v, float) { return v != 0; }
MS_ALWAYS_INLINE int is_nan(float v) { return v != v; }
MS_ALWAYS_INLINE int is_nan(uint8_t) { return 0; }

// 32-bit lane counters are safe: a chunk holds at most 2^16 elements.
template <typename P, typename T>
MS_ALWAYS_INLINE ChunkCounts count_body(const P* MS_RESTRICT pred, const T* MS_RESTRICT target, int64_t n,
                                        float threshold) {
  int32_t tp = 0, fp = 0, fn = 0, nan = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int p = foreground(pred[i], threshold);
    const int g = foreground(target[i], 0.5f);
    tp += p & g;
    fp += p & (g ^ 1);
    fn += (p ^ 1) & g;
    nan += is_nan(pred[i]) | is_nan(target[i]);
  }
  return ChunkCounts{tp, fp, fn, nan};
}

MS_SIMD_CLONES ChunkCounts count_ff(const float* p, const float* t, int64_t n, float thr) { return count_body(p, t, n, thr); }
MS_SIMD_CLONES ChunkCounts count_fu(const float* p, const uint8_t* t, int64_t n, float thr) { return count_body(p, t, n, thr); }
MS_SIMD_CLONES ChunkCounts count_uf(const uint8_t* p, const float* t, int64_t n, float thr) { return count_body(p, t, n, thr); }
MS_SIMD_CLONES ChunkCounts count_uu(const uint8_t* p, const uint8_t* t, int64_t n, float thr) { return count_body(p, t, n, thr); }

ChunkCounts count_chunk(const float* p, const float* t, int64_t n, float thr) { return count_ff(p, t, n, thr); }
ChunkCounts count_chunk(const float* p, const uint8_t* t, int64_t n, float thr) { return count_fu(p, t, n, thr); }
ChunkCounts count_chunk(const uint8_t* p, const float* t, int64_t n, float thr) { return count_uf(p, t, n, thr); }
ChunkCounts count_chunk(const uint8_t* p, const uint8_t* t, int64_t n, float thr) { return count_uu(p, t, n, thr); }

}  // namespace

template <typename P, typename T>
void confusion_counts(const P* pred, const T* target, int64_t batch, int64_t size, float threshold,
                      ConfusionCounts* counts) {
  require(batch >= 1 && size >= 1, "batch and size must be >= 1");
  const BatchChunks chunks(batch, size, kChunk);
  std::vector<ChunkCounts> partial(static_cast<size_t>(chunks.tasks()));
  chunks.run([&](int64_t t, int64_t, int64_t begin, int64_t end) {
    partial[t] = count_chunk(pred + begin, target + begin, end - begin, threshold);
  });
  int64_t nan = 0;
  for (int64_t b = 0; b < batch; ++b) {
    ConfusionCounts c;
    for (int64_t k = 0; k < chunks.per_sample; ++k) {
      const ChunkCounts& p = partial[b * chunks.per_sample + k];
      c.tp += p.tp;
      c.fp += p.fp;
      c.fn += p.fn;
      nan += p.nan;
    }
    c.tn = size - c.tp - c.fp - c.fn;
    counts[b] = c;
  }
  require(nan == 0, "pred and target must not hold NaN");
}

template void confusion_counts<float, float>(const float*, const float*, int64_t, int64_t, float, ConfusionCounts*);
template void confusion_counts<float, uint8_t>(const float*, const uint8_t*, int64_t, int64_t, float, ConfusionCounts*);
template void confusion_counts<uint8_t, float>(const uint8_t*, const float*, int64_t, int64_t, float, ConfusionCounts*);
template void confusion_counts<uint8_t, uint8_t>(const uint8_t*, const uint8_t*, int64_t, int64_t, float,
                                                 ConfusionCounts*);

}  // namespace ms
