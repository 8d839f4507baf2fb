// Sums of the training engine (sum / mean over axes, the backward of every broadcast); the plain
// reference a CUDA twin in cuda/nn/ will mirror. Sums run in float64 in an order fixed by the
// sizes alone (blocks of fixed length, added in block order), so results do not depend on the
// thread count or on which SIMD clone runs.
#pragma once

#include <cstdint>
#include <functional>

namespace ms::nn {

// x: (outer, r, inner) → y: (outer, inner), y[o, i] = Σ_k x[o, k, i]. Assigned.
void sum_middle(const float* x, int64_t outer, int64_t r, int64_t inner, float* y);

// Σ_{i<n} of block(i0, i1) over blocks [i0, i1) of `block` items, computed in parallel and
// added in block order: a deterministic parallel float64 sum for the losses.
double ordered_sum(int64_t n, int64_t block, const std::function<double(int64_t, int64_t)>& partial);

// Σ x[i] in float64 with eight interleaved partial sums (a fixed association, vectorised),
// in blocks over the pool; sum_serial is one block on the calling thread.
double sum_floats(const float* x, int64_t n);
double sum_serial(const float* x, int64_t n);
// Σ (x[i] − m)², the same way (batch norm's variance).
double sum_sq_dev_serial(const float* x, int64_t n, double m);

}  // namespace ms::nn
