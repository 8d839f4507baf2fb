// CUDA twin of volume/rasterize.h. One block per (z, y) row applies the shapes touching the row
// in call order; within a shape's row the threads take voxels along x. The geometry is
// volume/shapes.h itself (MS_HOSTDEV), and each voxel is decided exactly as the CPU decides it:
//   convex shapes: the 16 (4 in plane mode) sub-row intervals (convex_line; the CPU's vectorised
//                  ellipsoid_sub_rows does the same operations), the same fully-inside run and
//                  the same per-voxel sub-sample count from the interval ends;
//   other shapes:  the same outer/inner row bounds, then shape_classify, then the sub-samples
//                  by shape_inside (the CPU's bean_samples / lobulated_samples are its arithmetic,
//                  flattened to vectorise).
// This file is compiled without fused multiply-add (CMakeLists.txt), as the CPU's scalar code is,
// so the double geometry, the counts, the labels and the float blends come out the same.
//
// The host-side checks and preparation are rasterize.cc's own (volume/raster_prepare.h); the row
// decisions mirror rasterize.cc's private functions.
#include <algorithm>
#include <cmath>
#include <string>

#include "cuda/volume/rasterize.cuh"
#include "volume/raster_prepare.h"
#include "volume/shapes.h"

namespace ms {
namespace cuda {
namespace {

constexpr int kThreads = 128;
constexpr int64_t kMaxBlocks = int64_t{1} << 20;

// Sub-sample offsets along each axis (rasterize.cc's kOffsets).
__constant__ double c_offsets[4] = {-0.375, -0.125, 0.125, 0.375};

// The shape table both devices paint from (volume/raster_prepare.h).
using DevShape = PreparedShape;

// ---- device: the row decisions (rasterize.cc's convex_row, general_row, paint_*) -------------------

__device__ __forceinline__ double std_min(double a, double b) { return b < a ? b : a; }
__device__ __forceinline__ double std_max(double a, double b) { return a < b ? b : a; }

// ceil / floor of v clamped into [lo, hi] before the conversion (v may be +-1e300).
__device__ __forceinline__ int64_t ceil_clamped(double v, int64_t lo, int64_t hi) {
  return static_cast<int64_t>(std_min(static_cast<double>(hi), std_max(static_cast<double>(lo), ceil(v))));
}
__device__ __forceinline__ int64_t floor_clamped(double v, int64_t lo, int64_t hi) {
  return static_cast<int64_t>(std_min(static_cast<double>(hi), std_max(static_cast<double>(lo), floor(v))));
}

// The run of voxels [first, last] the shape may touch on a row, and the run [f0, f1] inside it
// that is wholly covered (f0 > f1: none). first > last: the row is untouched.
struct RowSpan {
  int64_t first, last, f0, f1;
};

// Sub-sample count of voxel x from the sub-row intervals [xa[k], xb[k]] (count_sub_rows).
__device__ __forceinline__ int convex_count(const double* xa, const double* xb, int nsub, int64_t x) {
  const double xd = static_cast<double>(x);
  double total = 0;
  for (int k = 0; k < nsub; ++k) {
    const double jl = std_max(ceil((xa[k] - xd) * 4.0 + 1.5), 0.0);
    const double jh = std_min(floor((xb[k] - xd) * 4.0 + 1.5), 3.0);
    total += std_max(jh - jl + 1.0, 0.0);
  }
  return static_cast<int>(total);
}

__device__ RowSpan convex_span(const DevShape& s, const double* xa, const double* xb, int nsub) {
  double lo = 1e300, hi = -1e300, in_lo = -1e300, in_hi = 1e300;
  for (int k = 0; k < nsub; ++k) {
    lo = std_min(lo, xa[k]);
    hi = std_max(hi, xb[k]);
    in_lo = std_max(in_lo, xa[k]);
    in_hi = std_min(in_hi, xb[k]);
  }
  RowSpan r{1, 0, 1, 0};
  if (lo > hi) return r;
  r.first = ceil_clamped(lo - 0.375, s.x0, s.x1 + 1);
  r.last = floor_clamped(hi + 0.375, s.x0 - 1, s.x1);
  if (r.first > r.last) return r;
  r.f0 = r.last + 1;
  r.f1 = r.last;
  if (in_lo <= in_hi) {
    r.f0 = ceil_clamped(in_lo + 0.375, r.first, r.last + 1);
    r.f1 = floor_clamped(in_hi - 0.375, r.first - 1, r.last);
  }
  return r;
}

__device__ RowSpan general_span(const DevShape& s, double zl, double yl, double t) {
  RowSpan r{1, 0, 1, 0};
  const Interval outer = outer_line(s.g, zl, yl, t);
  if (is_empty(outer)) return r;
  r.first = ceil_clamped(outer.lo, s.x0, s.x1 + 1);
  r.last = floor_clamped(outer.hi, s.x0 - 1, s.x1);
  if (r.first > r.last) return r;
  const Interval inner = inner_line(s.g, zl, yl, t);
  r.f0 = r.last + 1;
  r.f1 = r.last;
  if (!is_empty(inner)) {
    r.f0 = ceil_clamped(inner.lo, r.first, r.last + 1);
    r.f1 = floor_clamped(inner.hi, r.first - 1, r.last);
  }
  return r;
}

__device__ int sample_count(const DevShape& s, double zc, double y, double x) {
  int n = 0;
  double p[3];
  for (int i = 0; i < (s.plane ? 1 : 4); ++i) {
    p[0] = s.plane ? zc : zc + c_offsets[i];
    for (int j = 0; j < 4; ++j) {
      p[1] = y + c_offsets[j];
      for (int k = 0; k < 4; ++k) {
        p[2] = x + c_offsets[k];
        n += shape_inside(s.g, p);
      }
    }
  }
  return n;
}

// A voxel with n of s.full sub-samples inside (paint_voxel).
__device__ __forceinline__ void paint_partial(const DevShape& s, float* o, uint8_t* l, int n) {
  if (o != nullptr) {
    const float c = static_cast<float>(n) * s.inv_full, v = s.value;
    if (s.blend == kBlendReplace) {
      *o = *o * (1.0f - c) + v * c;
    } else if (s.blend == kBlendAdd) {
      *o = *o + v * c;
    } else {
      const float d = v - *o;
      *o = *o + c * (d < 0.0f ? 0.0f : d);
    }
  }
  if (l != nullptr && 2 * n >= s.full && s.can_write[*l]) *l = static_cast<uint8_t>(s.label);
}

// A voxel wholly inside (paint_full: fill_replace / fill_add / fill_max, fill_labels).
__device__ __forceinline__ void paint_whole(const DevShape& s, float* o, uint8_t* l) {
  if (o != nullptr) {
    const float v = s.value;
    if (s.blend == kBlendReplace) {
      *o = v;
    } else if (s.blend == kBlendAdd) {
      *o += v;
    } else {
      const float d = v - *o;
      *o += d < 0.0f ? 0.0f : d;
    }
  }
  if (l != nullptr && s.can_write[*l]) *l = static_cast<uint8_t>(s.label);
}

__device__ __forceinline__ unsigned long long warp_sum(unsigned long long v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
  return v;
}

// One block per (z, y) row (looping when there are more rows than blocks).
__global__ void raster_kernel(const DevShape* __restrict__ shapes, int n_shapes, int64_t nz, int64_t ny, int64_t nx,
                              float* intensity, uint8_t* labels, unsigned long long* counts) {
  __shared__ double xa[16], xb[16];
  __shared__ RowSpan span;
  for (int64_t row = blockIdx.x; row < nz * ny; row += gridDim.x) {
    const int64_t z = row / ny, y = row % ny;
    for (int si = 0; si < n_shapes; ++si) {
      const DevShape& s = shapes[si];
      if (z < s.z0 || z > s.z1 || y < s.y0 || y > s.y1) continue;  // the same for the whole block
      const double zl = s.plane ? s.g.zc : static_cast<double>(z), yl = static_cast<double>(y);
      const int nsub = s.plane ? 4 : 16;
      __syncthreads();  // the previous shape's readers of xa, xb and span are done
      if (s.convex) {
        if (threadIdx.x < nsub) {
          const int i = threadIdx.x / 4, j = threadIdx.x % 4;
          const double zs = s.plane ? s.g.zc : static_cast<double>(z) + c_offsets[i];
          Interval iv = convex_line(s.g, zs, yl + c_offsets[j]);
          if (is_empty(iv)) iv = empty_interval();
          xa[threadIdx.x] = iv.lo;
          xb[threadIdx.x] = iv.hi;
        }
        __syncthreads();
        if (threadIdx.x == 0) span = convex_span(s, xa, xb, nsub);
      } else if (threadIdx.x == 0) {
        span = general_span(s, zl, yl, s.plane ? kRasterReach2 : kRasterReach3);
      }
      __syncthreads();
      const RowSpan r = span;
      const double t = s.plane ? kRasterReach2 : kRasterReach3;
      const bool paint_labels = labels != nullptr && s.label >= 0;
      unsigned long long sum = 0;
      for (int64_t x = r.first + threadIdx.x; x <= r.last; x += blockDim.x) {
        const int64_t v = row * nx + x;
        float* o = intensity != nullptr ? intensity + v : nullptr;
        uint8_t* l = paint_labels ? labels + v : nullptr;
        if (x >= r.f0 && x <= r.f1) {
          paint_whole(s, o, l);
          sum += static_cast<unsigned long long>(s.full);
          continue;
        }
        int n;
        if (s.convex) {
          n = convex_count(xa, xb, nsub, x);
        } else {
          const double p[3] = {zl, yl, static_cast<double>(x)};
          const int side = shape_classify(s.g, p, t);
          n = side < 0 ? s.full : (side > 0 ? 0 : sample_count(s, zl, yl, p[2]));
        }
        if (n == 0) continue;
        sum += static_cast<unsigned long long>(n);
        paint_partial(s, o, l, n);
      }
      sum = warp_sum(sum);
      if ((threadIdx.x & 31) == 0 && sum != 0) atomicAdd(counts + si, sum);
    }
  }
}

}  // namespace

struct RasterJob {
  std::vector<DevShape> shapes;
  int64_t z = 1, y = 1, x = 1;
  DevShape* d_shapes = nullptr;
  unsigned long long* d_counts = nullptr;
};

void RasterJobDeleter::operator()(RasterJob* job) const { delete job; }

std::unique_ptr<RasterJob, RasterJobDeleter> plan_raster(const std::vector<RasterShape>& shapes,
                                                         const RasterTargets& t) {
  check_raster_args(shapes, t);
  std::unique_ptr<RasterJob, RasterJobDeleter> job(new RasterJob);
  job->z = t.z;
  job->y = t.y;
  job->x = t.x;
  job->shapes.reserve(shapes.size());
  for (const RasterShape& s : shapes) job->shapes.push_back(prepare_raster_shape(s, t));
  return job;
}

void upload_raster(Slot& s, RasterJob& job) {
  const size_t n = job.shapes.size();
  job.d_shapes = s.buffer<DevShape>(kShapes, static_cast<int64_t>(std::max<size_t>(n, 1)), "the shape table");
  job.d_counts = s.buffer<unsigned long long>(kCounters, static_cast<int64_t>(std::max<size_t>(n, 1)),
                                              "the coverage counters");
  if (n == 0) return;
  upload(s, job.d_shapes, job.shapes.data(), n * sizeof(DevShape));
  MS_CUDA(cudaMemsetAsync(job.d_counts, 0, n * sizeof(unsigned long long), s.stream));
}

void launch_raster(Slot& s, const RasterJob& job, float* intensity, uint8_t* labels) {
  if (job.shapes.empty()) return;
  const int64_t rows = job.z * job.y;
  const auto blocks = static_cast<unsigned>(std::min(rows, kMaxBlocks));
  raster_kernel<<<blocks, kThreads, 0, s.stream>>>(job.d_shapes, static_cast<int>(job.shapes.size()), job.z, job.y,
                                                   job.x, intensity, labels, job.d_counts);
  MS_CUDA_LAUNCH("raster_kernel");
}

void read_coverage(Slot& s, cudaStream_t stream, const RasterJob& job, double* coverage_sum) {
  const size_t n = job.shapes.size();
  if (n == 0 || coverage_sum == nullptr) return;
  std::vector<unsigned long long> counts(n);
  download(s, stream, counts.data(), job.d_counts, n * sizeof(unsigned long long));
  for (size_t i = 0; i < n; ++i) coverage_sum[i] = static_cast<double>(counts[i]) / job.shapes[i].full;
}

void rasterize(const std::vector<RasterShape>& shapes, const RasterTargets& targets, double* coverage_sum) {
  auto job = plan_raster(shapes, targets);
  const int64_t count = targets.z * targets.y * targets.x;
  Lease lease;
  Slot& s = lease.slot();
  CallClock clock(s);
  // The targets are painted in place, so their current contents go up first.
  float* d_intensity = nullptr;
  uint8_t* d_labels = nullptr;
  if (targets.intensity != nullptr) {
    d_intensity = s.buffer<float>(kVolA, count, "the intensity volume");
    upload(s, d_intensity, targets.intensity, static_cast<size_t>(count) * sizeof(float));
  }
  if (targets.labels != nullptr) {
    d_labels = s.buffer<uint8_t>(kLabels, count, "the label volume");
    upload(s, d_labels, targets.labels, static_cast<size_t>(count));
  }
  upload_raster(s, *job);
  clock.uploaded();
  clock.kernels_begin();
  launch_raster(s, *job, d_intensity, d_labels);
  clock.kernels_end();
  clock.kernels_wait();
  if (d_intensity != nullptr) {
    download(s, s.stream, targets.intensity, d_intensity, static_cast<size_t>(count) * sizeof(float));
  }
  if (d_labels != nullptr) download(s, s.stream, targets.labels, d_labels, static_cast<size_t>(count));
  read_coverage(s, s.stream, *job, coverage_sum);
  clock.finish();
}

}  // namespace cuda
}  // namespace ms
