// Pearson and Spearman correlation between two per-sample series — here uncertainty and error,
// where a good uncertainty estimate correlates positively with the error it flags. Spearman
// is Pearson on fractional ranks (ties get the mean of their positions, as scipy does).
#pragma once

#include <cstdint>

namespace ms {

struct Correlation {
  double pearson = 0;
  double spearman = 0;
};

// x, y: [n], n >= 2. A coefficient is NaN when one series is constant (zero variance).
// Throws INVALID_ARGUMENT for non-finite values. Float64 sums, added per chunk in a fixed order.
template <typename X, typename Y>
Correlation correlation(const X* x, const Y* y, int64_t n);

}  // namespace ms
