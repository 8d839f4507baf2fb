// Finding non-finite values (NaN, ±Inf) in a float32 array: the check the TypeScript layer runs
// before kernels that would otherwise spread a NaN through a whole volume without a word.
#pragma once

#include <cstdint>

namespace ms {

struct NonFiniteScan {
  int64_t count = 0;
  int64_t first = -1;  // index of the first non-finite value, -1 when there is none
};

NonFiniteScan find_non_finite(const float* x, int64_t n);

// Throws ms::Error INVALID_ARGUMENT naming `name`, the count and the first index when `x` holds a
// non-finite value. Kernels that opt in run it on their worker before touching the output.
void require_finite(const float* x, int64_t n, const char* name);

}  // namespace ms
