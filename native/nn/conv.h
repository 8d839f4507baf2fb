// N-d convolution (1, 2 or 3 spatial axes, groups = 1) for the training engine, forward and
// backward side by side (llm.c style), on the packed GEMM of nn/gemm.h. This file is the plain
// reference shape for a later CUDA twin in cuda/nn/conv.cu.
//
//   x:  (N, Cin,  in...)      input
//   w:  (Cout, Cin, k...)     weight, PyTorch's Conv layout
//   b:  (Cout) or null        bias
//   y:  (N, Cout, out...)     out = floor((in + 2·pad − dil·(k − 1) − 1) / stride) + 1 per axis
//
// Every output is ASSIGNED, never accumulated (the autograd tape accumulates). Convolution is a
// GEMM over im2col columns, and the column matrix is never written out:
//   - stride 1 (any padding, dilation): the GEMM reads the rows of a zero-padded copy of each
//     image in place — each im2col row is the padded image shifted by one tap — for the forward
//     pass, the input gradient (a stride-1 conv of gy with the flipped kernel) and the weight
//     gradient (those rows transposed into the GEMM's panels);
//   - other strides: columns are packed straight from the image into the GEMM's panels
//     (forward, weight gradient); the input gradient makes column gradients for bounded ranges
//     of positions and scatters them back (col2im).
// Results are the same bytes for any thread count.
//
// Transposed convolution (PyTorch's ConvTranspose, weight (Cin_T, Cout_T, k...)) is
// conv_backward_input with the conv's (Cout, Cin) = (Cin_T, Cout_T); output_padding only makes
// `in` larger (it must stay below the stride, so `out` is unchanged).
#pragma once

#include <cstdint>

namespace ms {

struct ConvGeometry {
  int dims = 2;  // spatial axes, 1..3; the arrays hold `dims` entries
  int64_t batch = 1, in_channels = 1, out_channels = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, padding[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
};

// Throws ms::Error INVALID_ARGUMENT when sizes are not >= 1, padding < 0, or `out` is not the
// size the formula above gives.
void check_conv_geometry(const ConvGeometry& g);

// y = conv(x, w) + b.
void conv_forward(const ConvGeometry& g, const float* x, const float* w, const float* b, float* y);

// gx = ∂<y, gy>/∂x: the transposed convolution of gy (N, Cout, out...) with w, (N, Cin, in...),
// plus b (Cin) per channel when b is not null (ConvTranspose's bias).
void conv_backward_input(const ConvGeometry& g, const float* gy, const float* w, const float* b, float* gx);

// gw = ∂<y, gy>/∂w = Σ_n gy[n] · im2col(x[n])ᵀ, (Cout, Cin, k...).
void conv_backward_weight(const ConvGeometry& g, const float* x, const float* gy, float* gw);

}  // namespace ms
