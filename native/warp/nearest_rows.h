// Nearest-neighbour sampling of one output row of a label map, on the same source points as the
// trilinear rows (warp/trilinear_rows.h) and by the same ISA choice (warp_isa()): voxel
// floor(p + 0.5) per axis, or `fill` outside. The AVX-512 path computes 8 voxels' points, rounding
// and bounds in vectors and loads their labels with scalar byte loads; every path gives the bytes
// nearest() gives.
#pragma once

#include <cstdint>

#include "warp/trilinear_rows.h"

namespace ms {

// out[i] = nearest(in, s, p(i), fill) for begin <= i < end (out is the whole row).
void nearest_row(const uint8_t* in, const WarpDims& s, const RowPoints& p, int64_t begin, int64_t end, uint8_t* out,
                 uint8_t fill);

}  // namespace ms
