// Software prefetch of the source lines an output row will read, issued a few rows before the row
// is sampled (warp/warp.cc). A rotated row walks the source diagonally, a few voxels per source
// row before it steps to the next row or plane; the hardware prefetchers do not follow that walk,
// so without this the rows wait on memory: a 15° rotation about z at 128×256×256 took 44 ms on
// one thread without, 21 ms with (AMD EPYC, Zen 5). It reads and writes nothing, so results do
// not depend on it.
#pragma once

#include <cstdint>

#include "warp/trilinear_rows.h"

namespace ms {

// Voxels between prefetched points, in rows sampled in memory order: neighbouring output rows
// prefetch points along neighbouring source paths, which fill the gaps between each other's.
// Measured (15° about z, 1 thread, 8 rows ahead): every 16th voxel 19 ms, every 8th 21, every
// 32nd 38; every 4th slower than every 8th.
constexpr int64_t kPrefetchStep = 16;
// In blocked order (warp/row_order.h) a row's neighbours in the next plane come 16 rows later, so
// each row prefetches its own path more densely: rotation 15°/−7°/9°, 1 thread, every 16th voxel
// 31 ms; every 4th, 5th, 6th and 8th 22.5–23.2 ms (8th the fewest prefetches, and fastest by a hair).
constexpr int64_t kPrefetchStepBlocked = 8;

// Output rows sampled between a row's prefetch and its sampling: about 2048 voxels (8 rows of
// 256), long enough for memory to answer, short enough that the lines are still cached.
int64_t prefetch_rows_ahead(int64_t nx);

// Whether an affine row of n voxels with step a (source voxels per output voxel, [z, y, x])
// crosses source rows or planes, the walk the hardware prefetchers miss. A row along a source
// row (scaling, translation) streams and is left to them: prefetching it only cost time.
bool row_leaves_source_row(const double* a, int64_t n);

// Prefetches, at every step-th voxel i of the row's [0, n), the 4 source lines holding the 8
// trilinear neighbours of p(i). Points outside the volume are skipped.
void prefetch_row(const float* in, const WarpDims& s, const RowPoints& p, int64_t n, int64_t step);

}  // namespace ms
