#include "metric/c_index.h"

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "core/sort_order.h"

namespace ms {
namespace {

constexpr int64_t kPrefetchDistance = 16;

// Counts of inserted ranks with "how many below r" queries: exact counts per rank plus a
// Fenwick tree over blocks of 16 ranks. The block tree is small enough to stay in cache, and a
// query touches one line of per-rank counts, which the caller prefetches a few elements ahead:
// random ranks make a plain Fenwick tree over a million ranks miss the cache on every level.
class RankCounter {
 public:
  explicit RankCounter(uint32_t ranks)
      : per_rank_(static_cast<size_t>(ranks) + 1, 0),
        blocks_(static_cast<uint32_t>((ranks >> kShift) + 1)),
        tree_(static_cast<size_t>(blocks_) + 1, 0) {}

  void insert(uint32_t r) {
    ++per_rank_[r];
    for (uint32_t x = (r >> kShift) + 1; x <= blocks_; x += x & (0u - x)) ++tree_[x];
  }

  // Inserted ranks < r.
  uint64_t below(uint32_t r) const {
    uint64_t sum = 0;
    for (uint32_t x = r >> kShift; x > 0; x -= x & (0u - x)) sum += tree_[x];
    for (uint32_t k = (r >> kShift) << kShift; k < r; ++k) sum += per_rank_[k];
    return sum;
  }

  uint64_t count(uint32_t r) const { return per_rank_[r]; }

  void prefetch(uint32_t r) const {
    __builtin_prefetch(&per_rank_[(r >> kShift) << kShift]);
    __builtin_prefetch(&per_rank_[r]);
    __builtin_prefetch(&tree_[(r >> kShift) + 1]);
  }

 private:
  static constexpr int kShift = 4;
  std::vector<uint32_t> per_rank_;
  uint32_t blocks_;
  std::vector<uint32_t> tree_;
};

}  // namespace

template <typename R, typename Tm>
ConcordanceCounts concordance(const R* risk, const Tm* time, const uint8_t* event, int64_t n) {
  require(n >= 1, "risk must hold at least one element");
  require(n < int64_t{0xFFFFFFFF}, "too many subjects");
  bool bad_risk = false, bad_time = false, bad_event = false;
  for (int64_t i = 0; i < n; ++i) {
    bad_risk |= !std::isfinite(static_cast<double>(risk[i]));
    bad_time |= !std::isfinite(static_cast<double>(time[i]));
    bad_event |= event[i] > 1;
  }
  require(!bad_risk, "risk must hold finite numbers");
  require(!bad_time, "time must hold finite numbers");
  require(!bad_event, "event must hold only 0 (censored) and 1 (event)");

  const size_t un = static_cast<size_t>(n);
  std::vector<uint32_t> by_time(un), by_risk(un);
  std::vector<uint64_t> time_key(un), risk_key(un);
  parallel_for(2, 1, [&](int64_t b, int64_t e) {
    for (int64_t job = b; job < e; ++job) {
      if (job == 0) sort_order(time, n, by_time.data(), time_key.data());
      else sort_order(risk, n, by_risk.data(), risk_key.data());
    }
  });

  // Dense 1-based risk ranks (equal risks share a rank), then rank and event gathered into
  // time order once, so the counting loop below reads them sequentially.
  std::vector<uint32_t> rank(un);
  uint32_t ranks = 0;
  for (size_t k = 0; k < un; ++k) {
    if (k == 0 || risk_key[k] != risk_key[k - 1]) ++ranks;
    rank[by_risk[k]] = ranks;
  }
  std::vector<uint32_t> rank_t(un);
  std::vector<uint8_t> event_t(un);
  for (size_t k = 0; k < un; ++k) {
    rank_t[k] = rank[by_time[k]];
    event_t[k] = event[by_time[k]];
  }

  // Walk tie groups from the latest time down. The counter holds everyone with a later time,
  // plus the censored members of the current group (censored at t_i: still at risk after an
  // event at t_i); an event is compared against all of them, then joins the counter itself.
  RankCounter counter(ranks);
  ConcordanceCounts c;
  int64_t inserted = 0;
  auto prefetch = [&](int64_t k) {
    if (k >= 0) counter.prefetch(rank_t[k]);
  };
  for (int64_t end = n; end > 0;) {
    int64_t begin = end - 1;
    while (begin > 0 && time_key[begin - 1] == time_key[end - 1]) --begin;
    for (int64_t k = end - 1; k >= begin; --k) {
      prefetch(k - kPrefetchDistance);
      if (!event_t[k]) {
        counter.insert(rank_t[k]);
        ++inserted;
      }
    }
    for (int64_t k = end - 1; k >= begin; --k) {
      if (!event_t[k]) continue;
      const auto less = static_cast<int64_t>(counter.below(rank_t[k]));
      const auto same = static_cast<int64_t>(counter.count(rank_t[k]));
      c.concordant += less;
      c.tied_risk += same;
      c.discordant += inserted - less - same;
    }
    for (int64_t k = end - 1; k >= begin; --k) {
      if (event_t[k]) {
        counter.insert(rank_t[k]);
        ++inserted;
      }
    }
    end = begin;
  }
  require(c.comparable() > 0,
          "the concordance index is undefined: no comparable pairs (needs an event before another subject's time)");
  return c;
}

template ConcordanceCounts concordance<float, float>(const float*, const float*, const uint8_t*, int64_t);
template ConcordanceCounts concordance<float, double>(const float*, const double*, const uint8_t*, int64_t);
template ConcordanceCounts concordance<double, float>(const double*, const float*, const uint8_t*, int64_t);
template ConcordanceCounts concordance<double, double>(const double*, const double*, const uint8_t*, int64_t);

}  // namespace ms
