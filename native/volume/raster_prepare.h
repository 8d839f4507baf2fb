// The rasterizer's host-side preparation, shared by rasterize.cc and its CUDA twin
// (cuda/volume/rasterize.cu): the checks of the arguments, and each shape prepared into the
// plain record both paint from (its geometry, the voxel box it can touch inside the volume and
// which old labels it may overwrite). One definition, so both devices check and decide alike.
#pragma once

#include <cstdint>
#include <vector>

#include "volume/rasterize.h"
#include "volume/shapes.h"

namespace ms {

// The farthest a sub-sample lies from its voxel centre (sqrt(3) * 3/8 = 0.6495 in 3D,
// sqrt(2) * 3/8 = 0.5303 in a plane) plus a margin for rounding: a voxel whose centre is farther
// than that from the surface has coverage exactly 0 or 1.
constexpr double kRasterReach3 = 0.66;
constexpr double kRasterReach2 = 0.54;

// A shape ready to paint. Trivially copyable: the CUDA twin copies the table to the device.
struct PreparedShape {
  ShapeGeom g;
  int64_t z0, z1, y0, y1, x0, x1;  // inclusive voxel box inside the volume; empty when z0 > z1
  float value, inv_full;           // intensity; 1 / full
  int32_t convex, plane, blend, label;
  int32_t full;                    // sub-samples per voxel: 64, or 16 in plane mode
  uint8_t can_write[256];          // can_write[old label] = priority >= label_priority[old]
};

// Throws INVALID_ARGUMENT (naming the shape) for bad dims, a missing priority table, or a shape
// with an unknown kind or blend, a bad label or plane, non-finite or out-of-range geometry.
void check_raster_args(const std::vector<RasterShape>& shapes, const RasterTargets& targets);

PreparedShape prepare_raster_shape(const RasterShape& s, const RasterTargets& targets);

}  // namespace ms
