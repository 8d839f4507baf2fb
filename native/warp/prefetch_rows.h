// Software prefetch of the source lines an affine output row will read, issued a few rows before
// the row is sampled (warp/warp.cc). A rotated row walks the source diagonally, a few voxels per
// source row before it steps to the next row or plane; the hardware prefetchers do not follow that
// walk, so without this the rows wait on memory: a 15° rotation about z at 128×256×256 took
// 44 ms on one thread without, 21 ms with (AMD EPYC, Zen 5). It reads and writes nothing, so
// results do not depend on it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/simd.h"
#include "warp/trilinear_rows.h"

namespace ms {

// Voxels between prefetched points. Neighbouring output rows prefetch points along neighbouring
// source paths, which fill the gaps between each other's. Measured (15° about z, 1 thread, 8 rows
// ahead): every 16th voxel 19 ms, every 8th 21, every 32nd 38; every 4th slower than every 8th.
constexpr int64_t kPrefetchStep = 16;

// Output voxels sampled between a row's prefetch and its sampling: about 2048 (8 rows of 256),
// long enough for memory to answer, short enough that the lines are still cached.
inline int64_t prefetch_rows_ahead(int64_t nx) { return std::max<int64_t>(1, 2048 / nx); }

// Whether an affine row of n voxels with step a (source voxels per output voxel, [z, y, x])
// crosses source rows or planes, the walk the hardware prefetchers miss. A row along a source
// row (scaling, translation) streams and is left to them: prefetching it only cost time.
inline bool row_leaves_source_row(const double* a, int64_t n) {
  const double span = static_cast<double>(n - 1);
  return std::fabs(a[0]) * span >= 1 || std::fabs(a[1]) * span >= 1;
}

// One prefetcht0. Not __builtin_prefetch: GCC 12 at -O3 deleted prefetch_row's whole loop of
// those (a loop whose only effects are prefetches counted as dead); an asm statement stays.
MS_ALWAYS_INLINE void prefetch_line(const void* p) {
#if defined(__x86_64__) && defined(__GNUC__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

// Prefetches, at every kPrefetchStep-th voxel i of the row (points in memory, or the affine
// p(i) = b + i·a), the 4 source lines holding its 8 trilinear neighbours. Points outside the
// volume are skipped.
template <typename T>
inline void prefetch_row(const T* in, const WarpDims& s, const RowPoints& p, int64_t n) {
  const int64_t row = s.x, plane = s.y * s.x;
  const double hi[3] = {static_cast<double>(s.z - 1), static_cast<double>(s.y - 1), static_cast<double>(s.x - 1)};
  for (int64_t i = 0; i < n; i += kPrefetchStep) {
    const double x = static_cast<double>(i);
    const double q[3] = {p.pz != nullptr ? p.pz[i] : p.b[0] + p.a[0] * x, p.pz != nullptr ? p.py[i] : p.b[1] + p.a[1] * x,
                         p.pz != nullptr ? p.px[i] : p.b[2] + p.a[2] * x};
    int64_t f[3];
    bool near = true;
    for (int k = 0; k < 3; ++k) {
      const double v = std::floor(q[k]);
      near = near && v >= -1 && v <= hi[k];  // false for NaN too
      f[k] = near ? std::max<int64_t>(0, static_cast<int64_t>(v)) : 0;
    }
    if (!near) continue;
    const T* c = in + f[0] * plane + f[1] * row + f[2];
    const int64_t dy = f[1] + 1 < s.y ? row : 0, dz = f[0] + 1 < s.z ? plane : 0;
    prefetch_line(c);
    prefetch_line(c + dy);
    prefetch_line(c + dz);
    prefetch_line(c + dz + dy);
  }
}

}  // namespace ms
