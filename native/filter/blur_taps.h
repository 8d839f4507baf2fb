// The inner loops of the separable blur: one 1D filter applied along rows of floats, with the
// SIMD width picked at run time. Every output element gets the same arithmetic, in the same
// order, whichever block, group or tail computes it, so callers may partition freely.
#pragma once

#include <cstdint>

namespace ms {

// Symmetric taps along a row (the x pass):
//   out[j] = w[0] * row[j] + sum_{k=1..r} w[k] * (row[j - k] + row[j + k]),  j in [begin, end)
// row[begin - r, end + r) must be readable (a row padded with r samples either side) and must
// not overlap out[begin, end).
void symmetric_taps(const float* row, const float* w, int64_t r, float* out, int64_t begin,
                    int64_t end);

// Whole rows as taps (the y and z passes, vectorised along the rows):
//   out[q][j] = sum_{i=0..taps-1} w[i] * rows[q + i][j],  q in [0, nout), j in [begin, end)
// summed in order of i. rows holds taps + nout - 1 row pointers; neighbouring outputs share
// them, so each loaded row feeds up to four outputs. Rows must not overlap the outputs.
void row_taps(const float* const* rows, const float* w, int64_t taps, float* const* out,
              int64_t nout, int64_t begin, int64_t end);

}  // namespace ms
