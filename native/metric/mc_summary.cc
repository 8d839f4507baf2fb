#include "metric/mc_summary.h"

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

constexpr int64_t kGrain = 1 << 14;

MS_ALWAYS_INLINE double binary_entropy_bits(double p) {
  if (p <= 0.0 || p >= 1.0) return 0.0;
  return -(p * std::log2(p) + (1.0 - p) * std::log2(1.0 - p));
}

// Pixels [b, e): returns true when every value was a probability.
MS_SIMD_CLONES bool summarise_range(const float* passes, int64_t T, int64_t n, int64_t b, int64_t e, float* mean,
                                    float* variance, float* entropy, float* mutual_information) {
  bool ok = true;
  for (int64_t i = b; i < e; ++i) {
    double sum = 0.0, sum_h = 0.0;
    for (int64_t t = 0; t < T; ++t) {
      const double p = passes[t * n + i];
      ok &= p >= 0.0 && p <= 1.0;  // false for NaN
      sum += p;
      sum_h += binary_entropy_bits(p);
    }
    const double m = sum / static_cast<double>(T);
    double ss = 0.0;
    for (int64_t t = 0; t < T; ++t) {
      const double d = static_cast<double>(passes[t * n + i]) - m;
      ss += d * d;
    }
    const double h = binary_entropy_bits(m);
    const double mi = h - sum_h / static_cast<double>(T);
    mean[i] = static_cast<float>(m);
    variance[i] = static_cast<float>(ss / static_cast<double>(T));
    entropy[i] = static_cast<float>(h);
    mutual_information[i] = static_cast<float>(mi > 0.0 ? mi : 0.0);
  }
  return ok;
}

}  // namespace

void mc_pixel_summary(const float* passes, int64_t passes_count, int64_t n, float* mean, float* variance,
                      float* entropy, float* mutual_information) {
  require(passes_count >= 1, "passes must hold at least one pass");
  const int64_t chunks = (n + kGrain - 1) / kGrain;
  std::vector<uint8_t> bad(static_cast<size_t>(chunks), 0);
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    if (!summarise_range(passes, passes_count, n, b, e, mean, variance, entropy, mutual_information)) {
      bad[static_cast<size_t>(b / kGrain)] = 1;
    }
  });
  for (uint8_t f : bad) require(!f, "passes must hold probabilities in [0, 1] (found a value outside or NaN)");
}

}  // namespace ms
