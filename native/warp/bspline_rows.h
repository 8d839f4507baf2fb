// The B-spline displacement of warp/warp.h evaluated one output row at a time, separably: the z
// pass over the small control grid (3 · cy · cx values, kept while consecutive rows share z), the
// y pass for row (z, y) (3 · cx values), then the x pass blends 4 of those per voxel with per-x
// weight tables. So a voxel costs 4 multiply-adds per component, the dense field is never
// materialised, and every row is computed from (z, y) alone (the same bytes for any thread split).
// On the AVX-512 warp path (warp_isa()) with cx <= 32 the x pass picks each voxel's 4 control
// values out of registers, 16 voxels at a time, instead of running over segments of equal first
// control point; the same products and sums, so the same bytes (elastic 7³ at 128×256×256, 2
// threads: 11.0 → 10.5 ms).
#pragma once

#include <cstdint>
#include <vector>

#include "warp/trilinear.h"

namespace ms {

class BsplineRows {
 public:
  // control: [3, cz, cy, cx] (each >= 4), kept by pointer; out: the output grid it is stretched over.
  BsplineRows(const float* control, const WarpDims& control_dims, const WarpDims& out);

  // Per-thread working memory: the z pass of the last slice and one row's y pass.
  struct Scratch {
    std::vector<float> zpass, row;
    int64_t z = -1;
  };

  // The displacement of output row (z, y), d(z, y, x) per axis, into dz, dy, dx (out.x each).
  void row(int64_t z, int64_t y, float* dz, float* dy, float* dx, Scratch& scratch) const;

  // One axis: per output index the first of its 4 control points and their weights.
  struct Taps {
    std::vector<int64_t> first;
    std::vector<float> w[4];
  };
  // A run of output x sharing the same first control point.
  struct Segment {
    int64_t begin, end, first;
  };

 private:
  const float* control_;
  WarpDims cd_, out_;
  Taps tz_, ty_, tx_;
  std::vector<Segment> segments_;
  std::vector<int32_t> x_first_;  // tx_.first as int32, for the permute x pass
};

}  // namespace ms
