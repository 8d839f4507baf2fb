// Sum kernels; see reduce.h.
#include "nn/reduce.h"

#include <algorithm>
#include <vector>

#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms::nn {
namespace {

// Elements summed by one task before its partial joins the others (fixed: part of the order).
constexpr int64_t kBlock = 1 << 15;

MS_SIMD_CLONES double sum_lanes(const float* MS_RESTRICT x, int64_t n) {
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) lane[k] += double(x[i + k]);
  }
  for (int k = 0; i + k < n; ++k) lane[k] += double(x[i + k]);
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

MS_SIMD_CLONES double sum_sq_dev_lanes(const float* MS_RESTRICT x, int64_t n, double m) {
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) {
      const double d = double(x[i + k]) - m;
      lane[k] += d * d;
    }
  }
  for (int k = 0; i + k < n; ++k) {
    const double d = double(x[i + k]) - m;
    lane[k] += d * d;
  }
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

MS_SIMD_CLONES void accumulate_row(double* MS_RESTRICT acc, const float* MS_RESTRICT x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += double(x[i]);
}

MS_SIMD_CLONES void accumulate_row_d(double* MS_RESTRICT acc, const double* MS_RESTRICT x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += x[i];
}

MS_SIMD_CLONES void store_row(const double* MS_RESTRICT acc, int64_t n, float* MS_RESTRICT y) {
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(acc[i]);
}

// y[o] = Σ_k x[o, k]: rows of r contiguous values.
void sum_rows(const float* x, int64_t outer, int64_t r, float* y) {
  if (r <= kBlock) {
    parallel_for(outer, std::max<int64_t>(1, kBlock / std::max<int64_t>(r, 1)), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) y[o] = static_cast<float>(sum_lanes(x + o * r, r));
    });
    return;
  }
  for (int64_t o = 0; o < outer; ++o) y[o] = static_cast<float>(sum_floats(x + o * r, r));
}

// y[o, i] = Σ_k x[o, k, i] for inner > 1: tasks own (o, block of rows k, span of i) and keep
// float64 partial rows; blocks of rows are added in order.
void sum_strided(const float* x, int64_t outer, int64_t r, int64_t inner, float* y) {
  const int64_t span = std::min<int64_t>(inner, 2048);
  const int64_t spans = (inner + span - 1) / span;
  const int64_t rows = std::max<int64_t>(32, kBlock / span);
  const int64_t blocks = (r + rows - 1) / rows;
  std::vector<double> partial(static_cast<size_t>(outer * blocks * inner), 0.0);
  parallel_for(outer * blocks * spans, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t s = t % spans, blk = (t / spans) % blocks, o = t / (spans * blocks);
      const int64_t i0 = s * span, n = std::min(inner, i0 + span) - i0;
      double* acc = partial.data() + (o * blocks + blk) * inner + i0;
      const int64_t k1 = std::min(r, (blk + 1) * rows);
      for (int64_t k = blk * rows; k < k1; ++k) accumulate_row(acc, x + (o * r + k) * inner + i0, n);
    }
  });
  parallel_for(outer, std::max<int64_t>(1, kBlock / (inner * blocks)), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      double* first = partial.data() + o * blocks * inner;
      for (int64_t blk = 1; blk < blocks; ++blk) accumulate_row_d(first, first + blk * inner, inner);
      store_row(first, inner, y + o * inner);
    }
  });
}

}  // namespace

double sum_serial(const float* x, int64_t n) { return sum_lanes(x, n); }
double sum_sq_dev_serial(const float* x, int64_t n, double m) { return sum_sq_dev_lanes(x, n, m); }

double sum_floats(const float* x, int64_t n) {
  return ordered_sum(n, kBlock, [&](int64_t i0, int64_t i1) { return sum_lanes(x + i0, i1 - i0); });
}

double ordered_sum(int64_t n, int64_t block, const std::function<double(int64_t, int64_t)>& partial) {
  if (n <= 0) return 0.0;
  const int64_t blocks = (n + block - 1) / block;
  if (blocks == 1) return partial(0, n);
  std::vector<double> parts(static_cast<size_t>(blocks));
  parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) parts[b] = partial(b * block, std::min(n, (b + 1) * block));
  });
  double total = 0;
  for (double p : parts) total += p;
  return total;
}

void sum_middle(const float* x, int64_t outer, int64_t r, int64_t inner, float* y) {
  if (outer == 0 || inner == 0) return;
  if (r == 0) {
    std::fill(y, y + outer * inner, 0.0f);
  } else if (inner == 1) {
    sum_rows(x, outer, r, y);
  } else {
    sum_strided(x, outer, r, inner, y);
  }
}

}  // namespace ms::nn
