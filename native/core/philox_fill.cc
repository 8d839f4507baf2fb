#include "core/philox_fill.h"

#include "core/error.h"
#include "core/philox.h"
#include "core/thread_pool.h"

namespace ms {

void philox_fill_u32(uint64_t seed, uint32_t sample, uint32_t stream, uint64_t counter_start,
                     uint32_t* out, int64_t out_len) {
  require(out_len % 4 == 0, "philox output length must be a multiple of 4");
  const PhiloxStream s = PhiloxStream::make(seed, sample, stream);
  parallel_for(out_len / 4, 1 << 14, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const Philox4 r = s.at(counter_start + static_cast<uint64_t>(i));
      for (int j = 0; j < 4; ++j) out[4 * i + j] = r.v[j];
    }
  });
}

}  // namespace ms
