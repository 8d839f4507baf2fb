// Trilinear sampling of one output row at a time, the warps' hot loop (warp/warp.h), at the row's
// source points (warp/row_points.h: affine, plus the displacement for elastic warps).
//
// Per-ISA paths chosen at run time (never -march=native): AVX-512 (8 voxels per step: coordinates,
// floors and weights in vectors, each corner and its +x neighbour in one 64-bit load; steps with
// a neighbour outside the volume take a masked-gather border path, still vectorized, and steps
// wholly outside just store `fill`), AVX2 (the same interior step; border steps scalar) and
// scalar (trilinear() per voxel). Every path rounds every operation as trilinear() does, so all
// give the same bytes.
#pragma once

#include <cstdint>

#include "warp/row_points.h"
#include "warp/trilinear.h"

namespace ms {

// out[i] = trilinear(in, s, p(i), fill) for begin <= i < end (out is the whole row).
void trilinear_row(const float* in, const WarpDims& s, const RowPoints& p, int64_t begin, int64_t end, float* out,
                   float fill);

enum class WarpIsa { scalar, avx2, avx512 };

// The path in use: the best the CPU supports unless set_warp_isa chose another.
WarpIsa warp_isa();
const char* warp_isa_name(WarpIsa isa);
// Tests and benchmarks: forces a path. Returns false (and changes nothing) when the CPU lacks it.
bool set_warp_isa(WarpIsa isa);

}  // namespace ms
