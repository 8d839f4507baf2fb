// Per-slice sums of a stack [slices, plane], over the whole slice and over a mask: the slice and
// patient means of a pixel map (mean entropy of a slice, of a patient's tumour neighbourhood).
// Float64 sums in chunks of a fixed size, added in chunk order, so the result does not depend on
// the thread count.
#pragma once

#include <cstdint>

namespace ms {

// x: [slices, plane]; mask: [slices, plane] or null. sum[s] = Σ_i x[s, i]; when mask is given,
// masked_sum[s] = Σ_{mask[s, i] != 0} x[s, i] and masked_count[s] = #{i : mask[s, i] != 0}
// (both unused, and may be null, without a mask).
void slice_sums(const float* x, const uint8_t* mask, int64_t slices, int64_t plane, double* sum, double* masked_sum,
                double* masked_count);

}  // namespace ms
