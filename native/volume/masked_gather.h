// The values of an array under a mask, packed in index order: the pixels of a region handed to a
// statistic that needs them side by side (a correlation's ranks). Chunks of a fixed size count
// their set mask bytes, a prefix over the counts gives each chunk its place, and the chunks copy
// in parallel, so the output does not depend on the thread count.
#pragma once

#include <cstdint>

namespace ms {

// x, mask: [n]; out: [out_length] = x[i] for every i with mask[i] != 0, in order of i. Throws
// INVALID_ARGUMENT unless out_length equals the number of set mask bytes.
void masked_gather(const float* x, const uint8_t* mask, int64_t n, float* out, int64_t out_length);

}  // namespace ms
