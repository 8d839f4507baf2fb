// Multiplicative MR bias field, TorchIO's RandomBiasField model:
//   field(z, y, x) = exp( Σ_{i+j+k <= order} c[t] · X^i · Y^j · Z^k ),   out = in · field
// with X, Y, Z the voxel's coordinates normalised per axis to linspace(-1, 1, n); an axis of
// size 1 has coordinate 0 (numpy's linspace would give -1), so a 2D image (Z = 1) only sees
// the terms with k = 0.
//
// Coefficient order (t counts up in this nesting, the same as TorchIO's loops):
//   for i in 0..order            (power of X, the fastest axis)
//     for j in 0..order-i        (power of Y)
//       for k in 0..order-i-j    (power of Z)
//         c[t++]
// so order 1 is [1, Z, Y, X] and there are (order+1)(order+2)(order+3)/6 terms (1, 4, 10, 20).
#pragma once

#include <cstdint>

namespace ms {

constexpr int kMaxBiasOrder = 3;

// Number of coefficients for `order` (0..3).
constexpr int bias_field_term_count(int order) { return (order + 1) * (order + 2) * (order + 3) / 6; }

// in, out: (nz, ny, nx) float32; out may alias in. in == nullptr writes the field itself.
// coefficients: bias_field_term_count(order) values in the order above.
// Throws ms::Error(INVALID_ARGUMENT) for an order outside 0..3, a wrong coefficient count or a
// non-finite coefficient.
// The parameter checks of bias_field (order, coefficient count, finite coefficients), shared with
// its CUDA twin.
void check_bias_field(int order, const double* coefficients, int64_t coefficient_count);

void bias_field(const float* in, float* out, int64_t nz, int64_t ny, int64_t nx, int order,
                const double* coefficients, int64_t coefficient_count);

}  // namespace ms
