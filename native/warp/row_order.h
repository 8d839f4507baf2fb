// The order a warp samples its output rows in (warp/warp.cc). Every output voxel is computed on
// its own, so the order changes only speed, never a byte.
//
// Plain: rows in memory order, z·Y + y, in chunks of about 8192 voxels. Right when the source z
// of an output plane is fixed (scaling, translation, rotation about z): plane z then reads source
// planes z0 and z0 + 1 only, and the next plane reuses one of them from L2.
//
// Blocked: tiles of kBlockZ planes × kBlockY rows (every x), each tile's rows plane by plane.
// When the source z varies within an output plane (rotation about x or y, elastic deformation),
// an output plane reads a tilted slab of the source, more than L2 holds at 128×256×256, and the
// next plane fetched it again from memory; within a tile the next plane's rows reuse lines the
// previous plane's rows brought in. Measured on the AMD EPYC (Zen 5, 1 MiB L2) this was tuned
// on, 128×256×256, one thread, same run: rotation 15°/−7°/9° 41 → 24 ms (with the dense prefetch
// of warp/prefetch_rows.h), elastic 7³ 25 → 24 ms; rotation about z stays plain (21 ms; blocked
// 23). 16 rows was the best tile height (8: 35 ms, 32: 33 ms, before the dense prefetch).
#pragma once

#include <algorithm>
#include <cstdint>

#include "warp/trilinear.h"

namespace ms {

class RowOrder {
 public:
  static constexpr int64_t kBlockZ = 32, kBlockY = 16;

  RowOrder(const WarpDims& out, bool blocked)
      : out_(out), blocked_(blocked), bz_((out.z + kBlockZ - 1) / kBlockZ), by_((out.y + kBlockY - 1) / kBlockY) {}

  bool blocked() const { return blocked_; }
  // Parallel units (tiles, or single rows when plain) and how many to a chunk.
  int64_t units() const { return blocked_ ? bz_ * by_ : out_.z * out_.y; }
  int64_t grain() const { return blocked_ ? 1 : std::max<int64_t>(1, 8192 / out_.x); }

  // Calls fn(row) for every output row of units [u0, u1), row = z·Y + y, in sampling order.
  template <typename Fn>
  void rows(int64_t u0, int64_t u1, Fn&& fn) const {
    if (!blocked_) {
      for (int64_t r = u0; r < u1; ++r) fn(r);
      return;
    }
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t z0 = (u / by_) * kBlockZ, y0 = (u % by_) * kBlockY;
      const int64_t z1 = std::min(out_.z, z0 + kBlockZ), y1 = std::min(out_.y, y0 + kBlockY);
      for (int64_t z = z0; z < z1; ++z) {
        for (int64_t y = y0; y < y1; ++y) fn(z * out_.y + y);
      }
    }
  }

 private:
  WarpDims out_;
  bool blocked_;
  int64_t bz_, by_;
};

}  // namespace ms
