// Pooling and nearest up-sampling kernels; see pool.h for shapes and rules.
#include "nn/pool.h"

#include <cstring>
#include <limits>
#include <string>

#include "core/error.h"
#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms::nn {
namespace {

int64_t plane_grain(int64_t work_per_plane) {
  return work_per_plane >= 8192 ? 1 : 8192 / (work_per_plane + 1) + 1;
}

// Calls visit(out_index, in_index) for every in-range input element of every output window of
// one plane, windows in output order and elements in input order.
template <typename Visit, typename Begin, typename End>
void for_each_window(const PoolGeometry& g, Begin begin, Visit visit, End end) {
  int64_t o = 0;
  for (int64_t oz = 0; oz < g.out[0]; ++oz) {
    const int64_t z0 = oz * g.stride[0] - g.padding[0];
    for (int64_t oy = 0; oy < g.out[1]; ++oy) {
      const int64_t y0 = oy * g.stride[1] - g.padding[1];
      for (int64_t ox = 0; ox < g.out[2]; ++ox, ++o) {
        const int64_t x0 = ox * g.stride[2] - g.padding[2];
        begin(o);
        for (int64_t kz = 0; kz < g.kernel[0]; ++kz) {
          const int64_t z = z0 + kz;
          if (z < 0 || z >= g.in[0]) continue;
          for (int64_t ky = 0; ky < g.kernel[1]; ++ky) {
            const int64_t y = y0 + ky;
            if (y < 0 || y >= g.in[1]) continue;
            const int64_t row = (z * g.in[1] + y) * g.in[2];
            for (int64_t kx = 0; kx < g.kernel[2]; ++kx) {
              const int64_t x = x0 + kx;
              if (x >= 0 && x < g.in[2]) visit(o, row + x);
            }
          }
        }
        end(o);
      }
    }
  }
}

// One window element for max pooling, as the generic loop decides: the first maximum in input
// order wins; a NaN wins and stays (PyTorch propagates NaN). Selects only, so rows vectorise.
MS_ALWAYS_INLINE void take_max(float v, int32_t i, float& best, int32_t& at) {
  const bool take = (v > best || v != v) && !(best != best);
  best = take ? v : best;
  at = take ? i : at;
}

// A row of 2×2 stride-2 windows over input rows r0, r1 (flat in-plane indices i0, i1 of their
// starts); `merge` folds them into y/arg already holding the previous z slice's winners.
MS_SIMD_CLONES void max_pool_2x2_row(const float* MS_RESTRICT r0, const float* MS_RESTRICT r1, int32_t i0, int32_t i1,
                                     int64_t ow, bool merge, float* MS_RESTRICT y, int32_t* MS_RESTRICT arg) {
  if (!merge) {
    for (int64_t o = 0; o < ow; ++o) {
      const int32_t k = static_cast<int32_t>(2 * o);
      float best = r0[k];
      int32_t at = i0 + k;
      take_max(r0[k + 1], i0 + k + 1, best, at);
      take_max(r1[k], i1 + k, best, at);
      take_max(r1[k + 1], i1 + k + 1, best, at);
      y[o] = best;
      arg[o] = at;
    }
    return;
  }
  for (int64_t o = 0; o < ow; ++o) {
    const int32_t k = static_cast<int32_t>(2 * o);
    float best = y[o];
    int32_t at = arg[o];
    take_max(r0[k], i0 + k, best, at);
    take_max(r0[k + 1], i0 + k + 1, best, at);
    take_max(r1[k], i1 + k, best, at);
    take_max(r1[k + 1], i1 + k + 1, best, at);
    y[o] = best;
    arg[o] = at;
  }
}

// The U-Net's and the classifier's pooling: 2×2 (2-D) or 2×2×2 (3-D) windows, stride = kernel,
// no padding. Same result as the generic walk, several times faster.
bool is_2x2_pool(const PoolGeometry& g) {
  return g.kernel[1] == 2 && g.kernel[2] == 2 && g.stride[1] == 2 && g.stride[2] == 2 && g.kernel[0] == g.stride[0] &&
         (g.kernel[0] == 1 || g.kernel[0] == 2) && g.padding[0] == 0 && g.padding[1] == 0 && g.padding[2] == 0;
}

void max_pool_2x2_plane(const float* xp, const PoolGeometry& g, float* yp, int32_t* ap) {
  for (int64_t oz = 0; oz < g.out[0]; ++oz) {
    for (int64_t oy = 0; oy < g.out[1]; ++oy) {
      float* y = yp + (oz * g.out[1] + oy) * g.out[2];
      int32_t* arg = ap + (oz * g.out[1] + oy) * g.out[2];
      for (int64_t kz = 0; kz < g.kernel[0]; ++kz) {
        const int64_t i0 = ((oz * g.kernel[0] + kz) * g.in[1] + 2 * oy) * g.in[2];
        max_pool_2x2_row(xp + i0, xp + i0 + g.in[2], static_cast<int32_t>(i0), static_cast<int32_t>(i0 + g.in[2]), g.out[2],
                         kz > 0, y, arg);
      }
    }
  }
}

template <typename PlaneFn>
void for_each_plane(const PoolGeometry& g, PlaneFn fn) {
  parallel_for(g.planes, plane_grain(g.out_plane() * g.kernel[0] * g.kernel[1] * g.kernel[2]),
               [&](int64_t p0, int64_t p1) {
                 for (int64_t p = p0; p < p1; ++p) fn(p);
               });
}

}  // namespace

void check_pool_geometry(const PoolGeometry& g) {
  require(g.dims >= 1 && g.dims <= 3, "pooling needs 1 to 3 spatial axes");
  require(g.planes >= 0, "pooling needs a non-negative number of planes");
  for (int a = 0; a < 3; ++a) {
    const std::string axis = "axis " + std::to_string(a);
    require(g.in[a] >= 1 && g.kernel[a] >= 1 && g.stride[a] >= 1 && g.padding[a] >= 0, "pooling: " + axis + " has a non-positive size, kernel or stride");
    require(2 * g.padding[a] <= g.kernel[a], "pooling: padding must be at most half the kernel on " + axis);
    require(g.in[a] + 2 * g.padding[a] >= g.kernel[a], "pooling: the kernel is larger than the padded input on " + axis);
    require(g.out[a] == (g.in[a] + 2 * g.padding[a] - g.kernel[a]) / g.stride[a] + 1, "pooling: wrong output size on " + axis);
  }
}

void max_pool_forward(const float* x, const PoolGeometry& g, float* y, int32_t* argmax) {
  for_each_plane(g, [&](int64_t p) {
    const float* xp = x + p * g.in_plane();
    float* yp = y + p * g.out_plane();
    int32_t* ap = argmax + p * g.out_plane();
    if (is_2x2_pool(g)) return max_pool_2x2_plane(xp, g, yp, ap);
    float best = 0;
    int32_t at = -1;
    for_each_window(
        g, [&](int64_t) { best = -std::numeric_limits<float>::infinity(), at = -1; },
        [&](int64_t, int64_t i) {
          // NaN propagates as in PyTorch: a NaN wins and stays.
          if (at < 0 || xp[i] > best || xp[i] != xp[i]) {
            if (!(best != best)) best = xp[i], at = static_cast<int32_t>(i);
          }
        },
        [&](int64_t o) { yp[o] = best, ap[o] = at; });
  });
}

void max_pool_scatter(const float* gy, const int32_t* argmax, const PoolGeometry& g, float* gx) {
  for_each_plane(g, [&](int64_t p) {
    float* gp = gx + p * g.in_plane();
    std::memset(gp, 0, sizeof(float) * g.in_plane());
    const float* gyp = gy + p * g.out_plane();
    const int32_t* ap = argmax + p * g.out_plane();
    for (int64_t o = 0; o < g.out_plane(); ++o) gp[ap[o]] += gyp[o];
  });
}

void max_pool_gather(const float* x, const int32_t* argmax, const PoolGeometry& g, float* y) {
  for_each_plane(g, [&](int64_t p) {
    const float* xp = x + p * g.in_plane();
    float* yp = y + p * g.out_plane();
    const int32_t* ap = argmax + p * g.out_plane();
    for (int64_t o = 0; o < g.out_plane(); ++o) yp[o] = xp[ap[o]];
  });
}

void avg_pool_forward(const float* x, const PoolGeometry& g, float* y) {
  const float inv_volume = 1.0f / static_cast<float>(g.kernel[0] * g.kernel[1] * g.kernel[2]);
  for_each_plane(g, [&](int64_t p) {
    const float* xp = x + p * g.in_plane();
    float* yp = y + p * g.out_plane();
    float sum = 0;
    for_each_window(
        g, [&](int64_t) { sum = 0; }, [&](int64_t, int64_t i) { sum += xp[i]; },
        [&](int64_t o) { yp[o] = sum * inv_volume; });
  });
}

void avg_pool_backward(const float* gy, const PoolGeometry& g, float* gx) {
  const float inv_volume = 1.0f / static_cast<float>(g.kernel[0] * g.kernel[1] * g.kernel[2]);
  for_each_plane(g, [&](int64_t p) {
    float* gp = gx + p * g.in_plane();
    std::memset(gp, 0, sizeof(float) * g.in_plane());
    const float* gyp = gy + p * g.out_plane();
    float share = 0;
    for_each_window(
        g, [&](int64_t o) { share = gyp[o] * inv_volume; }, [&](int64_t, int64_t i) { gp[i] += share; },
        [](int64_t) {});
  });
}

void upsample_nearest_forward(const float* x, const PoolGeometry& g, float* y) {
  const int64_t oz = g.in[0] * g.kernel[0], oy = g.in[1] * g.kernel[1], ox = g.in[2] * g.kernel[2];
  parallel_for(g.planes, plane_grain(oz * oy * ox), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const float* xp = x + p * g.in_plane();
      float* yp = y + p * oz * oy * ox;
      for (int64_t z = 0; z < oz; ++z) {
        for (int64_t yy = 0; yy < oy; ++yy) {
          const float* row = xp + ((z / g.kernel[0]) * g.in[1] + yy / g.kernel[1]) * g.in[2];
          float* out = yp + (z * oy + yy) * ox;
          for (int64_t xx = 0; xx < ox; ++xx) out[xx] = row[xx / g.kernel[2]];
        }
      }
    }
  });
}

void upsample_nearest_backward(const float* gy, const PoolGeometry& g, float* gx) {
  const int64_t oz = g.in[0] * g.kernel[0], oy = g.in[1] * g.kernel[1], ox = g.in[2] * g.kernel[2];
  parallel_for(g.planes, plane_grain(oz * oy * ox), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      float* gp = gx + p * g.in_plane();
      std::memset(gp, 0, sizeof(float) * g.in_plane());
      const float* gyp = gy + p * oz * oy * ox;
      for (int64_t z = 0; z < oz; ++z) {
        for (int64_t yy = 0; yy < oy; ++yy) {
          float* row = gp + ((z / g.kernel[0]) * g.in[1] + yy / g.kernel[1]) * g.in[2];
          const float* in = gyp + (z * oy + yy) * ox;
          for (int64_t xx = 0; xx < ox; ++xx) row[xx / g.kernel[2]] += in[xx];
        }
      }
    }
  });
}

}  // namespace ms::nn
