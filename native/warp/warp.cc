// Resampling through an affine map plus an optional B-spline displacement (warp/warp.h).
//
// Work is split by output rows (z, y): a row first gets its source coordinates (the affine part,
// plus the displacement from a precomputed partial sum), then samples them. The displacement is
// separable: the x and y passes over the small control grid are done once per call into
// partial[c][kz][y][x], and each output voxel finishes the z pass itself (4 taps per component),
// so the dense field is never written and its construction is part of the warp's own loop.
#include "warp/warp.h"

#include <algorithm>
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

MS_SIMD_CLONES void sample_linear_row(const float* MS_RESTRICT in, const WarpDims& s, const double* pz, const double* py,
                                      const double* px, int64_t n, float* MS_RESTRICT out, float fill) {
  for (int64_t i = 0; i < n; ++i) out[i] = trilinear(in, s, pz[i], py[i], px[i], fill);
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
  for_each_row(out_dims, spec, [&](const double* pz, const double* py, const double* px, int64_t r) {
    sample_linear_row(in, in_dims, pz, py, px, out_dims.x, out + r * out_dims.x, fill);
  });
}

void warp_nearest(const uint8_t* in, const WarpDims& in_dims, uint8_t* out, const WarpDims& out_dims,
                  const WarpSpec& spec, uint8_t fill) {
  check_spec(in_dims, out_dims, spec);
  for_each_row(out_dims, spec, [&](const double* pz, const double* py, const double* px, int64_t r) {
    sample_nearest_row(in, in_dims, pz, py, px, out_dims.x, out + r * out_dims.x, fill);
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
