#include "volume/label_ops.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

void check_box(const Box3& b, int64_t nz, int64_t ny, int64_t nx) {
  require(b.z0 >= 0 && b.y0 >= 0 && b.x0 >= 0 && b.z1 <= nz && b.y1 <= ny && b.x1 <= nx && b.z0 < b.z1 &&
              b.y0 < b.y1 && b.x0 < b.x1,
          "box must be non-empty and inside the volume");
}

// Calls fn(label, x0, x1) for each run [x0, x1) of equal labels in a row of nx voxels.
template <class Fn>
void for_each_run(const uint8_t* row, int64_t nx, Fn&& fn) {
  int64_t x = 0;
  while (x < nx) {
    const uint8_t l = row[x];
    int64_t run_end = x + 1;
    while (run_end < nx && row[run_end] == l) ++run_end;
    fn(l, x, run_end);
    x = run_end;
  }
}

// One pass over the label map, one task per layer of bz slices: the tight box of every label
// (when bounds is given) and the chunks of a [bz, by, bx] grid that hold it (when occupancy is
// given). Each layer keeps its own partial boxes and writes only its own flags; min/max merging
// is order-independent, so any thread count gives the same result.
void scan_labels(const uint8_t* labels, int64_t nz, int64_t ny, int64_t nx, int64_t bz, int64_t by, int64_t bx,
                 int n_labels, Box3* bounds, uint8_t* occupancy) {
  require(n_labels >= 1 && n_labels <= 256, "label count must be in [1, 256]");
  require(bz >= 1 && by >= 1 && bx >= 1, "chunk sides must be >= 1");
  const int64_t gz = (nz + bz - 1) / bz, gy = (ny + by - 1) / by, gx = (nx + bx - 1) / bx;
  const int64_t per_label = gz * gy * gx;
  if (occupancy != nullptr) std::memset(occupancy, 0, static_cast<size_t>(per_label * n_labels));
  const Box3 empty{INT32_MAX, INT32_MAX, INT32_MAX, INT32_MIN, INT32_MIN, INT32_MIN};
  std::vector<Box3> per_layer(bounds != nullptr ? static_cast<size_t>(gz * n_labels) : 0, empty);
  parallel_for(gz, 1, [&](int64_t izb, int64_t ize) {
    for (int64_t iz = izb; iz < ize; ++iz) {
      Box3* box = bounds != nullptr ? &per_layer[static_cast<size_t>(iz * n_labels)] : nullptr;
      for (int64_t z = iz * bz; z < std::min(nz, (iz + 1) * bz); ++z) {
        for (int64_t y = 0; y < ny; ++y) {
          uint8_t* flags = occupancy != nullptr ? occupancy + (iz * gy + y / by) * gx : nullptr;
          for_each_run(labels + (z * ny + y) * nx, nx, [&](uint8_t l, int64_t x, int64_t run_end) {
            if (l >= n_labels) return;
            if (box != nullptr) {
              Box3& b = box[l];
              b.z0 = std::min(b.z0, static_cast<int32_t>(z));
              b.z1 = std::max(b.z1, static_cast<int32_t>(z + 1));
              b.y0 = std::min(b.y0, static_cast<int32_t>(y));
              b.y1 = std::max(b.y1, static_cast<int32_t>(y + 1));
              b.x0 = std::min(b.x0, static_cast<int32_t>(x));
              b.x1 = std::max(b.x1, static_cast<int32_t>(run_end));
            }
            if (flags != nullptr) {
              uint8_t* f = flags + l * per_label;
              for (int64_t ix = x / bx; ix <= (run_end - 1) / bx; ++ix) f[ix] = 1;
            }
          });
        }
      }
    }
  });
  if (bounds == nullptr) return;
  for (int l = 0; l < n_labels; ++l) {
    Box3 b = empty;
    for (int64_t iz = 0; iz < gz; ++iz) {
      const Box3& s = per_layer[static_cast<size_t>(iz * n_labels + l)];
      if (s.z1 == INT32_MIN) continue;  // label absent from this layer
      b.z0 = std::min(b.z0, s.z0);
      b.z1 = std::max(b.z1, s.z1);
      b.y0 = std::min(b.y0, s.y0);
      b.y1 = std::max(b.y1, s.y1);
      b.x0 = std::min(b.x0, s.x0);
      b.x1 = std::max(b.x1, s.x1);
    }
    if (b.z1 == INT32_MIN) b = Box3{0, 0, 0, 0, 0, 0};
    bounds[l] = b;
  }
}

}  // namespace

void label_bounds(const uint8_t* labels, int64_t nz, int64_t ny, int64_t nx, int n_labels, Box3* bounds) {
  scan_labels(labels, nz, ny, nx, 1, 1, 1, n_labels, bounds, nullptr);
}

void label_chunk_occupancy(const uint8_t* labels, int64_t nz, int64_t ny, int64_t nx, int64_t bz, int64_t by,
                           int64_t bx, int n_labels, uint8_t* occupancy, Box3* bounds) {
  scan_labels(labels, nz, ny, nx, bz, by, bx, n_labels, bounds, occupancy);
}

void label_mask_box(const uint8_t* labels, int64_t nz, int64_t ny, int64_t nx, const Box3& b, uint8_t label,
                    uint8_t* out) {
  check_box(b, nz, ny, nx);
  const int64_t bz = b.z1 - b.z0, by = b.y1 - b.y0, bx = b.x1 - b.x0;
  parallel_for(bz, 1, [&](int64_t zb, int64_t ze) {
    for (int64_t z = zb; z < ze; ++z) {
      for (int64_t y = 0; y < by; ++y) {
        const uint8_t* src = labels + ((b.z0 + z) * ny + (b.y0 + y)) * nx + b.x0;
        uint8_t* dst = out + (z * by + y) * bx;
        for (int64_t x = 0; x < bx; ++x) dst[x] = src[x] == label ? 1 : 0;
      }
    }
  });
}

namespace {

// labels[v] = s + 1 where mask[v] != 0, in place: one structure's pass over a chunk.
MS_SIMD_CLONES void overlay_mask(const uint8_t* MS_RESTRICT mask, uint8_t s1, int64_t n, uint8_t* MS_RESTRICT labels) {
  for (int64_t v = 0; v < n; ++v) labels[v] = mask[v] != 0 ? s1 : labels[v];
}

}  // namespace

void labels_from_one_hot(const uint8_t* masks, int64_t structures, int64_t voxels, uint8_t* labels) {
  require(structures >= 1 && structures <= 255, "structure count must be in [1, 255]");
  require(voxels >= 0, "voxel count must be >= 0");
  // Chunks small enough that a chunk's labels stay in L1/L2 across all structures' passes.
  parallel_for(voxels, 1 << 14, [&](int64_t v0, int64_t v1) {
    std::memset(labels + v0, 0, static_cast<size_t>(v1 - v0));
    for (int64_t s = 0; s < structures; ++s) {
      overlay_mask(masks + s * voxels + v0, static_cast<uint8_t>(s + 1), v1 - v0, labels + v0);
    }
  });
}

void crop_box(const void* volume, int64_t elem_size, int64_t nz, int64_t ny, int64_t nx, const Box3& b, void* out) {
  check_box(b, nz, ny, nx);
  const int64_t bz = b.z1 - b.z0, by = b.y1 - b.y0, bx = b.x1 - b.x0;
  const auto* src = static_cast<const uint8_t*>(volume);
  auto* dst = static_cast<uint8_t*>(out);
  parallel_for(bz, 1, [&](int64_t zb, int64_t ze) {
    for (int64_t z = zb; z < ze; ++z) {
      for (int64_t y = 0; y < by; ++y) {
        std::memcpy(dst + ((z * by + y) * bx) * elem_size,
                    src + (((b.z0 + z) * ny + (b.y0 + y)) * nx + b.x0) * elem_size,
                    static_cast<size_t>(bx * elem_size));
      }
    }
  });
}

}  // namespace ms
