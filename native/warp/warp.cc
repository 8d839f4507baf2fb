// Resampling through an affine map plus an optional B-spline displacement (warp/warp.h).
//
// Work is split by output rows (z, y), in chunks that depend only on the sizes, sampled in the
// order of warp/row_order.h (blocked when an output plane reads a tilted source slab). An affine row
// needs no coordinates in memory: its sampler computes p(x) = b + x·a in registers
// (warp/trilinear_rows.h, warp/nearest_rows.h); rotated image rows prefetch the source a few
// rows ahead (warp/prefetch_rows.h). An elastic row first gets its source coordinates (the affine part,
// then the displacement added by the separable B-spline rows of warp/bspline_rows.h, whose
// construction is part of the warp's own loop: the dense field is never written), then samples.
#include "warp/warp.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "core/simd.h"
#include "core/thread_pool.h"
#include "warp/bspline_rows.h"
#include "warp/nearest_rows.h"
#include "warp/prefetch_rows.h"
#include "warp/row_order.h"
#include "warp/trilinear.h"
#include "warp/trilinear_rows.h"

namespace ms {
namespace {

// The affine part of row (z, y): p(x) = b + x·a per axis.
RowPoints affine_row(const WarpSpec& spec, int64_t z, int64_t y) {
  const double* A = spec.affine;
  const double zd = static_cast<double>(z), yd = static_cast<double>(y);
  RowPoints p;
  for (int k = 0; k < 3; ++k) {
    p.b[k] = A[4 * k] * zd + A[4 * k + 1] * yd + A[4 * k + 3];
    p.a[k] = A[4 * k + 2];
  }
  return p;
}

MS_SIMD_CLONES void fill_affine(double b, double a, int64_t n, double* MS_RESTRICT out) {
  for (int64_t x = 0; x < n; ++x) out[x] = b + a * static_cast<double>(x);
}

void check_spec(const WarpDims& in, const WarpDims& out, const WarpSpec& spec) {
  require(in.z >= 1 && in.y >= 1 && in.x >= 1 && out.z >= 1 && out.y >= 1 && out.x >= 1, "warp: dims must be >= 1");
  for (double v : spec.affine) require(std::isfinite(v), "warp: the affine must be finite");
  if (spec.control != nullptr) {
    const WarpDims& c = spec.control_dims;
    require(c.z >= 4 && c.y >= 4 && c.x >= 4, "warp: control grids need >= 4 points per axis");
  }
}

struct NoPrefetch {
  void operator()(const RowPoints&, int64_t) const {}
};

// Points of a row in memory as RowPoints.
RowPoints points_in(const double* pz, const double* py, const double* px) {
  RowPoints p;
  p.pz = pz;
  p.py = py;
  p.px = px;
  return p;
}

// The rows of units [u0, u1) of `order`, in sampling order.
std::vector<int64_t> chunk_rows(const RowOrder& order, int64_t u0, int64_t u1) {
  std::vector<int64_t> rows;
  order.rows(u0, u1, [&](int64_t r) { rows.push_back(r); });
  return rows;
}

// Blocked when the source z of an output plane is not fixed (warp/row_order.h).
RowOrder row_order(const WarpDims& out, const WarpSpec& spec) {
  return RowOrder(out, spec.control != nullptr || spec.affine[1] != 0 || spec.affine[2] != 0);
}

int64_t prefetch_step(const RowOrder& order) { return order.blocked() ? kPrefetchStepBlocked : kPrefetchStep; }

// Runs sample(pz, py, px, row) over every output row with the row's source coordinates in memory.
// When the affine part crosses source rows or planes and a prefetch is given, each chunk computes
// its rows' coordinates prefetch_rows_ahead() rows before sampling them (a ring of row buffers;
// still in sampling order, each row once) and calls prefetch on them then (warp/prefetch_rows.h).
template <typename Sample, typename Prefetch = NoPrefetch>
void for_each_row(const WarpDims& out, const WarpSpec& spec, Sample&& sample, Prefetch prefetch = {}) {
  std::optional<BsplineRows> elastic;
  if (spec.control != nullptr) elastic.emplace(spec.control, spec.control_dims, out);
  const int64_t nx = out.x;
  const RowOrder order = row_order(out, spec);
  const bool prefetching =
      !std::is_same_v<Prefetch, NoPrefetch> && row_leaves_source_row(affine_row(spec, 0, 0).a, nx);
  const int64_t ahead = prefetching ? prefetch_rows_ahead(nx) : 0, slots = ahead + 1;
  const int64_t step = prefetch_step(order);
  parallel_for(order.units(), order.grain(), [&](int64_t u0, int64_t u1) {
    const std::vector<int64_t> rows = chunk_rows(order, u0, u1);
    const int64_t n = static_cast<int64_t>(rows.size());
    std::vector<double> buf(static_cast<size_t>(3 * nx * slots));
    BsplineRows::Scratch scratch;
    const auto slot = [&](int64_t j) { return buf.data() + 3 * nx * (j % slots); };
    const auto compute = [&](int64_t j) {
      double *pz = slot(j), *py = pz + nx, *px = py + nx;
      const int64_t z = rows[j] / out.y, y = rows[j] % out.y;
      const RowPoints a = affine_row(spec, z, y);
      if (elastic) {
        elastic->row(z, y, a.b, a.a, pz, py, px, scratch);
      } else {
        fill_affine(a.b[0], a.a[0], nx, pz);
        fill_affine(a.b[1], a.a[1], nx, py);
        fill_affine(a.b[2], a.a[2], nx, px);
      }
      if (prefetching) prefetch(points_in(pz, py, px), step);
    };
    for (int64_t j = 0; j < std::min(ahead, n); ++j) compute(j);
    for (int64_t j = 0; j < n; ++j) {
      if (j + ahead < n) compute(j + ahead);
      const double* pz = slot(j);
      sample(pz, pz + nx, pz + 2 * nx, rows[j]);
    }
  });
}

// Runs sample(points, row) over every output row: an affine row as p(x) = b + x·a, an elastic
// row with its coordinates in memory. When affine rows cross source rows or planes, each first
// calls prefetch(points of the row prefetch_rows_ahead() later) (warp/prefetch_rows.h).
template <typename Sample, typename Prefetch = NoPrefetch>
void for_each_row_points(const WarpDims& out, const WarpSpec& spec, Sample&& sample, Prefetch prefetch = {}) {
  if (spec.control != nullptr) {
    for_each_row(
        out, spec,
        [&](const double* pz, const double* py, const double* px, int64_t r) { sample(points_in(pz, py, px), r); },
        prefetch);
    return;
  }
  const RowOrder order = row_order(out, spec);
  const bool ahead_needed =
      !std::is_same_v<Prefetch, NoPrefetch> && row_leaves_source_row(affine_row(spec, 0, 0).a, out.x);
  const int64_t ahead = prefetch_rows_ahead(out.x);
  const int64_t step = prefetch_step(order);
  const auto row_points = [&](int64_t r) { return affine_row(spec, r / out.y, r % out.y); };
  parallel_for(order.units(), order.grain(), [&](int64_t u0, int64_t u1) {
    // Each chunk prefetches its own rows (another thread's prefetches fill another core's
    // caches): its first `ahead` at once, then each row `ahead` before it is sampled.
    const std::vector<int64_t> rows = chunk_rows(order, u0, u1);
    const int64_t n = static_cast<int64_t>(rows.size());
    if (ahead_needed) {
      for (int64_t j = 0; j < std::min(ahead, n); ++j) prefetch(row_points(rows[j]), step);
    }
    for (int64_t j = 0; j < n; ++j) {
      if (ahead_needed && j + ahead < n) prefetch(row_points(rows[j + ahead]), step);
      sample(row_points(rows[j]), rows[j]);
    }
  });
}

}  // namespace

void warp_linear(const float* in, const WarpDims& in_dims, float* out, const WarpDims& out_dims, const WarpSpec& spec,
                 float fill) {
  check_spec(in_dims, out_dims, spec);
  const int64_t nx = out_dims.x;
  for_each_row_points(
      out_dims, spec, [&](const RowPoints& p, int64_t r) { trilinear_row(in, in_dims, p, 0, nx, out + r * nx, fill); },
      [&](const RowPoints& p, int64_t step) { prefetch_row(in, in_dims, p, nx, step); });
}

void warp_nearest(const uint8_t* in, const WarpDims& in_dims, uint8_t* out, const WarpDims& out_dims,
                  const WarpSpec& spec, uint8_t fill) {
  check_spec(in_dims, out_dims, spec);
  const int64_t nx = out_dims.x;
  // No prefetch: a uint8 volume's rows are 4× shorter and its planes stay cached; prefetching
  // rotated label rows made them 2× slower.
  for_each_row_points(out_dims, spec, [&](const RowPoints& p, int64_t r) {
    nearest_row(in, in_dims, p, 0, nx, out + r * nx, fill);
  });
}

void warp_gated_labels(const uint8_t* labels, const float* coverage, const WarpDims& in_dims, uint8_t* out,
                       const WarpDims& out_dims, const WarpSpec& spec, float threshold, uint8_t fallback) {
  check_spec(in_dims, out_dims, spec);
  for_each_row(out_dims, spec, [&](const double* pz, const double* py, const double* px, int64_t r) {
    uint8_t* o = out + r * out_dims.x;
    for (int64_t i = 0; i < out_dims.x; ++i) {
      const bool on = trilinear(coverage, in_dims, pz[i], py[i], px[i], 0.0f) >= threshold;
      const uint8_t label = nearest(labels, in_dims, pz[i], py[i], px[i], uint8_t{0});
      o[i] = on ? (label != 0 ? label : fallback) : 0;
    }
  });
}

void bspline_displacement(const float* control, const WarpDims& control_dims, float* field, const WarpDims& dims) {
  WarpSpec spec;
  spec.control = control;
  spec.control_dims = control_dims;
  for (double& v : spec.affine) v = 0;  // p(o) = d(o)
  check_spec(dims, dims, spec);
  const int64_t n = dims.count();
  for_each_row(dims, spec, [&](const double* pz, const double* py, const double* px, int64_t r) {
    const double* p[3] = {pz, py, px};
    for (int c = 0; c < 3; ++c) {
      float* o = field + c * n + r * dims.x;
      for (int64_t x = 0; x < dims.x; ++x) o[x] = static_cast<float>(p[c][x]);
    }
  });
}

}  // namespace ms
