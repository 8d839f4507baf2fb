// Resampling through an affine map plus an optional B-spline displacement (warp/warp.h).
//
// Work is split by output rows (z, y), in chunks that depend only on the sizes, sampled in the
// order of warp/row_order.h (blocked when an output plane reads a tilted source slab). The
// samplers (warp/trilinear_rows.h, warp/nearest_rows.h) compute a row's points p(x) = b + x·a in
// registers; an elastic row first gets its displacement row from the separable B-spline rows of
// warp/bspline_rows.h (part of the warp's own loop: the dense field is never written), which the
// samplers add (warp/row_points.h). Rotated and elastic image rows prefetch the source a few rows
// ahead (warp/prefetch_rows.h).
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

void check_spec(const WarpDims& in, const WarpDims& out, const WarpSpec& spec) {
  require(in.z >= 1 && in.y >= 1 && in.x >= 1 && out.z >= 1 && out.y >= 1 && out.x >= 1, "warp: dims must be >= 1");
  for (double v : spec.affine) require(std::isfinite(v), "warp: the affine must be finite");
  if (spec.control != nullptr) {
    const WarpDims& c = spec.control_dims;
    require(c.z >= 4 && c.y >= 4 && c.x >= 4, "warp: control grids need >= 4 points per axis");
  }
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

// When and how densely rows prefetch (warp/prefetch_rows.h): rows that cross source rows or planes
// through the affine part prefetch all four lines of their points; elastic rows of a row-aligned
// warp only the next plane's next row; others none (ahead 0).
struct PrefetchPlan {
  int64_t ahead = 0, step = 0;
  PrefetchLines lines = PrefetchLines::all;
};

PrefetchPlan prefetch_plan(const WarpDims& out, const WarpSpec& spec, const RowOrder& order) {
  if (row_leaves_source_row(affine_row(spec, 0, 0).a, out.x)) {
    return {prefetch_rows_ahead(out.x), order.blocked() ? kPrefetchStepBlocked : kPrefetchStep, PrefetchLines::all};
  }
  if (spec.control != nullptr) return {kPrefetchRowsAheadElastic, kPrefetchStepElastic, PrefetchLines::next_plane_row};
  return {};
}

struct NoPrefetch {
  void operator()(const RowPoints&, const PrefetchPlan&) const {}
};

// Runs sample(points, row) over every output row, in the order of warp/row_order.h. An elastic
// row's displacement is computed into a ring of row buffers. When prefetch_plan() prefetches and
// a prefetch is given, each chunk prepares its rows that many rows before sampling them
// (displacement, then prefetch(points, plan)): still each row once, in order.
template <typename Sample, typename Prefetch = NoPrefetch>
void for_each_row(const WarpDims& out, const WarpSpec& spec, Sample&& sample, Prefetch prefetch = {}) {
  std::optional<BsplineRows> elastic;
  if (spec.control != nullptr) elastic.emplace(spec.control, spec.control_dims, out);
  const int64_t nx = out.x;
  const RowOrder order = row_order(out, spec);
  const PrefetchPlan plan = std::is_same_v<Prefetch, NoPrefetch> ? PrefetchPlan{} : prefetch_plan(out, spec, order);
  const bool prefetching = plan.ahead > 0;
  const int64_t ahead = plan.ahead, slots = ahead + 1;
  parallel_for(order.units(), order.grain(), [&](int64_t u0, int64_t u1) {
    const std::vector<int64_t> rows = chunk_rows(order, u0, u1);
    const int64_t n = static_cast<int64_t>(rows.size());
    std::vector<float> ring(elastic ? static_cast<size_t>(3 * nx * slots) : 0);
    BsplineRows::Scratch scratch;
    const auto slot = [&](int64_t j) { return ring.data() + 3 * nx * (j % slots); };
    const auto points = [&](int64_t j) {
      RowPoints p = affine_row(spec, rows[j] / out.y, rows[j] % out.y);
      if (elastic) {
        const float* d = slot(j);
        for (int k = 0; k < 3; ++k) p.d[k] = d + k * nx;
      }
      return p;
    };
    const auto prepare = [&](int64_t j) {
      if (elastic) {
        float* d = slot(j);
        elastic->row(rows[j] / out.y, rows[j] % out.y, d, d + nx, d + 2 * nx, scratch);
      }
      if (prefetching) prefetch(points(j), plan);
    };
    // Each chunk prefetches its own rows (another thread's prefetches fill another core's
    // caches): its first `ahead` at once, then each row `ahead` before it is sampled.
    for (int64_t j = 0; j < std::min(ahead, n); ++j) prepare(j);
    for (int64_t j = 0; j < n; ++j) {
      if (j + ahead < n) prepare(j + ahead);
      sample(points(j), rows[j]);
    }
  });
}

}  // namespace

void warp_linear(const float* in, const WarpDims& in_dims, float* out, const WarpDims& out_dims, const WarpSpec& spec,
                 float fill) {
  check_spec(in_dims, out_dims, spec);
  const int64_t nx = out_dims.x;
  for_each_row(
      out_dims, spec, [&](const RowPoints& p, int64_t r) { trilinear_row(in, in_dims, p, 0, nx, out + r * nx, fill); },
      [&](const RowPoints& p, const PrefetchPlan& plan) { prefetch_row(in, in_dims, p, nx, plan.step, plan.lines); });
}

void warp_nearest(const uint8_t* in, const WarpDims& in_dims, uint8_t* out, const WarpDims& out_dims,
                  const WarpSpec& spec, uint8_t fill) {
  check_spec(in_dims, out_dims, spec);
  const int64_t nx = out_dims.x;
  // No prefetch: a uint8 volume's rows are 4× shorter and its planes stay cached; prefetching
  // rotated label rows made them 2× slower.
  for_each_row(out_dims, spec, [&](const RowPoints& p, int64_t r) { nearest_row(in, in_dims, p, 0, nx, out + r * nx, fill); });
}

void warp_gated_labels(const uint8_t* labels, const float* coverage, const WarpDims& in_dims, uint8_t* out,
                       const WarpDims& out_dims, const WarpSpec& spec, float threshold, uint8_t fallback) {
  check_spec(in_dims, out_dims, spec);
  for_each_row(out_dims, spec, [&](const RowPoints& p, int64_t r) {
    uint8_t* o = out + r * out_dims.x;
    for (int64_t i = 0; i < out_dims.x; ++i) {
      double q[3];
      point_at(p, i, q);
      const bool on = trilinear(coverage, in_dims, q[0], q[1], q[2], 0.0f) >= threshold;
      const uint8_t label = nearest(labels, in_dims, q[0], q[1], q[2], uint8_t{0});
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
  for_each_row(dims, spec, [&](const RowPoints& p, int64_t r) {
    for (int64_t x = 0; x < dims.x; ++x) {
      double q[3];
      point_at(p, x, q);
      for (int c = 0; c < 3; ++c) field[c * n + r * dims.x + x] = static_cast<float>(q[c]);
    }
  });
}

}  // namespace ms
