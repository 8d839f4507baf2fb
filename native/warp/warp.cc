// Resampling through an affine map plus an optional B-spline displacement (warp/warp.h).
//
// Work is split by output rows (z, y): a row first gets its source coordinates (the affine part,
// plus the displacement from a precomputed partial sum), then samples them. The displacement is
// separable: the x and y passes over the small control grid are done once per call into
// partial[c][kz][y][x], and each output voxel finishes the z pass itself (4 taps per component),
// so the dense field is never written and its construction is part of the warp's own loop.
#include "warp/warp.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/simd.h"
#include "core/thread_pool.h"
#include "warp/trilinear.h"

namespace ms {
namespace {

// One axis of the B-spline: for each output index its first control point and 4 weights.
struct AxisTaps {
  std::vector<int64_t> first;
  std::vector<float> w;  // 4 per index
};

AxisTaps axis_taps(int64_t n, int64_t controls) {
  AxisTaps t;
  t.first.resize(static_cast<size_t>(n));
  t.w.resize(static_cast<size_t>(4 * n));
  const int64_t mesh = controls - 3;
  for (int64_t o = 0; o < n; ++o) {
    const double u = n > 1 ? static_cast<double>(o) * static_cast<double>(mesh) / static_cast<double>(n - 1) : 0.0;
    const int64_t i = std::min(static_cast<int64_t>(std::floor(u)), mesh - 1);
    const double s = u - static_cast<double>(i);
    const double s2 = s * s, s3 = s2 * s;
    t.first[static_cast<size_t>(o)] = i;
    float* w = &t.w[static_cast<size_t>(4 * o)];
    w[0] = static_cast<float>((1 - s) * (1 - s) * (1 - s) / 6.0);
    w[1] = static_cast<float>((3 * s3 - 6 * s2 + 4) / 6.0);
    w[2] = static_cast<float>((-3 * s3 + 3 * s2 + 3 * s + 1) / 6.0);
    w[3] = static_cast<float>(s3 / 6.0);
  }
  return t;
}

// The displacement with its x and y passes done: partial[c][kz][y][x], c = 0..2, kz < cz.
struct Displacement {
  WarpDims cdims;
  AxisTaps tz;
  std::vector<float> partial;
  int64_t plane = 0;  // Y * X
};

Displacement prepare_displacement(const float* control, const WarpDims& cd, const WarpDims& out) {
  Displacement d;
  d.cdims = cd;
  d.tz = axis_taps(out.z, cd.z);
  const AxisTaps ty = axis_taps(out.y, cd.y), tx = axis_taps(out.x, cd.x);
  d.plane = out.y * out.x;
  // x pass: px[c][kz][ky][x]
  const int64_t rows = 3 * cd.z * cd.y;
  std::vector<float> px(static_cast<size_t>(rows * out.x));
  parallel_for(rows, 64, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* c = control + r * cd.x;
      float* o = px.data() + r * out.x;
      for (int64_t x = 0; x < out.x; ++x) {
        const float* w = &tx.w[static_cast<size_t>(4 * x)];
        const float* cc = c + tx.first[static_cast<size_t>(x)];
        o[x] = ((w[0] * cc[0] + w[1] * cc[1]) + w[2] * cc[2]) + w[3] * cc[3];
      }
    }
  });
  // y pass: partial[c][kz][y][x]
  const int64_t planes = 3 * cd.z;
  d.partial.resize(static_cast<size_t>(planes * d.plane));
  parallel_for(planes * out.y, std::max<int64_t>(1, 16384 / out.x), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t p = r / out.y, y = r % out.y;
      const float* w = &ty.w[static_cast<size_t>(4 * y)];
      const float* src = px.data() + (p * cd.y + ty.first[static_cast<size_t>(y)]) * out.x;
      float* o = d.partial.data() + r * out.x;
      for (int64_t x = 0; x < out.x; ++x) {
        o[x] = ((w[0] * src[x] + w[1] * src[out.x + x]) + w[2] * src[2 * out.x + x]) + w[3] * src[3 * out.x + x];
      }
    }
  });
  return d;
}

// Adds the displacement of row (z, y) to the coordinate rows p[0..2][x].
MS_SIMD_CLONES void add_displacement_row(const Displacement& d, int64_t z, int64_t y, int64_t nx, double* MS_RESTRICT pz,
                                         double* MS_RESTRICT py, double* MS_RESTRICT px) {
  const float* w = &d.tz.w[static_cast<size_t>(4 * z)];
  const int64_t k0 = d.tz.first[static_cast<size_t>(z)];
  double* dst[3] = {pz, py, px};
  for (int c = 0; c < 3; ++c) {
    const float* base = d.partial.data() + ((c * d.cdims.z + k0) * d.plane) + y * nx;
    const float* r0 = base;
    const float* r1 = base + d.plane;
    const float* r2 = base + 2 * d.plane;
    const float* r3 = base + 3 * d.plane;
    double* MS_RESTRICT out = dst[c];
    for (int64_t x = 0; x < nx; ++x) {
      out[x] += static_cast<double>(((w[0] * r0[x] + w[1] * r1[x]) + w[2] * r2[x]) + w[3] * r3[x]);
    }
  }
}

// Source coordinates of output row (z, y).
void row_coordinates(const WarpSpec& spec, const Displacement* d, int64_t z, int64_t y, int64_t nx, double* pz,
                     double* py, double* px) {
  const double* a = spec.affine;
  const double zd = static_cast<double>(z), yd = static_cast<double>(y);
  const double b0 = a[0] * zd + a[1] * yd + a[3];
  const double b1 = a[4] * zd + a[5] * yd + a[7];
  const double b2 = a[8] * zd + a[9] * yd + a[11];
  for (int64_t x = 0; x < nx; ++x) {
    const double xd = static_cast<double>(x);
    pz[x] = b0 + a[2] * xd;
    py[x] = b1 + a[6] * xd;
    px[x] = b2 + a[10] * xd;
  }
  if (d != nullptr) add_displacement_row(*d, z, y, nx, pz, py, px);
}

// Row scratch for the interior fast path: per voxel the flat index of its (floor) corner, the
// three fractional weights, and whether all 8 neighbours lie inside the volume.
struct RowScratch {
  std::vector<int32_t> idx;
  std::vector<float> tz, ty, tx;
  std::vector<int32_t> ok;
  explicit RowScratch(int64_t n)
      : idx(static_cast<size_t>(n)), tz(static_cast<size_t>(n)), ty(static_cast<size_t>(n)), tx(static_cast<size_t>(n)),
        ok(static_cast<size_t>(n)) {}
};

// Splits coordinates into corner indices and weights; branch-free so it vectorizes. Corners are
// clamped so every index is safe to read even where `ok` is 0 (those voxels are redone exactly).
struct SplitOut {
  int32_t* MS_RESTRICT idx;
  float* MS_RESTRICT tz;
  float* MS_RESTRICT ty;
  float* MS_RESTRICT tx;
  int32_t* MS_RESTRICT ok;
};

SplitOut split_out(RowScratch& s) { return SplitOut{s.idx.data(), s.tz.data(), s.ty.data(), s.tx.data(), s.ok.data()}; }

MS_ALWAYS_INLINE void split_one(const WarpDims& s, double pz, double py, double px, int64_t i, const SplitOut& r) {
  const double zmax = static_cast<double>(s.z - 2), ymax = static_cast<double>(s.y - 2), xmax = static_cast<double>(s.x - 2);
  const double fz = std::floor(pz), fy = std::floor(py), fx = std::floor(px);
  r.ok[i] = static_cast<int32_t>(fz >= 0) & static_cast<int32_t>(fz <= zmax) & static_cast<int32_t>(fy >= 0) &
                                 static_cast<int32_t>(fy <= ymax) & static_cast<int32_t>(fx >= 0) & static_cast<int32_t>(fx <= xmax);
  // Clamped corners (NaN → 0), written as selects so they vectorize.
  const double cz = !(fz >= 0) ? 0.0 : (fz > zmax ? zmax : fz);
  const double cy = !(fy >= 0) ? 0.0 : (fy > ymax ? ymax : fy);
  const double cx = !(fx >= 0) ? 0.0 : (fx > xmax ? xmax : fx);
  r.idx[i] = static_cast<int32_t>(cz) * static_cast<int32_t>(s.y * s.x) +
                                  static_cast<int32_t>(cy) * static_cast<int32_t>(s.x) + static_cast<int32_t>(cx);
  r.tz[i] = static_cast<float>(pz - fz);
  r.ty[i] = static_cast<float>(py - fy);
  r.tx[i] = static_cast<float>(px - fx);
}

MS_SIMD_CLONES int32_t count_ok(const int32_t* MS_RESTRICT ok, int64_t n) {
  int32_t c = 0;
  for (int64_t i = 0; i < n; ++i) c += ok[i];
  return c;
}

MS_SIMD_CLONES void split_row(const WarpDims& s, const double* MS_RESTRICT pz, const double* MS_RESTRICT py,
                              const double* MS_RESTRICT px, int64_t n, RowScratch& scratch) {
  const SplitOut r = split_out(scratch);
  for (int64_t i = 0; i < n; ++i) split_one(s, pz[i], py[i], px[i], i, r);
}

// The same for an affine row, p(x) = b + x·a, without materialising the coordinates.
MS_SIMD_CLONES void split_affine_row(const WarpDims& s, const double* b, const double* a, int64_t n, RowScratch& scratch) {
  const SplitOut r = split_out(scratch);
  const double b0 = b[0], b1 = b[1], b2 = b[2], a0 = a[0], a1 = a[1], a2 = a[2];
  for (int64_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(i);
    split_one(s, b0 + a0 * x, b1 + a1 * x, b2 + a2 * x, i, r);
  }
}

// Trilinear at every voxel from its corner index (gathers; the same lerps as trilinear()).
MS_SIMD_CLONES void interpolate_row(const float* MS_RESTRICT in, int32_t plane, int32_t row, const RowScratch& r, int64_t n,
                                    float* MS_RESTRICT out) {
  const int32_t* MS_RESTRICT idx = r.idx.data();
  const float* MS_RESTRICT tz = r.tz.data();
  const float* MS_RESTRICT ty = r.ty.data();
  const float* MS_RESTRICT tx = r.tx.data();
  for (int64_t i = 0; i < n; ++i) {
    const int32_t k = idx[i];
    const float c00 = lerp(in[k], in[k + 1], tx[i]), c01 = lerp(in[k + row], in[k + row + 1], tx[i]);
    const float c10 = lerp(in[k + plane], in[k + plane + 1], tx[i]);
    const float c11 = lerp(in[k + plane + row], in[k + plane + row + 1], tx[i]);
    out[i] = lerp(lerp(c00, c01, ty[i]), lerp(c10, c11, ty[i]), tz[i]);
  }
}

// A row's source coordinates: given per voxel (arrays) or affine, p(x) = b + x·a.
struct RowCoords {
  const double *pz = nullptr, *py = nullptr, *px = nullptr;
  double b[3] = {0, 0, 0}, a[3] = {0, 0, 0};
  void at(int64_t i, double* p) const {
    if (pz != nullptr) {
      p[0] = pz[i];
      p[1] = py[i];
      p[2] = px[i];
      return;
    }
    const double x = static_cast<double>(i);
    for (int k = 0; k < 3; ++k) p[k] = b[k] + a[k] * x;
  }
};

// Trilinear along one output row: the vectorized interior pass, then the exact scalar sampler
// for voxels whose neighbourhood leaves the volume.
void sample_linear_row(const float* in, const WarpDims& s, const RowCoords& c, int64_t n, float* out, float fill,
                       RowScratch& scratch) {
  double p[3];
  // The fast path needs at least 2 voxels per axis (and int32 indices, which MAX_VOXELS guarantees).
  if (s.z < 2 || s.y < 2 || s.x < 2 || s.count() > INT32_MAX) {
    for (int64_t i = 0; i < n; ++i) {
      c.at(i, p);
      out[i] = trilinear(in, s, p[0], p[1], p[2], fill);
    }
    return;
  }
  if (c.pz != nullptr) split_row(s, c.pz, c.py, c.px, n, scratch);
  else split_affine_row(s, c.b, c.a, n, scratch);
  interpolate_row(in, static_cast<int32_t>(s.y * s.x), static_cast<int32_t>(s.x), scratch, n, out);
  if (count_ok(scratch.ok.data(), n) == n) return;
  for (int64_t i = 0; i < n; ++i) {
    if (scratch.ok[static_cast<size_t>(i)]) continue;
    c.at(i, p);
    out[i] = trilinear(in, s, p[0], p[1], p[2], fill);
  }
}

RowScratch& row_scratch(int64_t n) {
  thread_local RowScratch scratch(0);
  if (static_cast<int64_t>(scratch.idx.size()) < n) scratch = RowScratch(n);
  return scratch;
}

MS_SIMD_CLONES void sample_nearest_row(const uint8_t* MS_RESTRICT in, const WarpDims& s, const double* pz, const double* py,
                                       const double* px, int64_t n, uint8_t* MS_RESTRICT out, uint8_t fill) {
  for (int64_t i = 0; i < n; ++i) out[i] = nearest(in, s, pz[i], py[i], px[i], fill);
}

void check_spec(const WarpDims& in, const WarpDims& out, const WarpSpec& spec) {
  require(in.z >= 1 && in.y >= 1 && in.x >= 1 && out.z >= 1 && out.y >= 1 && out.x >= 1, "warp: dims must be >= 1");
  for (double v : spec.affine) require(std::isfinite(v), "warp: the affine must be finite");
  if (spec.control != nullptr) {
    const WarpDims& c = spec.control_dims;
    require(c.z >= 4 && c.y >= 4 && c.x >= 4, "warp: control grids need >= 4 points per axis");
  }
}

// Runs sample(row coordinates, row index) over every output row.
template <typename Sample>
void for_each_row(const WarpDims& out, const WarpSpec& spec, Sample&& sample) {
  Displacement d;
  const bool elastic = spec.control != nullptr;
  if (elastic) d = prepare_displacement(spec.control, spec.control_dims, out);
  const int64_t nx = out.x;
  parallel_for(out.z * out.y, std::max<int64_t>(1, 8192 / nx), [&](int64_t r0, int64_t r1) {
    std::vector<double> buf(static_cast<size_t>(3 * nx));
    double *pz = buf.data(), *py = pz + nx, *px = py + nx;
    for (int64_t r = r0; r < r1; ++r) {
      row_coordinates(spec, elastic ? &d : nullptr, r / out.y, r % out.y, nx, pz, py, px);
      sample(pz, py, px, r);
    }
  });
}

}  // namespace

void warp_linear(const float* in, const WarpDims& in_dims, float* out, const WarpDims& out_dims, const WarpSpec& spec,
                 float fill) {
  check_spec(in_dims, out_dims, spec);
  if (spec.control != nullptr) {
    for_each_row(out_dims, spec, [&](const double* pz, const double* py, const double* px, int64_t r) {
      RowCoords c;
      c.pz = pz;
      c.py = py;
      c.px = px;
      sample_linear_row(in, in_dims, c, out_dims.x, out + r * out_dims.x, fill, row_scratch(out_dims.x));
    });
    return;
  }
  // Affine only: coordinates are generated inside the split pass (row base b, step a per voxel).
  const double* A = spec.affine;
  parallel_for(out_dims.z * out_dims.y, std::max<int64_t>(1, 8192 / out_dims.x), [&](int64_t r0, int64_t r1) {
    RowScratch& scratch = row_scratch(out_dims.x);
    for (int64_t r = r0; r < r1; ++r) {
      const double z = static_cast<double>(r / out_dims.y), y = static_cast<double>(r % out_dims.y);
      RowCoords c;
      for (int k = 0; k < 3; ++k) {
        c.b[k] = A[4 * k] * z + A[4 * k + 1] * y + A[4 * k + 3];
        c.a[k] = A[4 * k + 2];
      }
      sample_linear_row(in, in_dims, c, out_dims.x, out + r * out_dims.x, fill, scratch);
    }
  });
}

void warp_nearest(const uint8_t* in, const WarpDims& in_dims, uint8_t* out, const WarpDims& out_dims,
                  const WarpSpec& spec, uint8_t fill) {
  check_spec(in_dims, out_dims, spec);
  for_each_row(out_dims, spec, [&](const double* pz, const double* py, const double* px, int64_t r) {
    sample_nearest_row(in, in_dims, pz, py, px, out_dims.x, out + r * out_dims.x, fill);
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
