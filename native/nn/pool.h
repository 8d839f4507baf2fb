// Pooling and nearest up-sampling over 1, 2 or 3 spatial axes, forward and backward side by
// side; the plain reference a CUDA twin in cuda/nn/ will mirror. Every tensor is (P, spatial…)
// with P = N·C independent planes, C order. Outputs are assigned, never accumulated. Work is
// split by planes (one plane per thread at a time), so overlapping windows accumulate in a fixed
// order and results do not depend on the thread count.
#pragma once

#include <cstdint>

namespace ms::nn {

struct PoolGeometry {
  int dims = 2;                 // spatial axes, 1..3
  int64_t planes = 0;           // N·C
  int64_t in[3] = {1, 1, 1};    // input size per axis (unused axes 1)
  int64_t out[3] = {1, 1, 1};   // output size per axis
  int64_t kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1};
  int64_t padding[3] = {0, 0, 0};

  int64_t in_plane() const { return in[0] * in[1] * in[2]; }
  int64_t out_plane() const { return out[0] * out[1] * out[2]; }
};

// Throws ms::Error unless sizes, kernel, stride and padding are consistent (PyTorch's rules:
// padding at most half the kernel, out = floor((in + 2·pad − kernel) / stride) + 1).
void check_pool_geometry(const PoolGeometry& g);

// Max pooling. y: (P, out…); argmax: (P, out…), the input's flat index within its plane.
// Padding never wins (it is −∞), so every window's argmax is a real input element.
void max_pool_forward(const float* x, const PoolGeometry& g, float* y, int32_t* argmax);
// gx (P, in…) = Σ of gy over the outputs whose argmax is that element (zero elsewhere).
void max_pool_scatter(const float* gy, const int32_t* argmax, const PoolGeometry& g, float* gx);
// y (P, out…) = x at argmax: the adjoint of the scatter, used for its own gradient.
void max_pool_gather(const float* x, const int32_t* argmax, const PoolGeometry& g, float* y);

// Average pooling with count_include_pad = True (PyTorch's default): each window sums its
// in-range elements and divides by the full kernel volume.
void avg_pool_forward(const float* x, const PoolGeometry& g, float* y);
// gx (P, in…): each element gets gy / volume from every window that covers it (the adjoint).
void avg_pool_backward(const float* gy, const PoolGeometry& g, float* gx);

// Nearest up-sampling by an integer factor per axis: y (P, in·scale…), y[o] = x[o / scale].
// g.in is the small size, g.kernel the scale; stride and padding are unused.
void upsample_nearest_forward(const float* x, const PoolGeometry& g, float* y);
// gx (P, in…) = Σ of gy over each element's scale block (the adjoint).
void upsample_nearest_backward(const float* gy, const PoolGeometry& g, float* gx);

}  // namespace ms::nn
