// Analytic shapes for the rasterizer: parameters, derived geometry, point-inside tests, exact
// line intersections (convex shapes) and conservative distance classification (the others).
// Everything is in voxel units on [z, y, x] points with voxel centres at integer coordinates,
// and MS_HOSTDEV so a CUDA twin can evaluate the same shapes. Host-only code lives elsewhere.
//
// Frames: a rotation R (row-major) maps local to volume coordinates, p - centre = R q, so
// q = R^T (p - centre). Local axes are named z, y, x like the volume's; radii [rz, ry, rx] lie
// along them.
//
// Shapes (inside includes the boundary):
//   ellipsoid  |D^-1 q| <= 1, D = diag(radii).
//   capsule    distance from p to the segment [a, b] <= radius (round ends).
//   cylinder   distance from p to the line ab <= radius and 0 <= (p - a).u <= |b - a|, u = (b - a)/|b - a|
//              (flat caps).
//   bean       an ellipsoid with a dent on its local +x side. With n = D^-1 q and cos t = n_x / |n|:
//                |n| <= 1 - depth * exp((cos t - 1) / width^2).
//              depth is the dent's fraction of rx at the +x pole (the surface there sits at
//              rx (1 - depth)); width is the dent's angular spread (radians, about the standard
//              deviation of a Gaussian in the angle t from +x). The outline is concave at the
//              dent when width^2 < depth / (1 - depth); depth 0.4, width 0.3 give a kidney bean.
//   lobulated  a star-shaped body plus spicules. Body: |q| <= R(q/|q|) with
//                R(d) = r0 (1 + sum_m a_m P_{l_m}(d . axis_m)),
//              P_l the Legendre polynomial (a zonal spherical harmonic of degree l about a unit
//              axis in the local frame; rotated zonal harmonics span every harmonic of degree l);
//              sum |a_m| < 1. Spicule j: a round cone along the local unit direction d_j from a
//              sphere of radius w_j/2 centred at max(R(d_j) - w_j, 0) d_j (just under the surface)
//              to a sharp tip at (R(d_j) + s_j) d_j, s_j beyond the body's surface.
//              The shape is the union of body and spicules.
//
// Plane mode: a shape drawn on one slice is evaluated at points (zc, y, x), zc being its central
// z (the centre, or the axis midpoint for capsules and cylinders): the slice shows its central
// cross-section.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/hostdev.h"

namespace ms {

enum ShapeKind : int32_t { kEllipsoid = 0, kCapsule = 1, kCylinder = 2, kBean = 3, kLobulated = 4 };

constexpr int kMaxHarmonics = 8;
constexpr int kMaxSpicules = 8;
constexpr int kMaxHarmonicDegree = 32;

// A shape as the caller gives it.
struct ShapeParams {
  int32_t kind = kEllipsoid;
  double center[3] = {0, 0, 0};  // ellipsoid, bean, lobulated
  double radii[3] = {1, 1, 1};   // ellipsoid, bean
  double rotation[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};  // local -> volume, row-major
  double a[3] = {0, 0, 0}, b[3] = {0, 0, 0};  // capsule, cylinder
  double radius = 1;                         // capsule, cylinder; r0 of a lobulated shape
  double hilum_depth = 0.4, hilum_width = 0.3;  // bean
  int32_t n_harmonics = 0;
  struct Harmonic {
    double amplitude = 0;
    int32_t degree = 0;
    double axis[3] = {1, 0, 0};
  } harmonics[kMaxHarmonics];
  int32_t n_spicules = 0;
  struct Spicule {
    double direction[3] = {1, 0, 0};
    double length = 0, width = 0;
  } spicules[kMaxSpicules];
};

// A closed interval [lo, hi] of x on a line; empty when lo > hi.
struct Interval {
  double lo, hi;
};

MS_HOSTDEV Interval empty_interval() { return {1e300, -1e300}; }
MS_HOSTDEV bool is_empty(const Interval& i) { return i.lo > i.hi; }
MS_HOSTDEV Interval hull(const Interval& a, const Interval& b) {
  if (is_empty(a)) return b;
  if (is_empty(b)) return a;
  return {a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi};
}
MS_HOSTDEV Interval intersect(const Interval& a, const Interval& b) {
  return {a.lo > b.lo ? a.lo : b.lo, a.hi < b.hi ? a.hi : b.hi};
}

MS_HOSTDEV double dot3(const double* a, const double* b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

// {x : a x^2 + 2 b x + c <= 0} for a > 0.
MS_HOSTDEV Interval quadratic_interval(double a, double b, double c) {
  const double disc = b * b - a * c;
  if (!(disc >= 0)) return empty_interval();
  const double s = sqrt(disc);
  return {(-b - s) / a, (-b + s) / a};
}

// {x : lo <= k + m x <= hi}.
MS_HOSTDEV Interval linear_interval(double k, double m, double lo, double hi) {
  if (fabs(m) < 1e-12) return (k >= lo && k <= hi) ? Interval{-1e300, 1e300} : empty_interval();
  const double x0 = (lo - k) / m, x1 = (hi - k) / m;
  return m > 0 ? Interval{x0, x1} : Interval{x1, x0};
}

// Precomputed round cone (exact signed distance; after Inigo Quilez's sdRoundCone).
struct RoundCone {
  double a[3], ba[3];
  double r1, r2, l2, rr, a2, il2;
};

MS_HOSTDEV RoundCone make_round_cone(const double* a, const double* b, double r1, double r2) {
  RoundCone c;
  for (int i = 0; i < 3; ++i) {
    c.a[i] = a[i];
    c.ba[i] = b[i] - a[i];
  }
  c.r1 = r1;
  c.r2 = r2;
  c.l2 = dot3(c.ba, c.ba);
  c.rr = r1 - r2;
  c.a2 = c.l2 - c.rr * c.rr;
  c.il2 = 1.0 / c.l2;
  return c;
}

MS_HOSTDEV double round_cone_sdf(const RoundCone& c, const double* p) {
  const double pa[3] = {p[0] - c.a[0], p[1] - c.a[1], p[2] - c.a[2]};
  // When one end's sphere contains the other (|b - a| <= |r1 - r2|, so a2 <= 0) the round cone
  // is that sphere, and the formula below would not be a distance.
  if (c.a2 <= 0) {
    if (c.rr >= 0) return sqrt(dot3(pa, pa)) - c.r1;
    const double pb[3] = {pa[0] - c.ba[0], pa[1] - c.ba[1], pa[2] - c.ba[2]};
    return sqrt(dot3(pb, pb)) - c.r2;
  }
  const double y = dot3(pa, c.ba);
  const double z = y - c.l2;
  double x2 = 0;
  for (int i = 0; i < 3; ++i) {
    const double v = pa[i] * c.l2 - c.ba[i] * y;
    x2 += v * v;
  }
  const double y2 = y * y * c.l2;
  const double z2 = z * z * c.l2;
  const double k = (c.rr > 0 ? 1.0 : (c.rr < 0 ? -1.0 : 0.0)) * c.rr * c.rr * x2;
  if ((z > 0 ? 1.0 : (z < 0 ? -1.0 : 0.0)) * c.a2 * z2 > k) return sqrt(x2 + z2) * c.il2 - c.r2;
  if ((y > 0 ? 1.0 : (y < 0 ? -1.0 : 0.0)) * c.a2 * y2 < k) return sqrt(x2 + y2) * c.il2 - c.r1;
  return (sqrt(x2 * c.a2 * c.il2) + y * c.rr) * c.il2 - c.r1;
}

// Derived geometry, computed once per shape by prepare_shape.
struct ShapeGeom {
  int32_t kind;
  double c[3];    // centre; `a` for capsules and cylinders
  double zc;      // the z evaluated in plane mode
  double A[9];    // ellipsoid, bean: volume -> radius-normalised local frame, n = A (p - c)
  double Rt[9];   // lobulated: volume -> local rotation, q = Rt (p - c)
  double rmin;    // ellipsoid, bean: smallest radius (A's Lipschitz constant is 1 / rmin)
  double u[3], len, r;  // capsule, cylinder: unit axis, length, radius
  double depth, inv_w2, peak_cos, bump_slope;  // bean: see prepare_shape and shape_classify
  int32_t nh;
  double amp[kMaxHarmonics];
  int32_t degree[kMaxHarmonics];
  double axis[kMaxHarmonics][3];
  double r0, r_in, r_out, tangent_slope;  // lobulated body: radius bounds, bound on |grad_S R|
  int32_t ns;
  RoundCone spike[kMaxSpicules];
  double bbox_lo[3], bbox_hi[3];  // volume coordinates, tight-or-larger
};

// P_l(t) by Bonnet's recurrence; the reciprocal keeps the division off the dependency chain.
MS_HOSTDEV double legendre(int l, double t) {
  if (l == 0) return 1.0;
  double p0 = 1.0, p1 = t;
  for (int n = 1; n < l; ++n) {
    const double inv = 1.0 / (n + 1);
    const double p2 = ((2 * n + 1) * t * p1 - n * p0) * inv;
    p0 = p1;
    p1 = p2;
  }
  return p1;
}

// The lobulated body's radius in local unit direction d.
MS_HOSTDEV double lobulated_radius(const ShapeGeom& g, const double* d) {
  double s = 1.0;
  for (int m = 0; m < g.nh; ++m) s += g.amp[m] * legendre(g.degree[m], dot3(d, g.axis[m]));
  return g.r0 * s;
}

// e^a for a <= 0, branch-free so sample loops vectorize: a = k ln2 + r with |r| <= ln2/2, e^r by
// its Taylor series to r^13 (truncation < 5e-18 relative), 2^k from exponent bits. Within a few
// ulp of libm's exp; a below -700 is treated as -700 (e^-700 ~ 1e-304, far below any use here).
MS_HOSTDEV double exp_nonpositive(double a) {
  a = a > -700.0 ? a : -700.0;
  const double magic = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  const double t = a * 1.4426950408889634 + magic;
  const double k = t - magic;
  const double r = (a - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
  double p = 1.0 + r / 13.0;
  p = 1.0 + r / 12.0 * p;
  p = 1.0 + r / 11.0 * p;
  p = 1.0 + r / 10.0 * p;
  p = 1.0 + r / 9.0 * p;
  p = 1.0 + r / 8.0 * p;
  p = 1.0 + r / 7.0 * p;
  p = 1.0 + r / 6.0 * p;
  p = 1.0 + r / 5.0 * p;
  p = 1.0 + r / 4.0 * p;
  p = 1.0 + r / 3.0 * p;
  p = 1.0 + r / 2.0 * p;
  p = 1.0 + r * p;
  const int64_t e = static_cast<int64_t>(k) + 1023;
  const uint64_t bits = static_cast<uint64_t>(e) << 52;
  double scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// The bean's surface radius (normalised frame) in the direction whose x cosine is cos_x.
MS_HOSTDEV double bean_radius_at(const ShapeGeom& g, double cos_x) {
  return 1.0 - g.depth * exp_nonpositive((cos_x - 1.0) * g.inv_w2);
}

MS_HOSTDEV double bean_radius(const ShapeGeom& g, double n_x, double n) { return bean_radius_at(g, n_x / n); }

MS_HOSTDEV void normalize3(double* v) {
  const double n = sqrt(dot3(v, v));
  for (int i = 0; i < 3; ++i) v[i] /= n;
}

// Callers check parameters first (finite, radii > 0, |b - a| > 0 for cylinders, sum |a_m| < 1,
// spicule length and width > 0, unit-able directions).
MS_HOSTDEV ShapeGeom prepare_shape(const ShapeParams& s) {
  ShapeGeom g{};
  g.kind = s.kind;
  const double* R = s.rotation;
  if (s.kind == kEllipsoid || s.kind == kBean) {
    for (int i = 0; i < 3; ++i) g.c[i] = s.center[i];
    g.zc = s.center[0];
    // A_ij = R_ji / r_i; the volume half-extent along axis i is |row i of R D|.
    g.rmin = fmin(s.radii[0], fmin(s.radii[1], s.radii[2]));
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) g.A[i * 3 + j] = R[j * 3 + i] / s.radii[i];
      double e = 0;
      for (int j = 0; j < 3; ++j) e += (R[i * 3 + j] * s.radii[j]) * (R[i * 3 + j] * s.radii[j]);
      e = sqrt(e);
      g.bbox_lo[i] = s.center[i] - e;
      g.bbox_hi[i] = s.center[i] + e;
    }
    if (s.kind == kBean) {
      g.depth = s.hilum_depth;
      const double w2 = s.hilum_width * s.hilum_width;
      g.inv_w2 = 1.0 / w2;
      // h(t) = sin t exp((cos t - 1) / w^2) rises to its peak at cos t = c*, the root of
      // c^2 + w^2 c - 1 = 0, then falls to t = pi.
      g.peak_cos = 0.5 * (sqrt(w2 * w2 + 4.0) - w2);
      g.bump_slope = sqrt(fmax(0.0, 1.0 - g.peak_cos * g.peak_cos)) * exp((g.peak_cos - 1.0) * g.inv_w2);
    }
  } else if (s.kind == kCapsule || s.kind == kCylinder) {
    double d[3];
    for (int i = 0; i < 3; ++i) {
      g.c[i] = s.a[i];
      d[i] = s.b[i] - s.a[i];
    }
    g.zc = 0.5 * (s.a[0] + s.b[0]);
    g.len = sqrt(dot3(d, d));
    g.r = s.radius;
    for (int i = 0; i < 3; ++i) g.u[i] = g.len > 0 ? d[i] / g.len : (i == 0 ? 1.0 : 0.0);
    for (int i = 0; i < 3; ++i) {
      // A flat cap (disc of normal u) reaches r sqrt(1 - u_i^2) along axis i; a sphere r.
      const double e = s.kind == kCylinder ? s.radius * sqrt(fmax(0.0, 1.0 - g.u[i] * g.u[i])) : s.radius;
      g.bbox_lo[i] = fmin(s.a[i], s.b[i]) - e;
      g.bbox_hi[i] = fmax(s.a[i], s.b[i]) + e;
    }
  } else {  // kLobulated
    for (int i = 0; i < 3; ++i) g.c[i] = s.center[i];
    g.zc = s.center[0];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) g.Rt[i * 3 + j] = R[j * 3 + i];
    g.r0 = s.radius;
    g.nh = s.n_harmonics;
    double amp_sum = 0, slope = 0;
    for (int m = 0; m < g.nh; ++m) {
      g.amp[m] = s.harmonics[m].amplitude;
      g.degree[m] = s.harmonics[m].degree;
      for (int i = 0; i < 3; ++i) g.axis[m][i] = s.harmonics[m].axis[i];
      normalize3(g.axis[m]);
      amp_sum += fabs(g.amp[m]);
      // Bernstein: sqrt(1 - t^2) |P_l'(t)| <= l max|P_l| = l on [-1, 1].
      slope += fabs(g.amp[m]) * g.degree[m];
    }
    g.r_in = g.r0 * (1 - amp_sum);
    g.r_out = g.r0 * (1 + amp_sum);
    g.tangent_slope = g.r0 * slope;
    for (int i = 0; i < 3; ++i) {
      g.bbox_lo[i] = g.c[i] - g.r_out;
      g.bbox_hi[i] = g.c[i] + g.r_out;
    }
    g.ns = s.n_spicules;
    for (int j = 0; j < g.ns; ++j) {
      double d[3] = {s.spicules[j].direction[0], s.spicules[j].direction[1], s.spicules[j].direction[2]};
      normalize3(d);
      const double w = s.spicules[j].width;
      const double rd = lobulated_radius(g, d);
      const double t0 = fmax(rd - w, 0.0), t1 = rd + s.spicules[j].length;
      double pa[3], pb[3];
      for (int i = 0; i < 3; ++i) {
        const double rdi = R[i * 3 + 0] * d[0] + R[i * 3 + 1] * d[1] + R[i * 3 + 2] * d[2];
        pa[i] = g.c[i] + t0 * rdi;
        pb[i] = g.c[i] + t1 * rdi;
      }
      g.spike[j] = make_round_cone(pa, pb, 0.5 * w, 0.0);
      for (int i = 0; i < 3; ++i) {
        g.bbox_lo[i] = fmin(g.bbox_lo[i], fmin(pa[i] - 0.5 * w, pb[i]));
        g.bbox_hi[i] = fmax(g.bbox_hi[i], fmax(pa[i] + 0.5 * w, pb[i]));
      }
    }
  }
  return g;
}

// ---- line intersections: the x-line through (z, y) -------------------------------------------

// {x : |A (p - c)| <= s}.
MS_HOSTDEV Interval ellipsoid_line(const ShapeGeom& g, double z, double y, double s) {
  const double dz = z - g.c[0], dy = y - g.c[1];
  double w[3], ax[3];
  for (int i = 0; i < 3; ++i) {
    w[i] = g.A[i * 3 + 0] * dz + g.A[i * 3 + 1] * dy - g.A[i * 3 + 2] * g.c[2];
    ax[i] = g.A[i * 3 + 2];
  }
  return quadratic_interval(dot3(ax, ax), dot3(w, ax), dot3(w, w) - s * s);
}

// {x : |p - centre| <= r}.
MS_HOSTDEV Interval sphere_line(const double* centre, double r, double z, double y) {
  const double dz = z - centre[0], dy = y - centre[1];
  const double h = r * r - dz * dz - dy * dy;
  if (!(h >= 0)) return empty_interval();
  const double s = sqrt(h);
  return {centre[2] - s, centre[2] + s};
}

// {x : distance(p, line through a along unit u) <= r and lo <= (p - a).u <= hi}.
MS_HOSTDEV Interval cylinder_line(const double* a, const double* u, double r, double lo, double hi,
                                  double z, double y) {
  const double w0[3] = {z - a[0], y - a[1], -a[2]};
  const double wu = dot3(w0, u);
  const Interval slab = linear_interval(wu, u[2], lo, hi);
  if (is_empty(slab)) return slab;
  // |w|^2 - (w.u)^2 with w = w0 + x e_x is quadratic in x.
  const double qa = 1.0 - u[2] * u[2];
  const double qb = w0[2] - wu * u[2];
  const double qc = dot3(w0, w0) - wu * wu - r * r;
  if (qa < 1e-12) return qc <= 0 ? slab : empty_interval();
  return intersect(slab, quadratic_interval(qa, qb, qc));
}

// {x : distance(p, segment [a, a + len u]) <= r}: the hull of the cylinder part and the two end
// spheres (their union is convex, so the hull is exact).
MS_HOSTDEV Interval capsule_line(const double* a, const double* u, double len, double r, double z,
                                 double y) {
  const double b[3] = {a[0] + len * u[0], a[1] + len * u[1], a[2] + len * u[2]};
  Interval i = hull(sphere_line(a, r, z, y), sphere_line(b, r, z, y));
  if (len > 0) i = hull(i, cylinder_line(a, u, r, 0.0, len, z, y));
  return i;
}

// Exact intersection for the convex kinds (ellipsoid, capsule, cylinder).
MS_HOSTDEV Interval convex_line(const ShapeGeom& g, double z, double y) {
  if (g.kind == kEllipsoid) return ellipsoid_line(g, z, y, 1.0);
  if (g.kind == kCapsule) return capsule_line(g.c, g.u, g.len, g.r, z, y);
  return cylinder_line(g.c, g.u, g.r, 0.0, g.len, z, y);
}

// Non-convex kinds: `outer` holds every point within t of the shape, `inner` only points whose
// t-ball lies inside it (both on the line through (z, y)).
MS_HOSTDEV Interval outer_line(const ShapeGeom& g, double z, double y, double t) {
  if (g.kind == kBean) return ellipsoid_line(g, z, y, 1.0 + t / g.rmin);
  Interval i = sphere_line(g.c, g.r_out + t, z, y);
  for (int j = 0; j < g.ns; ++j) {
    // A round cone with r2 <= r1 lies in the capsule of radius r1 around its axis.
    const RoundCone& k = g.spike[j];
    const double len = sqrt(k.l2);
    const double u[3] = {k.ba[0] / len, k.ba[1] / len, k.ba[2] / len};
    i = hull(i, capsule_line(k.a, u, len, k.r1 + t, z, y));
  }
  return i;
}

MS_HOSTDEV Interval inner_line(const ShapeGeom& g, double z, double y, double t) {
  if (g.kind == kBean) {
    // The bean holds the (1 - depth) ellipsoid, and where n_x <= 0 the ellipsoid scaled by its
    // radius at cos t = 0. Both eroded by step = t / rmin in n; the longer piece if they part.
    const double step = t / g.rmin;
    const double s1 = 1.0 - g.depth - step, s0 = bean_radius_at(g, 0.0) - step;
    const Interval core = s1 > 0 ? ellipsoid_line(g, z, y, s1) : empty_interval();
    if (s0 <= 0) return core;
    const double nx0 = g.A[6] * (z - g.c[0]) + g.A[7] * (y - g.c[1]) - g.A[8] * g.c[2];
    const Interval back = intersect(ellipsoid_line(g, z, y, s0), linear_interval(nx0, g.A[8], -1e300, -step));
    if (is_empty(back)) return core;
    if (is_empty(core) || core.lo > back.hi || back.lo > core.hi) {
      return core.hi - core.lo >= back.hi - back.lo ? core : back;
    }
    return hull(core, back);
  }
  return g.r_in > t ? sphere_line(g.c, g.r_in - t, z, y) : empty_interval();
}

// ---- points ------------------------------------------------------------------------------------

MS_HOSTDEV void mat_vec(const double* M, const double* v, double* out) {
  for (int i = 0; i < 3; ++i) out[i] = M[i * 3] * v[0] + M[i * 3 + 1] * v[1] + M[i * 3 + 2] * v[2];
}


// Bean and lobulated shapes (the convex kinds are counted by line intersections).
MS_HOSTDEV bool shape_inside(const ShapeGeom& g, const double* p) {
  const double d[3] = {p[0] - g.c[0], p[1] - g.c[1], p[2] - g.c[2]};
  double q[3];
  if (g.kind == kBean) {
    mat_vec(g.A, d, q);
    const double n = sqrt(dot3(q, q));
    return n == 0 || n <= bean_radius(g, q[2], n);
  }
  mat_vec(g.Rt, d, q);
  const double n = sqrt(dot3(q, q));
  if (n <= g.r_in) return true;
  if (n <= g.r_out) {
    const double dir[3] = {q[0] / n, q[1] / n, q[2] / n};
    if (n <= lobulated_radius(g, dir)) return true;
  }
  for (int j = 0; j < g.ns; ++j)
    if (round_cone_sdf(g.spike[j], p) <= 0) return true;
  return false;
}

// +1 when every point within t of p is outside, -1 when all are inside, 0 when undecided. The
// bounds are Lipschitz bounds of the implicit functions over the t-ball, so a decided answer is
// never wrong. When undecided, `near_spikes` (if given) receives a bit per spicule that can reach
// into the t-ball (the others need not be tested there).
MS_HOSTDEV int shape_classify(const ShapeGeom& g, const double* p, double t, uint32_t* near_spikes = nullptr) {
  const double d[3] = {p[0] - g.c[0], p[1] - g.c[1], p[2] - g.c[2]};
  double q[3];
  if (g.kind == kBean) {
    // f = |n| - 1 + depth exp((cos t - 1) / w^2), n = A (p - c), t the angle of n from +x.
    // Over the t-ball around p, n moves at most step = t / rmin (|A| = 1 / rmin), so |n| >= n_lo
    // and n/|n| moves at most 2 step / |n|. In n, grad f = n/|n| + a tangential part of size
    // depth h(t) / (w^2 |n|); the angle moves at most asin(step / |n|), and h falls beyond its
    // peak, so when the whole angle range lies past the peak its nearest end bounds h, else the
    // peak does. In p, |grad f| <= |A^T n/|n|| + (2 step / |n| + tangential) / rmin.
    mat_vec(g.A, d, q);
    const double n = sqrt(dot3(q, q));
    const double step = t / g.rmin;
    const double n_lo = n - step;
    if (n_lo <= 0) return 0;
    const double f = n - bean_radius(g, q[2], n);
    const double c = q[2] / n;
    const double sin_d = step / n, cos_d = sqrt(1.0 - sin_d * sin_d);
    double h = g.bump_slope;
    if (c <= cos_d) {  // the angle stays >= 0 across the ball
      const double c_near = c * cos_d + sqrt(fmax(0.0, 1.0 - c * c)) * sin_d;
      if (c_near <= g.peak_cos) h = sqrt(fmax(0.0, 1.0 - c_near * c_near)) * exp_nonpositive((c_near - 1.0) * g.inv_w2);
    }
    const double tang = g.depth * h * g.inv_w2 / n_lo;
    double radial[3];
    for (int i = 0; i < 3; ++i) radial[i] = (g.A[i] * q[0] + g.A[3 + i] * q[1] + g.A[6 + i] * q[2]) / n;
    const double slope = sqrt(dot3(radial, radial)) + (2.0 * step / n + tang) / g.rmin;
    const double reach = slope * t;
    return f > reach ? 1 : (f < -reach ? -1 : 0);
  }
  mat_vec(g.Rt, d, q);
  const double n = sqrt(dot3(q, q));
  int body;
  if (n + t < g.r_in) {
    body = -1;
  } else if (n - t > g.r_out) {
    body = 1;
  } else {
    const double n_lo = n - t;
    if (n_lo <= 0) {
      body = 0;
    } else {
      const double dir[3] = {q[0] / n, q[1] / n, q[2] / n};
      const double f = n - lobulated_radius(g, dir);
      const double tang = g.tangent_slope / n_lo;
      const double reach = t * sqrt(1.0 + tang * tang);
      body = f > reach ? 1 : (f < -reach ? -1 : 0);
    }
  }
  if (body < 0) return -1;
  bool all_out = body > 0;
  uint32_t near = 0;
  for (int j = 0; j < g.ns; ++j) {
    const double s = round_cone_sdf(g.spike[j], p);
    if (s < -t) return -1;
    if (s <= t) {
      all_out = false;
      near |= 1u << j;
    }
  }
  if (near_spikes != nullptr) *near_spikes = near;
  return all_out ? 1 : 0;
}

}  // namespace ms
