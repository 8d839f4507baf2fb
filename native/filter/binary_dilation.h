// Binary dilation of a stack of 2-D masks by a square: out is 1 where a pixel lies within
// `radius` (Chebyshev distance) of a set pixel of the same slice. Separable, rows then columns,
// each pass a running count of set pixels in the window, so the cost per pixel does not grow
// with the radius. Slices run in parallel; each output byte depends only on its own slice, so
// the result does not depend on the thread count.
#pragma once

#include <cstdint>

namespace ms {

// seed, out: [slices, h, w] (any nonzero seed byte is set); out is 0 or 1. radius >= 0; a radius
// at least the slice's size covers the whole slice when it holds any set pixel. seed and out
// may be the same array (each slice is read whole before it is written), but must not partly overlap.
void dilate_slices_square(const uint8_t* seed, int64_t slices, int64_t h, int64_t w, int64_t radius, uint8_t* out);

}  // namespace ms
