// Separable Gaussian blur, CPU. Two sweeps over memory:
//   1. y and x together, slice by slice, a band of kBandRows rows at a time: the y pass sums
//      whole source rows (row_taps, vectorised along x; four output rows share each loaded
//      row) into a band buffer whose rows carry reflected margins, then the x pass
//      (symmetric_taps) convolves each band row into the output. The working set is the
//      2r + kBandRows rows of a band.
//   2. z, in place on the output, over column bands of the y-x plane: each band's planes
//      stream through a ring of 2r + 4 slots in L2 and the output planes are row_taps of it.
// The kernels give every element the same arithmetic whatever the partition, and partitions
// depend only on the shape, so the result is bit-identical on any thread count and in place.
#include "filter/gaussian_blur.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/error.h"
#include "core/thread_pool.h"
#include "filter/blur_taps.h"

namespace ms {
namespace {

// Output rows per band of the y pass (a multiple of the four that share loaded rows).
constexpr int64_t kBandRows = 16;
// Floats of the z-pass ring (512 KiB, half this machine's L2); bands are as wide as it allows,
// so each plane is read and written in long contiguous runs.
constexpr int64_t kZRingFloats = 1 << 17;
// Output planes the z pass computes together (row_taps shares loaded rows among four).
constexpr int64_t kZGroup = 4;
// Slices at least this many, or smaller than kSmallSlice voxels, are shared out whole.
constexpr int64_t kMinSlicesToShare = 16;
constexpr int64_t kSmallSlice = 1 << 15;
// When one slice is split between threads: rows per task, about this many voxels.
constexpr int64_t kTaskVoxels = 1 << 15;
// Scratch larger than this is not kept between calls when far more than the call needs; a
// slice larger than this is not copied per thread.
constexpr size_t kKeepBytes = size_t{16} << 20;

// One axis of the blur: its length, radius (0: skipped), the taps in float32 (full: offsets
// -r..r; half: |offset| 0..r), and refl[i + r] = reflect_index(i, n) for i in [-r, n + r).
struct Axis {
  int64_t n = 1, r = 0;
  std::vector<float> full, half;
  std::vector<int64_t> refl;

  Axis(int64_t length, double sigma, double truncate) : n(length) {
    const int64_t radius = gaussian_radius(sigma, truncate);
    if (length <= 1 || sigma <= 0 || radius == 0) return;
    r = radius;
    for (double t : gaussian_kernel1d(sigma, truncate)) full.push_back(static_cast<float>(t));
    half.assign(full.begin() + r, full.end());
    refl.resize(static_cast<size_t>(n + 2 * r));
    for (int64_t i = -r; i < n + r; ++i) refl[static_cast<size_t>(i + r)] = reflect_index(i, n);
  }
  bool active() const { return r > 0; }
  int64_t taps() const { return 2 * r + 1; }
  int64_t at(int64_t i) const { return refl[static_cast<size_t>(i + r)]; }
};

struct Plan {
  Axis z, y, x;
  int64_t plane() const { return y.n * x.n; }
};

// Per-thread buffers, reused across calls: fresh pages cost a fault each on first touch.
struct Scratch {
  std::vector<float> band, ring, zring, slice;
  std::vector<const float*> in;
  std::vector<float*> out;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// At least n elements; a buffer far larger than needed (left by an unusually large call) is
// replaced, so a thread does not keep it for the life of the process.
template <typename T>
T* grow(std::vector<T>& v, int64_t n) {
  const size_t need = static_cast<size_t>(n);
  if (v.size() < need || (v.size() * sizeof(T) > kKeepBytes && v.size() > 4 * need)) {
    std::vector<T>(need).swap(v);
  }
  return v.data();
}

void copy_floats(float* dst, const float* src, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

// Sweep 1 for rows [y0, y1) of one slice: src -> dst ([ny, nx] each).
// With `ring`, dst is src (in place) and y0 is 0: before a band overwrites its source rows,
// they are saved in a ring of ry rows (row i in slot i % ry). When a band starts at b0, rows
// [0, b0) are overwritten; an output row y >= b0 reads rows reflect(y + k), |k| <= ry, and
// with ry <= ny (a single reflection) those below b0 lie in [b0 - ry, b0): the ring's rows.
void blur_rows_xy(const Plan& p, const float* src, float* dst, int64_t y0, int64_t y1, bool ring) {
  Scratch& s = scratch();
  const int64_t nx = p.x.n, rx = p.x.r, ry = p.y.r;
  const int64_t stride = nx + 2 * rx;
  float* band = grow(s.band, kBandRows * stride);
  // The y pass's 2ry + kBandRows source rows and kBandRows output rows.
  const float** in = grow(s.in, 2 * ry + kBandRows);
  float** out = grow(s.out, kBandRows);
  float* saved = ring ? grow(s.ring, ry * nx) : nullptr;
  // Without an x pass or a ring, the y pass writes straight into dst.
  const bool y_to_dst = !p.x.active() && !ring;

  for (int64_t b0 = y0; b0 < y1; b0 += kBandRows) {
    const int64_t b1 = std::min(y1, b0 + kBandRows);
    auto band_row = [&](int64_t y) { return y_to_dst ? dst + y * nx : band + (y - b0) * stride + rx; };
    if (p.y.active()) {
      for (int64_t t = 0; t < 2 * ry + (b1 - b0); ++t) {
        const int64_t i = p.y.at(b0 + t - ry);
        in[t] = ring && i < b0 ? saved + (i % ry) * nx : src + i * nx;
      }
      for (int64_t y = b0; y < b1; ++y) out[y - b0] = band_row(y);
      row_taps(in, p.y.full.data(), p.y.taps(), out, b1 - b0, 0, nx);
      if (ring) {
        for (int64_t y = b0; y < b1; ++y) copy_floats(saved + (y % ry) * nx, src + y * nx, nx);
      }
    } else {
      for (int64_t y = b0; y < b1; ++y) copy_floats(band_row(y), src + y * nx, nx);
    }
    if (y_to_dst) continue;
    for (int64_t y = b0; y < b1; ++y) {
      float* row = band_row(y);
      if (!p.x.active()) {
        copy_floats(dst + y * nx, row, nx);
        continue;
      }
      for (int64_t i = -rx; i < 0; ++i) row[i] = row[p.x.at(i)];
      for (int64_t i = nx; i < nx + rx; ++i) row[i] = row[p.x.at(i)];
      symmetric_taps(row, p.x.half.data(), rx, dst + y * nx, 0, nx);
    }
  }
}

// Sweep 1: y and x passes over every slice, src -> dst (dst may be src).
void blur_xy(const Plan& p, const float* src, float* dst) {
  const int64_t nz = p.z.n, ny = p.y.n, nx = p.x.n, plane = p.plane();
  const bool in_place = src == dst;
  // The ring needs a single reflection (ry <= ny); otherwise an in-place slice is copied first.
  const bool ring = in_place && p.y.active() && p.y.r <= ny;
  const bool copy_slice = in_place && p.y.active() && !ring;

  if ((nz >= kMinSlicesToShare || plane < kSmallSlice) &&
      !(copy_slice && static_cast<size_t>(plane) * sizeof(float) > kKeepBytes)) {
    parallel_for(nz, 1, [&](int64_t b, int64_t e) {
      for (int64_t z = b; z < e; ++z) {
        const float* s = src + z * plane;
        if (copy_slice) {
          float* copy = grow(scratch().slice, plane);
          copy_floats(copy, s, plane);
          s = copy;
        }
        blur_rows_xy(p, s, dst + z * plane, 0, ny, ring);
      }
    });
    return;
  }

  // Few, large slices: split each slice into tasks of rows. In place with a y pass, the tasks
  // read a copy of the slice made first (they would overwrite each other's margins).
  thread_local std::vector<float> shared;
  const int64_t rows = std::max<int64_t>(1, kTaskVoxels / nx / kBandRows) * kBandRows;
  for (int64_t z = 0; z < nz; ++z) {
    const float* s = src + z * plane;
    float* d = dst + z * plane;
    if (in_place && p.y.active()) {
      float* copy = grow(shared, plane);
      parallel_for(ny, rows, [&](int64_t b, int64_t e) { copy_floats(copy + b * nx, s + b * nx, (e - b) * nx); });
      s = copy;
    }
    parallel_for(ny, rows, [&](int64_t b, int64_t e) { blur_rows_xy(p, s, d, b, e, false); });
  }
  if (shared.size() * sizeof(float) > kKeepBytes) std::vector<float>().swap(shared);
}

// Sweep 2 for the `len` plane columns at c0: src -> dst (dst may be src). The band's planes
// stream through a ring of cap = min(nz, 2rz + kZGroup) slots (plane z in slot z % cap);
// output planes [z, z + g) are written once input planes up to z + g - 1 + rz are in. The
// inputs they read, reflect(z + t - rz), lie in the last cap planes read (for rz < nz a
// single reflection keeps them in [z - rz, z + g - 1 + rz]; otherwise the ring holds every
// plane), and no plane is overwritten before it has been read, so in place is safe.
void blur_z_band(const Plan& p, const float* src, float* dst, int64_t c0, int64_t len) {
  Scratch& s = scratch();
  const int64_t nz = p.z.n, rz = p.z.r, plane = p.plane();
  const int64_t cap = std::min(nz, 2 * rz + kZGroup);
  float* ring = grow(s.zring, cap * len);
  auto slot = [&](int64_t z) { return ring + (z % cap) * len; };
  const float** in = grow(s.in, 2 * rz + kZGroup);
  float** out = grow(s.out, kZGroup);
  int64_t loaded = 0;
  for (int64_t z = 0; z < nz; z += kZGroup) {
    const int64_t g = std::min(kZGroup, nz - z);
    for (const int64_t need = std::min(nz, z + g + rz); loaded < need; ++loaded) {
      copy_floats(slot(loaded), src + loaded * plane + c0, len);
    }
    for (int64_t t = 0; t < 2 * rz + g; ++t) in[t] = slot(p.z.at(z + t - rz));
    for (int64_t q = 0; q < g; ++q) out[q] = dst + (z + q) * plane + c0;
    row_taps(in, p.z.full.data(), p.z.taps(), out, g, 0, len);
  }
}

void blur_z(const Plan& p, const float* src, float* dst) {
  const int64_t plane = p.plane();
  const int64_t cap = std::min(p.z.n, 2 * p.z.r + kZGroup);
  const int64_t len = std::min(plane, std::max<int64_t>(64, kZRingFloats / cap / 64 * 64));
  const int64_t bands = (plane + len - 1) / len;
  parallel_for(bands, 1, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) {
      const int64_t c0 = c * len;
      blur_z_band(p, src, dst, c0, std::min(len, plane - c0));
    }
  });
}

}  // namespace

int64_t gaussian_radius(double sigma, double truncate) {
  require(std::isfinite(sigma) && sigma >= 0, "sigma must be a finite number >= 0");
  require(std::isfinite(truncate) && truncate > 0, "truncate must be a finite number > 0");
  const double r = truncate * sigma + 0.5;
  require(r <= static_cast<double>(kMaxGaussianRadius),
          "sigma * truncate gives a kernel radius above " + std::to_string(kMaxGaussianRadius) + " voxels");
  return static_cast<int64_t>(r);
}

std::vector<double> gaussian_kernel1d(double sigma, double truncate) {
  const int64_t r = gaussian_radius(sigma, truncate);
  std::vector<double> w(static_cast<size_t>(2 * r + 1), 0.0);
  if (r == 0) {
    w[0] = 1.0;
    return w;
  }
  // As scipy: phi = exp(-0.5 / sigma² * x²), then phi / phi.sum().
  const double c = -0.5 / (sigma * sigma);
  double sum = 0;
  for (int64_t i = -r; i <= r; ++i) {
    const double v = std::exp(c * static_cast<double>(i * i));
    w[static_cast<size_t>(i + r)] = v;
    sum += v;
  }
  for (double& v : w) v /= sum;
  return w;
}

void gaussian_blur(const float* in, float* out, int64_t nz, int64_t ny, int64_t nx,
                   const double sigma[3], double truncate) {
  require(nz >= 1 && ny >= 1 && nx >= 1, "dims must be >= 1");
  const int64_t count = nz * ny * nx;
  require(in == out || in + count <= out || out + count <= in,
          "out must be the input itself or not overlap it");
  const Plan p{Axis(nz, sigma[0], truncate), Axis(ny, sigma[1], truncate), Axis(nx, sigma[2], truncate)};

  const bool xy = p.x.active() || p.y.active();
  if (xy) blur_xy(p, in, out);
  if (p.z.active()) blur_z(p, xy ? out : in, out);
  if (!xy && !p.z.active() && in != out) {
    parallel_for(count, 1 << 20, [&](int64_t b, int64_t e) { copy_floats(out + b, in + b, e - b); });
  }
}

}  // namespace ms
