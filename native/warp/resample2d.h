// Affine resampling of stacks of 2-D planes: resizing a slice to a model's input size and the
// rotation / flip augmentations of a training sample, in one kernel. This is the plain reference
// shape for a later CUDA twin in cuda/warp/.
//
//   src: (C, H, W)   dst: (C, h, w)   every plane warped with the same map
//
// The map takes a destination pixel (x, y) (index units, pixel centres at integers) to a source
// position:  xs = m[0]·x + m[1]·y + m[2],  ys = m[3]·x + m[4]·y + m[5]  (double precision).
// A resize from (H, W) to (h, w) is m = [W/w, 0, (W/w − 1)/2, 0, H/h, (H/h − 1)/2], which is
// PyTorch's F.interpolate(mode='bilinear', align_corners=False) with edge padding.
//
// Interpolation: linear (bilinear on the four nearest source pixels) or nearest
// (source pixel floor(xs + 0.5)). A tap outside the source reads `fill` (constant padding) or
// the nearest edge pixel (edge padding). When `threshold` is not NaN the output is binarised,
// 1 where the interpolated value >= threshold and 0 elsewhere (masks through a bilinear warp).
// dst is assigned, never accumulated; src and dst must not overlap.
#pragma once

#include <cstdint>

namespace ms {

enum class Interpolation { kLinear, kNearest };
enum class Padding { kConstant, kEdge };

struct Warp2dParams {
  double m[6];
  Interpolation interpolation = Interpolation::kLinear;
  Padding padding = Padding::kConstant;
  float fill = 0.0f;
  float threshold;  // NaN: no binarisation
};

void warp_affine_2d(const float* src, int64_t planes, int64_t height, int64_t width, float* dst,
                    int64_t out_height, int64_t out_width, const Warp2dParams& p);

}  // namespace ms
