#include "core/sort_order.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "core/error.h"

namespace ms {
namespace {

constexpr int64_t kSmall = 2048;
constexpr int kDigitBits = 8;
constexpr uint32_t kBuckets = 1u << kDigitBits;

// Monotone map float → unsigned: flip all bits of negatives, set the sign bit of positives.
inline uint64_t ordered_bits(double x) {
  x += 0.0;  // −0 → +0
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return (u >> 63) ? ~u : (u | (uint64_t{1} << 63));
}

inline uint32_t ordered_bits(float x) {
  x += 0.0f;
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return (u >> 31) ? ~u : (u | (uint32_t{1} << 31));
}

template <typename K>
void sort_order_impl(const K* keys, int64_t n, uint32_t* order, uint64_t* sorted) {
  require(n >= 0 && n <= int64_t{0xFFFFFFFF}, "too many elements to sort");
  if (n < kSmall) {
    std::iota(order, order + n, 0u);
    std::stable_sort(order, order + n, [keys](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
    if (sorted) {
      for (int64_t k = 0; k < n; ++k) sorted[k] = ordered_bits(keys[order[k]]);
    }
    return;
  }
  // Keys as wide as the values: float input moves half the bytes of double through every pass.
  using Bits = decltype(ordered_bits(K{}));
  constexpr int kPasses = static_cast<int>(sizeof(K) * 8 / kDigitBits);
  const size_t un = static_cast<size_t>(n);
  std::vector<Bits> key_a(un), key_b(un);
  std::vector<uint32_t> idx_a(un), idx_b(un);
  std::vector<uint32_t> hist(static_cast<size_t>(kPasses) * kBuckets, 0);
  for (size_t i = 0; i < un; ++i) {
    const Bits k = ordered_bits(keys[i]);
    key_a[i] = k;
    idx_a[i] = static_cast<uint32_t>(i);
    for (int p = 0; p < kPasses; ++p) ++hist[p * kBuckets + ((k >> (p * kDigitBits)) & (kBuckets - 1))];
  }
  Bits* src_k = key_a.data();
  Bits* dst_k = key_b.data();
  uint32_t* src_i = idx_a.data();
  uint32_t* dst_i = idx_b.data();
  for (int p = 0; p < kPasses; ++p) {
    uint32_t* h = hist.data() + p * kBuckets;
    const Bits first = (src_k[0] >> (p * kDigitBits)) & (kBuckets - 1);
    if (h[first] == static_cast<uint32_t>(n)) continue;  // every key has this digit
    uint32_t sum = 0;
    for (uint32_t b = 0; b < kBuckets; ++b) {
      const uint32_t c = h[b];
      h[b] = sum;
      sum += c;
    }
    for (size_t i = 0; i < un; ++i) {
      const uint32_t pos = h[(src_k[i] >> (p * kDigitBits)) & (kBuckets - 1)]++;
      dst_k[pos] = src_k[i];
      dst_i[pos] = src_i[i];
    }
    std::swap(src_k, dst_k);
    std::swap(src_i, dst_i);
  }
  std::copy(src_i, src_i + n, order);
  if (sorted) std::copy(src_k, src_k + n, sorted);
}

}  // namespace

void sort_order(const double* keys, int64_t n, uint32_t* order, uint64_t* sorted) {
  sort_order_impl(keys, n, order, sorted);
}
void sort_order(const float* keys, int64_t n, uint32_t* order, uint64_t* sorted) {
  sort_order_impl(keys, n, order, sorted);
}

}  // namespace ms
