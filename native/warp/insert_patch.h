// Inserting a patch (a nodule) into a host volume (a CT) with a soft edge, only where the host's
// label allows it (the lung), and marking it in the host's label map. CPU reference; one output
// voxel per work item, so a CUDA twin is one thread per voxel of the box.
//
// For each host voxel o in the box [lo, hi) (per axis) whose label L has host_ok[L] != 0:
//   q = A·o + t                            (the 3×4 `affine`: host voxel → patch voxel)
//   a = trilinear(alpha, q, fill 0)        (the patch's blending weight, 0…1, soft at the edge)
//   v = trilinear(patch, q, fill ct[o])    (outside the patch the patch "is" the host)
//   ct[o] = ct[o] + a·(v − ct[o])
//   labels[o] = nodule_label  where a >= 1/2
// Other voxels are left exactly as they were.
#pragma once

#include <cstdint>

#include "warp/trilinear.h"

namespace ms {

struct PatchInsert {
  const float* patch = nullptr;  // patch_dims values (HU)
  const float* alpha = nullptr;  // patch_dims weights in [0, 1]
  WarpDims patch_dims;
  double affine[12] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
  int64_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};  // host box [lo, hi), clipped to the volume
  const uint8_t* host_ok = nullptr;  // 256 flags by host label
  uint8_t nodule_label = 0;
};

// Returns the summed weight a over the changed voxels (the inserted volume in voxels) in
// *inserted and the number of voxels given nodule_label in *labelled.
void insert_patch(float* ct, uint8_t* labels, const WarpDims& dims, const PatchInsert& p, double* inserted,
                  int64_t* labelled);

}  // namespace ms
