#include "metric/correlation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "core/batch_chunks.h"
#include "core/sort_order.h"

namespace ms {
namespace {

constexpr int64_t kChunk = 1 << 16;

// Σ over chunks, added in chunk order, of fn(begin, end) → {a, b, c}.
template <typename Fn>
void chunked_sums(int64_t n, double out[3], Fn&& fn) {
  const BatchChunks chunks(1, n, kChunk);
  std::vector<double> partial(static_cast<size_t>(chunks.tasks()) * 3, 0.0);
  chunks.run([&](int64_t t, int64_t, int64_t begin, int64_t end) { fn(begin, end, partial.data() + 3 * t); });
  out[0] = out[1] = out[2] = 0;
  for (int64_t t = 0; t < chunks.tasks(); ++t) {
    for (int j = 0; j < 3; ++j) out[j] += partial[3 * t + j];
  }
}

template <typename X, typename Y>
double pearson(const X* x, const Y* y, int64_t n) {
  double s[3];
  chunked_sums(n, s, [&](int64_t b, int64_t e, double* o) {
    for (int64_t i = b; i < e; ++i) {
      o[0] += static_cast<double>(x[i]);
      o[1] += static_cast<double>(y[i]);
    }
  });
  const double mx = s[0] / static_cast<double>(n), my = s[1] / static_cast<double>(n);
  chunked_sums(n, s, [&](int64_t b, int64_t e, double* o) {
    for (int64_t i = b; i < e; ++i) {
      const double dx = static_cast<double>(x[i]) - mx, dy = static_cast<double>(y[i]) - my;
      o[0] += dx * dy;
      o[1] += dx * dx;
      o[2] += dy * dy;
    }
  });
  if (!(s[1] > 0 && s[2] > 0)) return std::numeric_limits<double>::quiet_NaN();
  return std::clamp(s[0] / std::sqrt(s[1] * s[2]), -1.0, 1.0);
}

// 1-based fractional ranks: a run of equal values at sorted positions [a, b) gets (a + b + 1)/2.
template <typename V>
void fractional_ranks(const V* v, int64_t n, double* rank) {
  std::vector<uint32_t> order(static_cast<size_t>(n));
  std::vector<uint64_t> key(static_cast<size_t>(n));
  sort_order(v, n, order.data(), key.data());
  for (int64_t a = 0; a < n;) {
    int64_t b = a + 1;
    while (b < n && key[b] == key[a]) ++b;
    const double r = 0.5 * static_cast<double>(a + b + 1);
    for (int64_t k = a; k < b; ++k) rank[order[k]] = r;
    a = b;
  }
}

}  // namespace

template <typename X, typename Y>
Correlation correlation(const X* x, const Y* y, int64_t n) {
  require(n >= 2, "correlation needs at least 2 samples");
  require(n < int64_t{0xFFFFFFFF}, "too many samples");
  bool bad = false;
  for (int64_t i = 0; i < n; ++i) {
    bad |= !std::isfinite(static_cast<double>(x[i])) || !std::isfinite(static_cast<double>(y[i]));
  }
  require(!bad, "uncertainty and error must hold finite numbers");
  Correlation c;
  c.pearson = pearson(x, y, n);
  std::vector<double> rx(static_cast<size_t>(n)), ry(static_cast<size_t>(n));
  parallel_for(2, 1, [&](int64_t b, int64_t e) {
    for (int64_t job = b; job < e; ++job) {
      if (job == 0) fractional_ranks(x, n, rx.data());
      else fractional_ranks(y, n, ry.data());
    }
  });
  c.spearman = pearson(rx.data(), ry.data(), n);
  return c;
}

template Correlation correlation<float, float>(const float*, const float*, int64_t);
template Correlation correlation<float, double>(const float*, const double*, int64_t);
template Correlation correlation<double, float>(const double*, const float*, int64_t);
template Correlation correlation<double, double>(const double*, const double*, int64_t);

}  // namespace ms
