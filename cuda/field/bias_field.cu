// CUDA twin of field/bias_field.h. As on the CPU, each (z, y) row collapses the polynomial to a
// cubic in X with coefficients summed in float64, and each voxel evaluates that cubic and
// fm::fast_exp (core/fastmath.h, the CPU's own exp) in float32.
#include <cmath>
#include <string>

#include "core/fastmath.h"
#include "field/bias_field.h"
#include "cuda/field/bias_field.cuh"

namespace ms {
namespace cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kGridLimit = 65535;

struct Cubic {
  float a[4];
};

// The polynomial's coefficients as a kernel argument (512 bytes, well under the 4 KiB limit).
struct Coefficients {
  double c[4][4][4];
  int order;
};

// linspace(-1, 1, n)[index]; an axis of size 1 has coordinate 0 (field/bias_field.h).
__host__ __device__ double axis_coordinate(int64_t index, int64_t n) {
  return n == 1 ? 0.0 : -1.0 + 2.0 * static_cast<double>(index) / static_cast<double>(n - 1);
}

// rows[z·ny + y] = the cubic in X of row (z, y): a[i] = Σ_{j,k} c[i][j][k] Y^j Z^k, in float64
// in the CPU kernel's summation order, then rounded to float. xs[x] = X as float.
__global__ void bias_rows_kernel(Coefficients p, int64_t nz, int64_t ny, int64_t nx, Cubic* rows, float* xs) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t first = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  for (int64_t row = first; row < nz * ny; row += stride) {
    const double z = axis_coordinate(row / ny, nz), y = axis_coordinate(row % ny, ny);
    double a[4] = {0, 0, 0, 0};
    for (int i = 0; i <= p.order; ++i) {
      double yj = 1.0;
      for (int j = 0; j <= p.order - i; ++j) {
        double zk = 1.0;
        for (int k = 0; k <= p.order - i - j; ++k) {
          // Unfused, as the CPU's baseline code computes it (nvcc would otherwise fuse to an FMA).
          a[i] = __dadd_rn(a[i], __dmul_rn(__dmul_rn(p.c[i][j][k], yj), zk));
          zk *= z;
        }
        yj *= y;
      }
    }
    rows[row] = Cubic{{static_cast<float>(a[0]), static_cast<float>(a[1]), static_cast<float>(a[2]),
                       static_cast<float>(a[3])}};
  }
  for (int64_t x = first; x < nx; x += stride) xs[x] = static_cast<float>(axis_coordinate(x, nx));
}

// out = in · exp(cubic(X)) (in == nullptr: the field). grid.x covers x, grid.y loops over rows.
__global__ void bias_apply_kernel(const float* in, float* out, int64_t rows, int64_t nx, const Cubic* cubics,
                                  const float* __restrict__ xs) {
  const int64_t x = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (x >= nx) return;
  const float xv = xs[x];
  for (int64_t row = blockIdx.y; row < rows; row += gridDim.y) {
    const Cubic c = cubics[row];
    const float field = fm::fast_exp(c.a[0] + xv * (c.a[1] + xv * (c.a[2] + xv * c.a[3])));
    const int64_t v = row * nx + x;
    out[v] = in != nullptr ? in[v] * field : field;
  }
}

}  // namespace

BiasPlan plan_bias(int order, const double* coefficients, int64_t coefficient_count) {
  check_bias_field(order, coefficients, coefficient_count);
  BiasPlan plan;
  plan.order = order;
  // Coefficient order of field/bias_field.h: i (X), then j (Y), then k (Z).
  int64_t t = 0;
  for (int i = 0; i <= order; ++i)
    for (int j = 0; j <= order - i; ++j)
      for (int k = 0; k <= order - i - j; ++k) plan.c[i][j][k] = coefficients[t++];
  return plan;
}

void launch_bias(Slot& s, const BiasPlan& plan, const float* in, float* out, int64_t nz, int64_t ny, int64_t nx) {
  const int64_t rows = nz * ny;
  auto* table = static_cast<char*>(s.buffers[kBiasRows].reserve(
      static_cast<size_t>(rows) * sizeof(Cubic) + static_cast<size_t>(nx) * sizeof(float), "bias field rows"));
  auto* cubics = reinterpret_cast<Cubic*>(table);
  auto* xs = reinterpret_cast<float*>(table + static_cast<size_t>(rows) * sizeof(Cubic));
  Coefficients p{};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 4; ++k) p.c[i][j][k] = plan.c[i][j][k];
  p.order = plan.order;
  bias_rows_kernel<<<grid_for(std::max(rows, nx), kThreads), kThreads, 0, s.stream>>>(p, nz, ny, nx, cubics, xs);
  MS_CUDA_LAUNCH("bias_rows_kernel");
  const dim3 grid(static_cast<unsigned>((nx + kThreads - 1) / kThreads),
                  static_cast<unsigned>(std::min<int64_t>(rows, kGridLimit)));
  bias_apply_kernel<<<grid, kThreads, 0, s.stream>>>(in, out, rows, nx, cubics, xs);
  MS_CUDA_LAUNCH("bias_apply_kernel");
}

void bias_field(const float* in, float* out, int64_t nz, int64_t ny, int64_t nx, int order,
                const double* coefficients, int64_t coefficient_count) {
  const BiasPlan plan = plan_bias(order, coefficients, coefficient_count);
  require(nz >= 1 && ny >= 1 && nx >= 1, "bias field dims must be >= 1");
  const int64_t count = nz * ny * nx;
  Lease lease;
  Slot& s = lease.slot();
  CallClock clock(s);
  float* d = s.buffer<float>(kVolA, count, "the bias field volume");
  if (in != nullptr) upload(s, d, in, static_cast<size_t>(count) * sizeof(float));
  clock.uploaded();
  clock.kernels_begin();
  launch_bias(s, plan, in != nullptr ? d : nullptr, d, nz, ny, nx);
  clock.kernels_end();
  clock.kernels_wait();
  download(s, s.stream, out, d, static_cast<size_t>(count) * sizeof(float));
  clock.finish();
}

}  // namespace cuda
}  // namespace ms
