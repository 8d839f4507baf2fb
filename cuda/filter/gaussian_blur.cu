// CUDA twin of filter/gaussian_blur.h: separable passes x, y, then z, each rounding to float32,
// with the CPU kernel's taps (gaussian_kernel1d, rounded to float), its reflect indices
// (reflect_index, tabulated on the host) and its arithmetic order per output (blur_taps.h):
//   x pass (symmetric_taps): acc = w[0]·c;       acc += w[k]·(c[-k] + c[k]),  k = 1..r
//   y, z passes (row_taps):  acc = w[-r]·c[-r];  acc += w[i]·c[i],            i = -r+1..r
// so the two agree to rounding (the CPU's AVX2 and AVX-512 versions fuse the multiply-add as
// CUDA does). w[k] = w[-k]: the tables hold w[0..r].
//
// Kernels: a row kernel for x (a shared-memory tile of each row segment plus its halo), a column
// kernel for y and z (a tile of 32 contiguous columns × the axis segment plus its halo), and a
// direct kernel, one thread per output reading global memory, for radii too large for a tile.
#include <algorithm>
#include <string>

#include "filter/gaussian_blur.h"
#include "cuda/filter/gaussian_blur.cuh"

namespace ms {
namespace cuda {
namespace {

// Row kernel (x pass): kRowThreads outputs along x per row, kRowLines rows per block.
constexpr int kRowThreads = 128;
constexpr int kRowLines = 2;
constexpr int kRowMaxRadius = 1024;  // shared: (r + 1 + kRowLines (kRowThreads + 2r)) floats <= 21 KiB
// Column kernel (y and z passes): kColInner contiguous columns × kColTile outputs along the axis
// per block. With a thin inner axis (nx = 1 for y, ny·nx = 1 for z) most of a block idles, but
// the arithmetic stays the y/z passes'.
constexpr int kColInner = 32;
constexpr int kColRows = 8;
constexpr int kColTile = 64;
constexpr int kColMaxRadius = 128;  // shared: (r + 1 + (kColTile + 2r) kColInner) floats <= 41 KiB
constexpr int kDirectThreads = 256;
constexpr int kGridLimit = 65535;  // gridDim.y and gridDim.z; the kernels loop over the rest

// x pass. in, out: [lines, n] (n = nx); w: taps[0..r]; refl: n + 2r reflect indices.
__global__ void blur_rows_kernel(const float* __restrict__ in, float* __restrict__ out, int64_t lines, int n,
                                 int r, const float* __restrict__ w, const int32_t* __restrict__ refl) {
  extern __shared__ float smem[];
  float* taps = smem;
  const int width = kRowThreads + 2 * r;
  float* row = smem + (r + 1) + threadIdx.y * width;
  const int tid = threadIdx.y * kRowThreads + threadIdx.x;
  for (int k = tid; k <= r; k += kRowThreads * kRowLines) taps[k] = w[k];
  const int64_t x0 = static_cast<int64_t>(blockIdx.x) * kRowThreads;
  for (int64_t base = static_cast<int64_t>(blockIdx.y) * kRowLines; base < lines;
       base += static_cast<int64_t>(gridDim.y) * kRowLines) {
    const int64_t line = base + threadIdx.y;
    const bool live = line < lines;
    __syncthreads();  // the taps are loaded; the previous rows' readers are done
    if (live) {
      const float* src = in + line * n;
      for (int i = threadIdx.x; i < width; i += kRowThreads) {
        const int64_t xi = x0 - r + i;  // >= -r
        row[i] = xi < n + r ? src[refl[xi + r]] : 0.0f;
      }
    }
    __syncthreads();
    const int64_t x = x0 + threadIdx.x;
    if (live && x < n) {
      const float* c = row + threadIdx.x + r;
      float acc = taps[0] * c[0];
      for (int k = 1; k <= r; ++k) acc += taps[k] * (c[-k] + c[k]);
      out[line * n + x] = acc;
    }
  }
}

// y or z pass. Element (o, a, i) of in/out sits at (o·n + a)·inner + i; the blur runs along a.
__global__ void blur_cols_kernel(const float* __restrict__ in, float* __restrict__ out, int64_t outer, int n,
                                 int64_t inner, int r, const float* __restrict__ w,
                                 const int32_t* __restrict__ refl) {
  extern __shared__ float smem[];
  float* taps = smem;
  float* tile = smem + (r + 1);  // [kColTile + 2r][kColInner]
  const int span = kColTile + 2 * r;
  const int tid = threadIdx.y * kColInner + threadIdx.x;
  for (int k = tid; k <= r; k += kColInner * kColRows) taps[k] = w[k];
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kColInner + threadIdx.x;
  const bool live = i < inner;
  for (int64_t a0 = static_cast<int64_t>(blockIdx.y) * kColTile; a0 < n;
       a0 += static_cast<int64_t>(gridDim.y) * kColTile) {
    for (int64_t o = blockIdx.z; o < outer; o += gridDim.z) {
      const int64_t base = o * n * inner + i;
      __syncthreads();
      for (int t = threadIdx.y; t < span; t += kColRows) {
        const int64_t ai = a0 - r + t;  // >= -r
        tile[t * kColInner + threadIdx.x] =
            live && ai < n + r ? in[base + static_cast<int64_t>(refl[ai + r]) * inner] : 0.0f;
      }
      __syncthreads();
      for (int t = threadIdx.y; t < kColTile; t += kColRows) {
        const int64_t a = a0 + t;
        if (!live || a >= n) continue;
        const float* c = tile + t * kColInner + threadIdx.x;  // sample a - r
        float acc = taps[r] * c[0];
        for (int i = 1; i <= 2 * r; ++i) acc += taps[i < r ? r - i : i - r] * c[i * kColInner];
        out[base + a * inner] = acc;
      }
    }
  }
}

// Any axis, any radius: one thread per output, reading global memory; the x pass's arithmetic
// when `symmetric`, else the y and z passes'.
__global__ void blur_direct_kernel(const float* __restrict__ in, float* __restrict__ out, int64_t outer, int n,
                                   int64_t inner, int r, const float* __restrict__ w,
                                   const int32_t* __restrict__ refl, bool symmetric) {
  const int64_t total = outer * n * inner;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t i = idx % inner;
    const int64_t a = (idx / inner) % n;
    const int64_t o = idx / (inner * n);
    const float* src = in + o * n * inner + i;
    float acc;
    if (symmetric) {
      acc = w[0] * src[a * inner];
      for (int k = 1; k <= r; ++k) {
        acc += w[k] * (src[static_cast<int64_t>(refl[a - k + r]) * inner] +
                       src[static_cast<int64_t>(refl[a + k + r]) * inner]);
      }
    } else {
      acc = w[r] * src[static_cast<int64_t>(refl[a]) * inner];  // sample a - r
      for (int i = 1; i <= 2 * r; ++i) {
        acc += w[i < r ? r - i : i - r] * src[static_cast<int64_t>(refl[a + i]) * inner];
      }
    }
    out[idx] = acc;
  }
}

BlurAxis make_axis(int64_t n, double sigma, double truncate) {
  BlurAxis axis;
  axis.n = n;
  const int64_t radius = gaussian_radius(sigma, truncate);  // validates sigma and truncate
  // An axis with sigma 0, radius 0 or length 1 is left alone (filter/gaussian_blur.h).
  if (n <= 1 || sigma <= 0 || radius == 0) return axis;
  require(n + 2 * radius < (int64_t{1} << 31), "the CUDA blur needs axis length + 2 * radius below 2^31");
  axis.r = static_cast<int>(radius);
  const std::vector<double> taps = gaussian_kernel1d(sigma, truncate);
  axis.taps.resize(static_cast<size_t>(radius) + 1);
  for (int64_t k = 0; k <= radius; ++k) axis.taps[k] = static_cast<float>(taps[static_cast<size_t>(radius + k)]);
  axis.refl.resize(static_cast<size_t>(n + 2 * radius));
  for (int64_t i = -radius; i < n + radius; ++i) axis.refl[i + radius] = static_cast<int32_t>(reflect_index(i, n));
  return axis;
}

// Device copies of one axis' tables inside one buffer: taps, then the reflect indices.
struct AxisTables {
  const float* taps;
  const int32_t* refl;
};

AxisTables axis_tables(Slot& s, Buf b, const BlurAxis& axis) {
  auto* base = static_cast<char*>(s.buffers[b].reserve((axis.taps.size() + axis.refl.size()) * 4, "blur tables"));
  return {reinterpret_cast<const float*>(base), reinterpret_cast<const int32_t*>(base + axis.taps.size() * 4)};
}

// One pass along an axis whose elements sit at (o·n + a)·inner + i; `symmetric` for the x pass.
void blur_pass(Slot& s, const BlurAxis& axis, Buf tables, const float* in, float* out, int64_t outer,
               int64_t inner, bool symmetric) {
  const AxisTables t = axis_tables(s, tables, axis);
  const int n = static_cast<int>(axis.n), r = axis.r;
  if (symmetric && inner == 1 && r <= kRowMaxRadius) {
    const int64_t lines = outer;
    const size_t shared = static_cast<size_t>(r + 1 + kRowLines * (kRowThreads + 2 * r)) * sizeof(float);
    const dim3 grid(static_cast<unsigned>((n + kRowThreads - 1) / kRowThreads),
                    static_cast<unsigned>(std::min<int64_t>((lines + kRowLines - 1) / kRowLines, kGridLimit)));
    blur_rows_kernel<<<grid, dim3(kRowThreads, kRowLines), shared, s.stream>>>(in, out, lines, n, r, t.taps, t.refl);
    MS_CUDA_LAUNCH("blur_rows_kernel");
  } else if (!symmetric && r <= kColMaxRadius) {
    const size_t shared = static_cast<size_t>(r + 1 + (kColTile + 2 * r) * kColInner) * sizeof(float);
    const dim3 grid(static_cast<unsigned>((inner + kColInner - 1) / kColInner),
                    static_cast<unsigned>(std::min<int64_t>((n + kColTile - 1) / kColTile, kGridLimit)),
                    static_cast<unsigned>(std::min<int64_t>(outer, kGridLimit)));
    blur_cols_kernel<<<grid, dim3(kColInner, kColRows), shared, s.stream>>>(in, out, outer, n, inner, r, t.taps,
                                                                             t.refl);
    MS_CUDA_LAUNCH("blur_cols_kernel");
  } else {
    const int64_t total = outer * axis.n * inner;
    blur_direct_kernel<<<grid_for(total, kDirectThreads), kDirectThreads, 0, s.stream>>>(in, out, outer, n, inner,
                                                                                        r, t.taps, t.refl, symmetric);
    MS_CUDA_LAUNCH("blur_direct_kernel");
  }
}

}  // namespace

BlurPlan plan_blur(int64_t nz, int64_t ny, int64_t nx, const double sigma[3], double truncate) {
  require(nz >= 1 && ny >= 1 && nx >= 1, "dims must be >= 1");
  BlurPlan plan;
  plan.z = make_axis(nz, sigma[0], truncate);
  plan.y = make_axis(ny, sigma[1], truncate);
  plan.x = make_axis(nx, sigma[2], truncate);
  return plan;
}

void upload_blur_tables(Slot& s, const BlurPlan& plan) {
  const std::pair<const BlurAxis*, Buf> axes[3] = {{&plan.z, kBlurZ}, {&plan.y, kBlurY}, {&plan.x, kBlurX}};
  for (const auto& [axis, b] : axes) {
    if (axis->r == 0) continue;
    const AxisTables t = axis_tables(s, b, *axis);
    upload(s, const_cast<float*>(t.taps), axis->taps.data(), axis->taps.size() * 4);
    upload(s, const_cast<int32_t*>(t.refl), axis->refl.data(), axis->refl.size() * 4);
  }
}

float* launch_blur(Slot& s, const BlurPlan& plan, float* a, float* b) {
  const int64_t nz = plan.z.n, ny = plan.y.n, nx = plan.x.n;
  float* cur = a;
  float* other = b;
  if (plan.x.r > 0) {
    blur_pass(s, plan.x, kBlurX, cur, other, nz * ny, 1, true);
    std::swap(cur, other);
  }
  if (plan.y.r > 0) {
    blur_pass(s, plan.y, kBlurY, cur, other, nz, nx, false);
    std::swap(cur, other);
  }
  if (plan.z.r > 0) {
    blur_pass(s, plan.z, kBlurZ, cur, other, 1, ny * nx, false);
    std::swap(cur, other);
  }
  return cur;
}

void gaussian_blur(const float* in, float* out, int64_t nz, int64_t ny, int64_t nx, const double sigma[3],
                   double truncate) {
  const BlurPlan plan = plan_blur(nz, ny, nx, sigma, truncate);
  const int64_t count = nz * ny * nx;
  require(in == out || in + count <= out || out + count <= in, "out must be the input itself or not overlap it");
  Lease lease;
  Slot& s = lease.slot();
  CallClock clock(s);
  float* a = s.buffer<float>(kVolA, count, "the blur input");
  float* b = plan.any() ? s.buffer<float>(kVolB, count, "the blur scratch volume") : a;
  upload(s, a, in, static_cast<size_t>(count) * sizeof(float));
  upload_blur_tables(s, plan);
  clock.uploaded();
  clock.kernels_begin();
  float* result = launch_blur(s, plan, a, b);
  clock.kernels_end();
  clock.kernels_wait();
  download(s, s.stream, out, result, static_cast<size_t>(count) * sizeof(float));
  clock.finish();
}

}  // namespace cuda
}  // namespace ms
