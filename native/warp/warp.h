// Resampling a volume through a spatial transform: rotation, scaling, translation (an affine map)
// and elastic deformation (a smooth displacement field from a cubic B-spline control grid), with
// trilinear interpolation for images and nearest neighbour for label maps, so an image and its
// mask resampled with the same WarpSpec stay aligned. This is the CPU reference; the layout is
// CUDA-ready: every output voxel is computed on its own from (spec, its index), so a GPU twin is
// one thread per output voxel.
//
// Coordinates are voxel indices [z, y, x] with voxel centres at integers. Output voxel o samples
// the source at
//   p(o) = A·o + t + d(o),
// A, t the 3×4 row-major `affine`, d the B-spline displacement (source voxel units; none when
// `control` is null). A source point outside the volume reads `fill`: trilinear interpolation
// treats every neighbour outside [0, n−1] as `fill` (scipy.ndimage's mode 'grid-constant');
// nearest reads voxel floor(p + 0.5) per axis, or `fill` when that lies outside.
//
// The displacement d is the uniform cubic B-spline through a control grid of [cz, cy, cx]
// points per component (each >= 4) stretched over the output grid as SimpleITK's
// BSplineTransform (and so TorchIO's RandomElasticDeformation) lays it out: mesh m = c − 3
// cells per axis cover voxel 0 … n − 1, so voxel o sits at u = o·m / (n − 1) (u = 0 when n = 1);
// with i = min(floor(u), m − 1) and s = u − i it blends control points i … i + 3 with the
// cubic B-spline weights ((1−s)³, 3s³ − 6s² + 4, −3s³ + 3s² + 3s + 1, s³) / 6.
#pragma once

#include <cstdint>

#include "warp/trilinear.h"

namespace ms {

struct WarpSpec {
  double affine[12] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};  // [A | t], row-major 3×4
  const float* control = nullptr;  // [3, cz, cy, cx] displacements (source voxels), or null
  WarpDims control_dims;           // each >= 4 when control is set
};

// out (out_dims) = in (in_dims) sampled at p(o), trilinear. in and out must not overlap.
void warp_linear(const float* in, const WarpDims& in_dims, float* out, const WarpDims& out_dims,
                 const WarpSpec& spec, float fill);

// Label maps: nearest neighbour.
void warp_nearest(const uint8_t* in, const WarpDims& in_dims, uint8_t* out, const WarpDims& out_dims,
                  const WarpSpec& spec, uint8_t fill);

// Label maps with a partial-volume coverage (same input grid): output voxel o is foreground when
// trilinear(coverage, p(o)) >= threshold — the rule the rasterizer draws masks by (coverage >= 1/2)
// — and then takes the nearest input label, or `fallback` where that label is 0; else 0. Smoother
// than nearest-neighbour labels alone, whose rotated staircases roughen a mask's surface.
void warp_gated_labels(const uint8_t* labels, const float* coverage, const WarpDims& in_dims, uint8_t* out,
                       const WarpDims& out_dims, const WarpSpec& spec, float threshold, uint8_t fallback);

// The dense displacement d as [3, Z, Y, X] (components dz, dy, dx) on `dims`, evaluated exactly as
// the warps evaluate it.
void bspline_displacement(const float* control, const WarpDims& control_dims, float* field,
                          const WarpDims& dims);

}  // namespace ms
