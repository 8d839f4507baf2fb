// Fully connected layer for the training engine, on nn/gemm.h. Plain reference shape for a later
// CUDA twin in cuda/nn/linear.cu.
//
//   x: (N, in)   w: (out, in) (PyTorch's Linear layout)   b: (out) or null   y: (N, out)
//
// The output is ASSIGNED. Its backward is two GEMMs and a bias sum — gx = gy · w,
// gw = gyᵀ · x, gb = Σ_n gy — which the TS op expresses as differentiable matmuls and a channel
// sum (lib/nn/ops/linear.ts), so the same kernels serve gradients of gradients.
#pragma once

#include <cstdint>

namespace ms {

// y = x · wᵀ + b; the same bytes for any thread count.
void linear_forward(const float* x, const float* w, const float* b, int64_t n, int64_t in, int64_t out, float* y);

}  // namespace ms
