// Per-voxel sums behind the nodule radiomics features (lib/generators/nodules/radiomics.ts turns
// them into features): the region's voxel count, its exposed voxel faces per axis, the central
// moments of its intensities and a grey-level co-occurrence matrix. One sample is one
// [Z, Y, X] patch; a batch of N patches is processed one patch per work item, so results do not
// depend on the thread count.
//
// Region: mask[v] != 0 when a mask is given, else image[v] >= threshold.
// Faces: a region voxel's face normal to axis a is exposed when the neighbour across it lies
//   outside the volume or outside the region; faces[a] counts them.
// Moments: mean μ and the sums Σ(v − μ)^k, k = 2, 3, 4, over region voxels (two passes); min, max.
// GLCM: intensities quantised to `levels` bins on [lo, hi) (clamped at both ends),
//   q = floor((v − lo) / (hi − lo) · levels); for each of the 13 directions of the 26-neighbourhood
//   with a positive first non-zero component and each region voxel whose neighbour in that
//   direction is also in the region, the pair counts once in each order (a symmetric matrix).
#pragma once

#include <cstdint>

namespace ms {

constexpr int kRadiomicsHeader = 10;  // voxels, faces z/y/x, mean, m2, m3, m4, min, max

// out: n × (kRadiomicsHeader + levels²) doubles; a sample with an empty region gets zeros.
void radiomics_sums(const float* image, const uint8_t* mask, int64_t n, int64_t z, int64_t y, int64_t x,
                    float threshold, double lo, double hi, int levels, double* out);

}  // namespace ms
