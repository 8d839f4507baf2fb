#pragma once

#include <cstdint>

namespace ms {

// out[4*i + j] = word j of Philox at counter (counterStart + i) of the given stream.
// out_len must be a multiple of 4.
void philox_fill_u32(uint64_t seed, uint32_t sample, uint32_t stream, uint64_t counter_start,
                     uint32_t* out, int64_t out_len);

}  // namespace ms
