// Harrell's concordance index of risk scores against right-censored survival times, in
// O(n log n): one sort by time, one by risk (radix, both O(n)), and a Fenwick tree over blocks
// of risk ranks. Higher risk means earlier expected event. Pair rules:
//   (i, j) with t_i < t_j is comparable when δ_i = 1 (the earlier time is an event);
//   tied times t_i = t_j are comparable only when exactly one of the two is an event, which
//   is then the one expected to have the higher risk (the censored one was still at risk);
//   comparable pairs count 1 when the earlier/event subject has the higher risk (concordant),
//   0 when lower (discordant) and ½ when the risks tie.
// C = (concordant + ½·tied_risk) / comparable.
#pragma once

#include <cstdint>

namespace ms {

struct ConcordanceCounts {
  int64_t concordant = 0;
  int64_t discordant = 0;
  int64_t tied_risk = 0;
  int64_t comparable() const { return concordant + discordant + tied_risk; }
};

// risk, time, event: [n]. Throws INVALID_ARGUMENT for non-finite risk or time, an event value
// other than 0/1, or data without a single comparable pair (the index is then undefined).
template <typename R, typename Tm>
ConcordanceCounts concordance(const R* risk, const Tm* time, const uint8_t* event, int64_t n);

}  // namespace ms
