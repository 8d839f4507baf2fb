// Rasterizes analytic shapes (volume/shapes.h) into a float32 intensity volume and/or a uint8
// label volume [Z, Y, X], with partial-volume coverage. This is the CPU reference.
//
// Coverage of a voxel is the fraction of its 4x4x4 sub-sample points (offsets -3/8, -1/8, 1/8,
// 3/8 voxel along each axis) that lie inside the shape; in plane mode 4x4 points in (y, x) on the
// shape's central cross-section. Work is confined to each shape's bounding box: voxels clearly
// inside or outside are decided by exact line intersections or conservative distance bounds,
// and only the boundary band is sub-sampled, with results identical to sub-sampling every voxel.
//
// Shapes are applied in order. Per voxel with coverage c > 0 and shape intensity v:
//   replace: out = out (1 - c) + v c
//   add:     out = out + v c
//   max:     out = out + c max(v - out, 0)   (like replace, but only where v is brighter)
// Labels: a shape with a label writes it where c >= 1/2 and its priority is >= the priority of
// the label already in the voxel, label_priority[old label] (ties: the later shape wins).
#pragma once

#include <cstdint>
#include <vector>

#include "volume/shapes.h"

namespace ms {

enum BlendMode : int32_t { kBlendReplace = 0, kBlendAdd = 1, kBlendMax = 2 };

struct RasterShape {
  ShapeParams geometry;
  float intensity = 1.0f;
  int32_t label = -1;  // -1: the shape leaves labels alone
  double priority = 0;
  int32_t blend = kBlendReplace;
  int64_t plane = -1;  // >= 0: draw the central cross-section on slice `plane` only
};

struct RasterTargets {
  int64_t z = 1, y = 1, x = 1;
  float* intensity = nullptr;  // z*y*x values or null
  uint8_t* labels = nullptr;   // z*y*x values or null
  const double* label_priority = nullptr;  // 256 entries; required when labels is set
};

// Fills the targets in place. coverage_sum (one per shape) receives the summed coverage inside
// the volume, in voxels (pixels in plane mode). Deterministic for any thread count. Throws
// ms::Error(INVALID_ARGUMENT) for parameters that cannot describe a shape.
void rasterize(const std::vector<RasterShape>& shapes, const RasterTargets& targets,
               double* coverage_sum);

}  // namespace ms
