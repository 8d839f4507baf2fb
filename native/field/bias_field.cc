// Bias field: per (z, y) row the polynomial collapses to a cubic in X whose coefficients are
// summed in float64; the row loop then evaluates the cubic and fast_exp per voxel, vectorised.
#include "field/bias_field.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/fastmath.h"
#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

// Voxels per parallel chunk (rounded to whole rows); chunking never changes a result because
// every row is computed the same way whichever thread runs it.
constexpr int64_t kChunkVoxels = 1 << 16;

double axis_coordinate(int64_t index, int64_t n) {
  return n == 1 ? 0.0 : -1.0 + 2.0 * static_cast<double>(index) / static_cast<double>(n - 1);
}

struct Cubic {
  float a0, a1, a2, a3;
};

// out: (n,) = in · exp(a0 + a1 x + a2 x² + a3 x³) with x = xs[i]. out may alias in.
MS_SIMD_CLONES void apply_row(const float* in, float* out, const float* MS_RESTRICT xs, int64_t n,
                              Cubic c) {
  for (int64_t i = 0; i < n; ++i) {
    const float x = xs[i];
    out[i] = in[i] * fm::fast_exp(c.a0 + x * (c.a1 + x * (c.a2 + x * c.a3)));
  }
}

// out: (n,) = exp(a0 + a1 x + a2 x² + a3 x³), the field alone.
MS_SIMD_CLONES void field_row(float* MS_RESTRICT out, const float* MS_RESTRICT xs, int64_t n, Cubic c) {
  for (int64_t i = 0; i < n; ++i) {
    const float x = xs[i];
    out[i] = fm::fast_exp(c.a0 + x * (c.a1 + x * (c.a2 + x * c.a3)));
  }
}

}  // namespace

void check_bias_field(int order, const double* coefficients, int64_t coefficient_count) {
  require(order >= 0 && order <= kMaxBiasOrder, "bias field order must be 0..3");
  require(coefficient_count == bias_field_term_count(order),
          "bias field of order " + std::to_string(order) + " needs " +
              std::to_string(bias_field_term_count(order)) + " coefficients");
  for (int64_t t = 0; t < coefficient_count; ++t) {
    require(std::isfinite(coefficients[t]), "bias field coefficients must be finite");
  }
}

void bias_field(const float* in, float* out, int64_t nz, int64_t ny, int64_t nx, int order,
                const double* coefficients, int64_t coefficient_count) {
  check_bias_field(order, coefficients, coefficient_count);
  require(nz >= 1 && ny >= 1 && nx >= 1, "bias field dims must be >= 1");

  // Unpack to c[i][j][k] (zero where i + j + k > order) in the documented nesting.
  double c[kMaxBiasOrder + 1][kMaxBiasOrder + 1][kMaxBiasOrder + 1] = {};
  int64_t t = 0;
  for (int i = 0; i <= order; ++i)
    for (int j = 0; j <= order - i; ++j)
      for (int k = 0; k <= order - i - j; ++k) c[i][j][k] = coefficients[t++];

  std::vector<float> xs(static_cast<size_t>(nx));
  for (int64_t i = 0; i < nx; ++i) xs[static_cast<size_t>(i)] = static_cast<float>(axis_coordinate(i, nx));

  const int64_t rows = nz * ny;
  const int64_t grain = std::max<int64_t>(1, kChunkVoxels / nx);
  parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const double z = axis_coordinate(row / ny, nz), y = axis_coordinate(row % ny, ny);
      double a[kMaxBiasOrder + 1] = {};
      for (int i = 0; i <= order; ++i) {
        double yj = 1.0;
        for (int j = 0; j <= order - i; ++j) {
          double zk = 1.0;
          for (int k = 0; k <= order - i - j; ++k) {
            a[i] += c[i][j][k] * yj * zk;
            zk *= z;
          }
          yj *= y;
        }
      }
      const Cubic cubic{static_cast<float>(a[0]), static_cast<float>(a[1]), static_cast<float>(a[2]),
                        static_cast<float>(a[3])};
      float* o = out + row * nx;
      if (in == nullptr) {
        field_row(o, xs.data(), nx, cubic);
      } else {
        apply_row(in + row * nx, o, xs.data(), nx, cubic);
      }
    }
  });
}

}  // namespace ms
