#include "volume/finite_check.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

constexpr int64_t kGrain = 1 << 16;

// A float is NaN or ±Inf exactly when its exponent bits are all ones.
MS_SIMD_CLONES int64_t count_range(const uint32_t* bits, int64_t n) {
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += (bits[i] & 0x7F800000u) == 0x7F800000u;
  return count;
}

}  // namespace

NonFiniteScan find_non_finite(const float* x, int64_t n) {
  static_assert(sizeof(float) == sizeof(uint32_t), "float32");
  const auto* bits = reinterpret_cast<const uint32_t*>(x);
  const int64_t chunks = (n + kGrain - 1) / kGrain;
  std::vector<int64_t> counts(static_cast<size_t>(chunks), 0);
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    counts[static_cast<size_t>(begin / kGrain)] = count_range(bits + begin, end - begin);
  });
  NonFiniteScan scan;
  for (int64_t c = 0; c < chunks; ++c) {
    if (counts[static_cast<size_t>(c)] == 0) continue;
    if (scan.first < 0) {  // only the first chunk with one is searched again
      for (int64_t i = c * kGrain; scan.first < 0; ++i) {
        if ((bits[i] & 0x7F800000u) == 0x7F800000u) scan.first = i;
      }
    }
    scan.count += counts[static_cast<size_t>(c)];
  }
  return scan;
}

void require_finite(const float* x, int64_t n, const char* name) {
  const NonFiniteScan scan = find_non_finite(x, n);
  if (scan.count == 0) return;
  const float v = x[scan.first];
  const char* what = std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  throw Error("INVALID_ARGUMENT", std::string(name) + " holds " + std::to_string(scan.count) + " non-finite value(s) (first at index " +
                                      std::to_string(scan.first) + ": " + what + "); pass allowNonFinite: true to process them anyway");
}

}  // namespace ms
