// Patch insertion with a soft edge (warp/insert_patch.h). Rows of the box are independent; each
// chunk of rows keeps its own sums, combined in chunk order, so totals do not depend on the
// thread count.
#include "warp/insert_patch.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"

namespace ms {

void insert_patch(float* ct, uint8_t* labels, const WarpDims& dims, const PatchInsert& p, double* inserted,
                  int64_t* labelled) {
  require(p.patch != nullptr && p.alpha != nullptr && p.host_ok != nullptr, "insert_patch: missing buffers");
  require(p.patch_dims.z >= 1 && p.patch_dims.y >= 1 && p.patch_dims.x >= 1, "insert_patch: patch dims must be >= 1");
  for (double v : p.affine) require(std::isfinite(v), "insert_patch: the affine must be finite");
  const int64_t n[3] = {dims.z, dims.y, dims.x};
  int64_t lo[3], hi[3];
  for (int a = 0; a < 3; ++a) {
    lo[a] = std::max<int64_t>(0, p.lo[a]);
    hi[a] = std::min<int64_t>(n[a], p.hi[a]);
  }
  *inserted = 0;
  *labelled = 0;
  if (lo[0] >= hi[0] || lo[1] >= hi[1] || lo[2] >= hi[2]) return;
  const int64_t rows = (hi[0] - lo[0]) * (hi[1] - lo[1]);
  const int64_t grain = 16;
  const int64_t chunks = (rows + grain - 1) / grain;
  std::vector<double> sums(static_cast<size_t>(chunks), 0.0);
  std::vector<int64_t> counts(static_cast<size_t>(chunks), 0);
  const double* A = p.affine;
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    double sum = 0;
    int64_t count = 0;
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t z = lo[0] + r / (hi[1] - lo[1]), y = lo[1] + r % (hi[1] - lo[1]);
      for (int64_t x = lo[2]; x < hi[2]; ++x) {
        const int64_t v = (z * dims.y + y) * dims.x + x;
        if (!p.host_ok[labels[v]]) continue;
        const double o[3] = {static_cast<double>(z), static_cast<double>(y), static_cast<double>(x)};
        double q[3];
        for (int a = 0; a < 3; ++a) q[a] = A[4 * a] * o[0] + A[4 * a + 1] * o[1] + A[4 * a + 2] * o[2] + A[4 * a + 3];
        const float w = trilinear(p.alpha, p.patch_dims, q[0], q[1], q[2], 0.0f);
        if (!(w > 0)) continue;
        const float host = ct[v];
        const float value = trilinear(p.patch, p.patch_dims, q[0], q[1], q[2], host);
        ct[v] = host + w * (value - host);
        sum += w;
        if (w >= 0.5f) {
          labels[v] = p.nodule_label;
          ++count;
        }
      }
    }
    sums[static_cast<size_t>(r0 / grain)] = sum;
    counts[static_cast<size_t>(r0 / grain)] = count;
  });
  for (int64_t c = 0; c < chunks; ++c) {
    *inserted += sums[static_cast<size_t>(c)];
    *labelled += counts[static_cast<size_t>(c)];
  }
}

}  // namespace ms
