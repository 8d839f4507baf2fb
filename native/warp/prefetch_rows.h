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
// each row prefetches its own path more densely. With the addresses computed 16 at a time in float
// (prefetch_rows.cc), rotation 15°/−7°/9° at 128×256×256, same harness run, best of 4 rounds: 2
// threads every 2nd voxel 12.4 ms, 3rd 11.6, 4th 11.2, 5th 12.0, 8th 13.4; one thread every 4th
// 21.4, every 8th 24.9 (the former double-precision addresses, 8 at a time, every 8th: 26.5).
constexpr int64_t kPrefetchStepBlocked = 4;

// Output rows sampled between a row's prefetch and its sampling: about 2048 voxels (8 rows of
// 256), long enough for memory to answer, short enough that the lines are still cached.
int64_t prefetch_rows_ahead(int64_t nx);

// An elastic row of an otherwise row-aligned warp (identity, scaling) reads mostly lines the
// previous rows of its tile brought in (warp/row_order.h); what is new is the source row and plane
// after its own (the (+1, +1) corner), at the places the displacement carries it across a source
// row or plane — a short run of lines at a jump, which the hardware prefetchers do not follow.
// So each elastic row prefetches that one corner line at every 16th voxel, one row ahead.
// Measured with the addresses still in double (elastic 7³ ±3 voxels at 128×256×256, one thread,
// same harness run): none 22.9–23.1
// ms; this 20.7–21.0; all four corners at every 8th voxel 24.5 (their issue cost outweighs the
// gain); every 8th or 32nd voxel, two rows ahead or the two next-plane corners: 21.0–22.5.
constexpr int64_t kPrefetchStepElastic = 16;
constexpr int64_t kPrefetchRowsAheadElastic = 1;

// Which of a point's 4 source lines (its trilinear neighbours' rows) a prefetch fetches.
enum class PrefetchLines { all, next_plane_row };

// Whether an affine row of n voxels with step a (source voxels per output voxel, [z, y, x])
// crosses source rows or planes, the walk the hardware prefetchers miss. A row along a source
// row (scaling, translation) streams and is left to them: prefetching it only cost time.
bool row_leaves_source_row(const double* a, int64_t n);

// Prefetches, at every step-th voxel i of the row's [0, n), the 4 source lines holding the 8
// trilinear neighbours of p(i) (or only the next plane's next row). Points outside the volume are
// skipped.
void prefetch_row(const float* in, const WarpDims& s, const RowPoints& p, int64_t n, int64_t step, PrefetchLines lines);

}  // namespace ms
