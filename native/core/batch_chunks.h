// Splits a batch [batch, size] into (sample, chunk) tasks of at most `chunk` elements, so that a
// per-sample reduction runs in parallel and still adds its chunk partials in a fixed order:
// task t covers sample t / per_sample, chunk t % per_sample. The split depends only on the
// shape, never on the thread count, which keeps every reduction bit-for-bit deterministic.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/thread_pool.h"

namespace ms {

struct BatchChunks {
  int64_t batch = 0;
  int64_t size = 0;
  int64_t chunk = 1;
  int64_t per_sample = 0;  // chunks per sample

  BatchChunks(int64_t batch_, int64_t size_, int64_t chunk_)
      : batch(batch_), size(size_), chunk(chunk_), per_sample((size_ + chunk_ - 1) / chunk_) {}

  int64_t tasks() const { return batch * per_sample; }

  // Calls fn(task, sample, begin, end) for every task; [begin, end) indexes the flat array.
  template <typename Fn>
  void run(Fn&& fn) const {
    parallel_for(tasks(), 1, [&](int64_t tb, int64_t te) {
      for (int64_t t = tb; t < te; ++t) {
        const int64_t b = t / per_sample;
        const int64_t lo = (t % per_sample) * chunk;
        const int64_t hi = std::min(size, lo + chunk);
        fn(t, b, b * size + lo, b * size + hi);
      }
    });
  }
};

}  // namespace ms
