#include "volume/rasterize.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/simd.h"
#include "core/thread_pool.h"
#include "volume/raster_prepare.h"

namespace ms {
namespace {

// Sub-sample offsets along each axis.
constexpr double kOffsets[4] = {-0.375, -0.125, 0.125, 0.375};
constexpr double kCoordLimit = 1e7;  // |coordinates| and sizes, voxels; keeps squares finite
constexpr int64_t kRowsPerUnit = 8;

using Prepared = PreparedShape;

// First and last voxel index in [0, n) whose sub-samples can touch [lo, hi].
void voxel_range(double lo, double hi, int64_t n, int64_t& first, int64_t& last) {
  const double f = std::ceil(lo - 0.375), l = std::floor(hi + 0.375);
  first = static_cast<int64_t>(std::max(0.0, std::min(f, static_cast<double>(n))));
  last = static_cast<int64_t>(std::min(static_cast<double>(n - 1), std::max(l, -1.0)));
}

// ceil / floor of v clamped into [lo, hi] before the conversion (v may be +-1e300).
int64_t ceil_clamped(double v, int64_t lo, int64_t hi) {
  return static_cast<int64_t>(std::min(static_cast<double>(hi), std::max(static_cast<double>(lo), std::ceil(v))));
}
int64_t floor_clamped(double v, int64_t lo, int64_t hi) {
  return static_cast<int64_t>(std::min(static_cast<double>(hi), std::max(static_cast<double>(lo), std::floor(v))));
}

void require_finite(const double* v, int n, const std::string& what) {
  for (int i = 0; i < n; ++i) {
    require(std::isfinite(v[i]) && std::fabs(v[i]) <= kCoordLimit,
            what + " must be finite numbers of magnitude <= 1e7");
  }
}

void check_rotation(const double* R, const std::string& who) {
  require_finite(R, 9, who + " rotation");
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const double d = R[i] * R[j] + R[3 + i] * R[3 + j] + R[6 + i] * R[6 + j];
      require(std::fabs(d - (i == j ? 1.0 : 0.0)) <= 1e-6, who + " rotation must be orthonormal");
    }
  }
}

bool positive_size(double v) { return std::isfinite(v) && v > 0 && v <= kCoordLimit; }

void check_shape(const RasterShape& s, size_t index, const RasterTargets& t) {
  const std::string who = "shape " + std::to_string(index);
  const ShapeParams& p = s.geometry;
  require(p.kind >= kEllipsoid && p.kind <= kLobulated, who + " has an unknown type");
  require(s.blend >= kBlendReplace && s.blend <= kBlendMax, who + " has an unknown blend mode");
  require(s.label >= -1 && s.label <= 255, who + " label must be in 0..255");
  require(s.plane >= -1 && s.plane < t.z, who + " plane must be a slice index in [0, Z)");
  require(std::isfinite(s.intensity), who + " intensity must be finite");
  require(!std::isnan(s.priority), who + " priority must be a number");
  if (p.kind == kEllipsoid || p.kind == kBean || p.kind == kLobulated) {
    require_finite(p.center, 3, who + " center");
    check_rotation(p.rotation, who);
  }
  if (p.kind == kEllipsoid || p.kind == kBean) {
    for (double r : p.radii) require(positive_size(r), who + " radii must be > 0");
  }
  if (p.kind == kBean) {
    require(p.hilum_depth >= 0 && p.hilum_depth < 1, who + " hilumDepth must be in [0, 1)");
    require(positive_size(p.hilum_width), who + " hilumWidth must be > 0");
  }
  if (p.kind == kCapsule || p.kind == kCylinder) {
    require_finite(p.a, 3, who + " a");
    require_finite(p.b, 3, who + " b");
    require(positive_size(p.radius), who + " radius must be > 0");
    if (p.kind == kCylinder) {
      require(p.a[0] != p.b[0] || p.a[1] != p.b[1] || p.a[2] != p.b[2], who + " needs a != b");
    }
  }
  if (p.kind == kLobulated) {
    require(positive_size(p.radius), who + " radius must be > 0");
    require(p.n_harmonics >= 0 && p.n_harmonics <= kMaxHarmonics, who + " has too many harmonics");
    require(p.n_spicules >= 0 && p.n_spicules <= kMaxSpicules, who + " has too many spicules");
    double amp_sum = 0;
    for (int m = 0; m < p.n_harmonics; ++m) {
      const auto& h = p.harmonics[m];
      require(std::isfinite(h.amplitude), who + " harmonic amplitude must be finite");
      require(h.degree >= 0 && h.degree <= kMaxHarmonicDegree, who + " harmonic degree must be in 0..32");
      require_finite(h.axis, 3, who + " harmonic axis");
      require(dot3(h.axis, h.axis) > 1e-12, who + " harmonic axis must be non-zero");
      amp_sum += std::fabs(h.amplitude);
    }
    require(amp_sum < 1, who + " harmonic amplitudes must sum (in absolute value) to < 1");
    for (int j = 0; j < p.n_spicules; ++j) {
      const auto& sp = p.spicules[j];
      require_finite(sp.direction, 3, who + " spicule direction");
      require(dot3(sp.direction, sp.direction) > 1e-12, who + " spicule direction must be non-zero");
      require(positive_size(sp.length) && positive_size(sp.width), who + " spicule length and width must be > 0");
    }
  }
}

// ---- painting ------------------------------------------------------------------------------------

MS_ALWAYS_INLINE void paint_voxel(const Prepared& s, float* irow, uint8_t* lrow, int64_t x, int n) {
  if (irow != nullptr) {
    const float c = static_cast<float>(n) * s.inv_full, v = s.value;
    float& o = irow[x];
    if (s.blend == kBlendReplace) {
      o = o * (1.0f - c) + v * c;
    } else if (s.blend == kBlendAdd) {
      o = o + v * c;
    } else {
      o = o + c * std::max(v - o, 0.0f);
    }
  }
  if (lrow != nullptr && 2 * n >= s.full && s.can_write[lrow[x]]) lrow[x] = static_cast<uint8_t>(s.label);
}

// The blend formulas over a span with per-voxel sub-sample counts. A count of 0 leaves the value
// as it is (o * 1 + v * 0), so these run without branches.
MS_SIMD_CLONES void blend_replace(float* MS_RESTRICT o, const int* MS_RESTRICT n, int64_t len, float v, float inv) {
  for (int64_t i = 0; i < len; ++i) {
    const float c = static_cast<float>(n[i]) * inv;
    o[i] = o[i] * (1.0f - c) + v * c;
  }
}
MS_SIMD_CLONES void blend_add(float* MS_RESTRICT o, const int* MS_RESTRICT n, int64_t len, float v, float inv) {
  for (int64_t i = 0; i < len; ++i) o[i] = o[i] + v * (static_cast<float>(n[i]) * inv);
}
MS_SIMD_CLONES void blend_max(float* MS_RESTRICT o, const int* MS_RESTRICT n, int64_t len, float v, float inv) {
  for (int64_t i = 0; i < len; ++i) o[i] = o[i] + static_cast<float>(n[i]) * inv * std::max(v - o[i], 0.0f);
}

MS_SIMD_CLONES void fill_replace(float* MS_RESTRICT o, int64_t n, float v) {
  for (int64_t i = 0; i < n; ++i) o[i] = v;
}
MS_SIMD_CLONES void fill_add(float* MS_RESTRICT o, int64_t n, float v) {
  for (int64_t i = 0; i < n; ++i) o[i] += v;
}
MS_SIMD_CLONES void fill_max(float* MS_RESTRICT o, int64_t n, float v) {
  for (int64_t i = 0; i < n; ++i) o[i] += std::max(v - o[i], 0.0f);
}

// l = can_write[l] ? label : l. Runs of 8 equal bytes (mostly background) take one test.
void fill_labels(uint8_t* MS_RESTRICT l, int64_t n, uint8_t label, const uint8_t* can_write) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  const uint64_t fill = kOnes * label;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, l + i, 8);
    const uint8_t first = static_cast<uint8_t>(w);
    if (w == kOnes * first) {
      if (can_write[first]) std::memcpy(l + i, &fill, 8);
      continue;
    }
    for (int k = 0; k < 8; ++k) l[i + k] = can_write[l[i + k]] ? label : l[i + k];
  }
  for (; i < n; ++i) l[i] = can_write[l[i]] ? label : l[i];
}

// Voxels [x0, x1] wholly inside (coverage 1).
void paint_full(const Prepared& s, float* irow, uint8_t* lrow, int64_t x0, int64_t x1) {
  const int64_t n = x1 - x0 + 1;
  if (n <= 0) return;
  if (irow != nullptr) {
    if (s.blend == kBlendReplace) {
      fill_replace(irow + x0, n, s.value);
    } else if (s.blend == kBlendAdd) {
      fill_add(irow + x0, n, s.value);
    } else {
      fill_max(irow + x0, n, s.value);
    }
  }
  if (lrow != nullptr) fill_labels(lrow + x0, n, static_cast<uint8_t>(s.label), s.can_write);
}

// ---- convex shapes: counts from exact sub-row intersections ---------------------------------------

// Sub-row offsets (z, y): 16 for a voxel row, 4 in plane mode (z is then the shape's own).
struct SubRows {
  double z[16], y[16];
  int n;
  explicit SubRows(bool plane) : n(0) {
    for (int i = 0; i < (plane ? 1 : 4); ++i)
      for (int j = 0; j < 4; ++j, ++n) {
        z[n] = plane ? 0.0 : kOffsets[i];
        y[n] = kOffsets[j];
      }
  }
};
const SubRows kSubRows3(false), kSubRows2(true);

// Ellipsoid sub-row intervals: along x, |A(p - c)|^2 = alpha x^2 + 2 beta x + gamma.
MS_SIMD_CLONES void ellipsoid_sub_rows(const ShapeGeom& g, double z, double y, const SubRows& o,
                                       double* MS_RESTRICT xa, double* MS_RESTRICT xb) {
  const double* A = g.A;
  const double alpha = A[2] * A[2] + A[5] * A[5] + A[8] * A[8];
  const double cx = g.c[2];
  for (int k = 0; k < o.n; ++k) {
    // The same operations, in the same order, as ellipsoid_line (shapes.h).
    const double dz = (z + o.z[k]) - g.c[0], dy = (y + o.y[k]) - g.c[1];
    const double w0 = A[0] * dz + A[1] * dy - A[2] * cx;
    const double w1 = A[3] * dz + A[4] * dy - A[5] * cx;
    const double w2 = A[6] * dz + A[7] * dy - A[8] * cx;
    const double beta = w0 * A[2] + w1 * A[5] + w2 * A[8];
    const double gamma = w0 * w0 + w1 * w1 + w2 * w2 - 1.0;
    const double disc = beta * beta - alpha * gamma;
    const double root = std::sqrt(std::max(disc, 0.0));
    xa[k] = disc >= 0 ? (-beta - root) / alpha : 1e300;
    xb[k] = disc >= 0 ? (-beta + root) / alpha : -1e300;
  }
}

// counts[i] = number of the sub-samples of voxel x0 + i inside: sub-row k holds [xa[k], xb[k]]
// and its samples sit at x + (j - 1.5) / 4, j = 0..3.
MS_SIMD_CLONES void count_sub_rows(const double* MS_RESTRICT xa, const double* MS_RESTRICT xb, int nsub,
                                   int64_t x0, int64_t n, int* MS_RESTRICT counts) {
  for (int64_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(x0 + i);
    double total = 0;
    for (int k = 0; k < nsub; ++k) {
      const double jl = std::max(std::ceil((xa[k] - x) * 4.0 + 1.5), 0.0);
      const double jh = std::min(std::floor((xb[k] - x) * 4.0 + 1.5), 3.0);
      total += std::max(jh - jl + 1.0, 0.0);
    }
    counts[i] = static_cast<int>(total);
  }
}

int64_t paint_counted(const Prepared& s, const double* xa, const double* xb, int nsub, int64_t x0, int64_t x1,
                      float* irow, uint8_t* lrow) {
  int64_t sum = 0;
  int counts[64];
  for (int64_t b = x0; b <= x1; b += 64) {
    const int64_t n = std::min<int64_t>(64, x1 - b + 1);
    count_sub_rows(xa, xb, nsub, b, n, counts);
    for (int64_t i = 0; i < n; ++i) sum += counts[i];
    if (irow != nullptr) {
      if (s.blend == kBlendReplace) {
        blend_replace(irow + b, counts, n, s.value, s.inv_full);
      } else if (s.blend == kBlendAdd) {
        blend_add(irow + b, counts, n, s.value, s.inv_full);
      } else {
        blend_max(irow + b, counts, n, s.value, s.inv_full);
      }
    }
    if (lrow != nullptr) {
      const uint8_t label = static_cast<uint8_t>(s.label);
      for (int64_t i = 0; i < n; ++i) {
        uint8_t& l = lrow[b + i];
        if (2 * counts[i] >= s.full && s.can_write[l]) l = label;
      }
    }
  }
  return sum;
}

// `ahead` is the distance in elements to the next row this shape paints (0: none).
int64_t convex_row(const Prepared& s, int64_t z, int64_t y, float* irow, uint8_t* lrow, int64_t ahead) {
  double xa[16], xb[16];
  const SubRows& o = s.plane ? kSubRows2 : kSubRows3;
  const double zr = s.plane ? s.g.zc : static_cast<double>(z), yr = static_cast<double>(y);
  if (s.g.kind == kEllipsoid) {
    ellipsoid_sub_rows(s.g, zr, yr, o, xa, xb);
  } else {
    for (int k = 0; k < o.n; ++k) {
      Interval iv = convex_line(s.g, zr + o.z[k], yr + o.y[k]);
      if (is_empty(iv)) iv = empty_interval();
      xa[k] = iv.lo;
      xb[k] = iv.hi;
    }
  }
  const int nsub = o.n;
  double lo = 1e300, hi = -1e300, in_lo = -1e300, in_hi = 1e300;
  for (int k = 0; k < nsub; ++k) {
    lo = std::min(lo, xa[k]);
    hi = std::max(hi, xb[k]);
    in_lo = std::max(in_lo, xa[k]);
    in_hi = std::min(in_hi, xb[k]);
  }
  if (lo > hi) return 0;
  const int64_t first = ceil_clamped(lo - 0.375, s.x0, s.x1 + 1);
  const int64_t last = floor_clamped(hi + 0.375, s.x0 - 1, s.x1);
  if (first > last) return 0;
  if (ahead != 0) {
    // The next row starts and ends near here: fetch its edges while this row is painted (its
    // first touch is otherwise a cache miss per row and target).
    if (irow != nullptr) {
      __builtin_prefetch(irow + ahead + first, 1);
      __builtin_prefetch(irow + ahead + last, 1);
    }
    if (lrow != nullptr) {
      __builtin_prefetch(lrow + ahead + first, 1);
      __builtin_prefetch(lrow + ahead + last, 1);
    }
  }
  // Voxels whose every sub-sample lies in every sub-row's interval.
  int64_t f0 = last + 1, f1 = last;
  if (in_lo <= in_hi) {
    f0 = ceil_clamped(in_lo + 0.375, first, last + 1);
    f1 = floor_clamped(in_hi - 0.375, first - 1, last);
  }
  if (f0 > f1) return paint_counted(s, xa, xb, nsub, first, last, irow, lrow);
  int64_t sum = paint_counted(s, xa, xb, nsub, first, f0 - 1, irow, lrow);
  paint_full(s, irow, lrow, f0, f1);
  sum += (f1 - f0 + 1) * s.full;
  return sum + paint_counted(s, xa, xb, nsub, f1 + 1, last, irow, lrow);
}

// ---- other shapes: distance bounds, then point samples in the band --------------------------------

// The sub-sample offsets of a voxel (64) and of a plane-mode pixel (16, z offset 0), as columns.
struct SubSamples {
  double z[64], y[64], x[64];
  SubSamples(bool plane) {
    int n = 0;
    for (int i = 0; i < (plane ? 1 : 4); ++i)
      for (int j = 0; j < 4; ++j)
        for (int k = 0; k < 4; ++k, ++n) {
          z[n] = plane ? 0.0 : kOffsets[i];
          y[n] = kOffsets[j];
          x[n] = kOffsets[k];
        }
  }
};
const SubSamples kSamples3(false), kSamples2(true);

// Bean sub-samples inside around p: shape_inside's arithmetic, written flat so the hot loop of a
// kidney's boundary band vectorizes (exp_nonpositive is branch-free).
MS_SIMD_CLONES int bean_samples(const ShapeGeom& g, const double* p, const SubSamples& o, int count) {
  const double* A = g.A;
  int inside = 0;
  for (int s = 0; s < count; ++s) {
    const double d0 = (p[0] + o.z[s]) - g.c[0], d1 = (p[1] + o.y[s]) - g.c[1], d2 = (p[2] + o.x[s]) - g.c[2];
    const double nz = A[0] * d0 + A[1] * d1 + A[2] * d2;
    const double ny = A[3] * d0 + A[4] * d1 + A[5] * d2;
    const double nx = A[6] * d0 + A[7] * d1 + A[8] * d2;
    const double len = std::sqrt(nz * nz + ny * ny + nx * nx);
    const double c = len > 0 ? nx / len : 1.0;  // len 0: inside, as r >= 1 - depth > 0
    const double r = 1.0 - g.depth * exp_nonpositive((c - 1.0) * g.inv_w2);
    inside += len <= r ? 1 : 0;
  }
  return inside;
}

// Lobulated sub-samples inside around p: shape_inside's arithmetic, the body in flat loops over
// the samples (Legendre recurrences included) so they vectorize, then only the spicules in
// `spikes` (those shape_classify found within reach of this voxel).
MS_SIMD_CLONES int lobulated_samples(const ShapeGeom& g, const double* p, const SubSamples& o, int count,
                                     uint32_t spikes) {
  double len[64], uz[64], uy[64], ux[64], sum[64], t[64], p0[64], p1[64];
  const double* R = g.Rt;
  for (int s = 0; s < count; ++s) {
    const double d0 = (p[0] + o.z[s]) - g.c[0], d1 = (p[1] + o.y[s]) - g.c[1], d2 = (p[2] + o.x[s]) - g.c[2];
    const double q0 = R[0] * d0 + R[1] * d1 + R[2] * d2;
    const double q1 = R[3] * d0 + R[4] * d1 + R[5] * d2;
    const double q2 = R[6] * d0 + R[7] * d1 + R[8] * d2;
    const double n = std::sqrt(q0 * q0 + q1 * q1 + q2 * q2);
    len[s] = n;
    uz[s] = q0 / n;  // n = 0 gives NaN here, but such a sample is decided by n <= r_in below
    uy[s] = q1 / n;
    ux[s] = q2 / n;
    sum[s] = 1.0;
  }
  for (int m = 0; m < g.nh; ++m) {
    const double a = g.amp[m], *axis = g.axis[m];
    const int l = g.degree[m];
    for (int s = 0; s < count; ++s) {
      t[s] = uz[s] * axis[0] + uy[s] * axis[1] + ux[s] * axis[2];
      p0[s] = 1.0;
      p1[s] = l == 0 ? 1.0 : t[s];
    }
    for (int k = 1; k < l; ++k) {  // legendre()'s recurrence
      const double c1 = 2 * k + 1, c0 = k, inv = 1.0 / (k + 1);
      for (int s = 0; s < count; ++s) {
        const double p2 = (c1 * t[s] * p1[s] - c0 * p0[s]) * inv;
        p0[s] = p1[s];
        p1[s] = p2;
      }
    }
    for (int s = 0; s < count; ++s) sum[s] += a * p1[s];
  }
  int inside = 0;
  for (int s = 0; s < count; ++s) {
    const bool in = len[s] <= g.r_in || (len[s] <= g.r_out && len[s] <= g.r0 * sum[s]);
    t[s] = in ? 1.0 : 0.0;
    inside += in ? 1 : 0;
  }
  if (spikes == 0) return inside;
  for (int s = 0; s < count; ++s) {
    if (t[s] != 0.0) continue;
    const double q[3] = {p[0] + o.z[s], p[1] + o.y[s], p[2] + o.x[s]};
    for (int j = 0; j < g.ns; ++j) {
      if (((spikes >> j) & 1u) != 0 && round_cone_sdf(g.spike[j], q) <= 0) {
        ++inside;
        break;
      }
    }
  }
  return inside;
}

// Sub-samples of the voxel (pixel in plane mode) at (zc, y, x) inside a bean or lobulated shape.
int sample_count(const Prepared& s, double zc, double y, double x, uint32_t spikes) {
  const double p[3] = {zc, y, x};
  const SubSamples& o = s.plane ? kSamples2 : kSamples3;
  const int count = s.plane ? 16 : 64;
  return s.g.kind == kBean ? bean_samples(s.g, p, o, count) : lobulated_samples(s.g, p, o, count, spikes);
}

int64_t general_row(const Prepared& s, int64_t z, int64_t y, float* irow, uint8_t* lrow) {
  const double t = s.plane ? kRasterReach2 : kRasterReach3;
  const double zl = s.plane ? s.g.zc : static_cast<double>(z), yl = static_cast<double>(y);
  const Interval outer = outer_line(s.g, zl, yl, t);
  if (is_empty(outer)) return 0;
  const int64_t first = ceil_clamped(outer.lo, s.x0, s.x1 + 1);
  const int64_t last = floor_clamped(outer.hi, s.x0 - 1, s.x1);
  if (first > last) return 0;
  const Interval inner = inner_line(s.g, zl, yl, t);
  int64_t f0 = last + 1, f1 = last;
  if (!is_empty(inner)) {
    f0 = ceil_clamped(inner.lo, first, last + 1);
    f1 = floor_clamped(inner.hi, first - 1, last);
  }
  int64_t sum = 0;
  auto edge = [&](int64_t a, int64_t b) {
    for (int64_t x = a; x <= b; ++x) {
      const double p[3] = {zl, yl, static_cast<double>(x)};
      uint32_t spikes = 0;
      const int side = shape_classify(s.g, p, t, &spikes);
      const int n = side < 0 ? s.full : (side > 0 ? 0 : sample_count(s, zl, yl, p[2], spikes));
      if (n == 0) continue;
      sum += n;
      paint_voxel(s, irow, lrow, x, n);
    }
  };
  if (f0 > f1) {
    edge(first, last);
    return sum;
  }
  edge(first, f0 - 1);
  paint_full(s, irow, lrow, f0, f1);
  sum += (f1 - f0 + 1) * s.full;
  edge(f1 + 1, last);
  return sum;
}

}  // namespace

void check_raster_args(const std::vector<RasterShape>& shapes, const RasterTargets& t) {
  require(t.z >= 1 && t.y >= 1 && t.x >= 1, "dims must be positive");
  require(t.labels == nullptr || t.label_priority != nullptr, "labels need a label priority table");
  require(shapes.size() <= static_cast<size_t>(1 << 30), "too many shapes");
  for (size_t i = 0; i < shapes.size(); ++i) check_shape(shapes[i], i, t);
}

PreparedShape prepare_raster_shape(const RasterShape& s, const RasterTargets& t) {
  PreparedShape p{};
  p.g = prepare_shape(s.geometry);
  p.convex = s.geometry.kind == kEllipsoid || s.geometry.kind == kCapsule || s.geometry.kind == kCylinder;
  p.plane = s.plane >= 0;
  p.value = s.intensity;
  p.blend = s.blend;
  p.label = s.label;
  p.full = p.plane ? 16 : 64;
  p.inv_full = 1.0f / static_cast<float>(p.full);
  if (p.plane) {
    p.z0 = p.z1 = s.plane;
  } else {
    voxel_range(p.g.bbox_lo[0], p.g.bbox_hi[0], t.z, p.z0, p.z1);
  }
  voxel_range(p.g.bbox_lo[1], p.g.bbox_hi[1], t.y, p.y0, p.y1);
  voxel_range(p.g.bbox_lo[2], p.g.bbox_hi[2], t.x, p.x0, p.x1);
  if (p.y0 > p.y1 || p.x0 > p.x1) {  // misses the volume: no slice lists it
    p.z0 = 1;
    p.z1 = 0;
  }
  for (int l = 0; l < 256; ++l) {
    p.can_write[l] = t.label_priority != nullptr && s.priority >= t.label_priority[l];
  }
  return p;
}

void rasterize(const std::vector<RasterShape>& shapes, const RasterTargets& t, double* coverage_sum) {
  check_raster_args(shapes, t);

  const size_t n_shapes = shapes.size();
  std::vector<Prepared> prepared(n_shapes);
  for (size_t i = 0; i < n_shapes; ++i) prepared[i] = prepare_raster_shape(shapes[i], t);

  // Shapes touching each slice, in call order (CSR).
  std::vector<int64_t> start(static_cast<size_t>(t.z) + 1, 0);
  for (const Prepared& p : prepared)
    for (int64_t z = p.z0; z <= p.z1; ++z) ++start[z + 1];
  for (int64_t z = 0; z < t.z; ++z) start[z + 1] += start[z];
  std::vector<int32_t> members(static_cast<size_t>(start[t.z]));
  {
    std::vector<int64_t> fill(start.begin(), start.end() - 1);
    for (size_t i = 0; i < n_shapes; ++i)
      for (int64_t z = prepared[i].z0; z <= prepared[i].z1; ++z) members[fill[z]++] = static_cast<int32_t>(i);
  }

  // Work units are (slice, block of rows); every voxel belongs to one unit, and each unit applies
  // its shapes in call order, so the output does not depend on how units spread over threads.
  // Sub-sample counts are integers, so the per-shape totals are exact in any order.
  std::unique_ptr<std::atomic<int64_t>[]> counts(new std::atomic<int64_t>[n_shapes]);
  for (size_t i = 0; i < n_shapes; ++i) counts[i].store(0);
  const int64_t blocks = (t.y + kRowsPerUnit - 1) / kRowsPerUnit;
  const int64_t units = t.z * blocks;
  parallel_for(units, std::max<int64_t>(1, units / 512), [&](int64_t begin, int64_t end) {
    for (int64_t u = begin; u < end; ++u) {
      const int64_t z = u / blocks, yb = (u % blocks) * kRowsPerUnit;
      const int64_t ye = std::min(t.y, yb + kRowsPerUnit) - 1;
      for (int64_t m = start[z]; m < start[z + 1]; ++m) {
        const Prepared& s = prepared[members[m]];
        const int64_t y0 = std::max(yb, s.y0), y1 = std::min(ye, s.y1);
        if (y0 > y1) continue;
        const bool paint_labels = t.labels != nullptr && s.label >= 0;
        int64_t sum = 0;
        for (int64_t y = y0; y <= y1; ++y) {
          const int64_t row = (z * t.y + y) * t.x;
          float* irow = t.intensity != nullptr ? t.intensity + row : nullptr;
          uint8_t* lrow = paint_labels ? t.labels + row : nullptr;
          sum += s.convex ? convex_row(s, z, y, irow, lrow, y < y1 ? t.x : 0) : general_row(s, z, y, irow, lrow);
        }
        if (sum != 0) counts[members[m]].fetch_add(sum, std::memory_order_relaxed);
      }
    }
  });
  for (size_t i = 0; i < n_shapes; ++i) {
    coverage_sum[i] = static_cast<double>(counts[i].load()) / prepared[i].full;
  }
}

}  // namespace ms
