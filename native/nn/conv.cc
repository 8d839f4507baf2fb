#include "nn/conv.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "nn/gemm.h"
#include "nn/scratch.h"

namespace ms {
namespace {

// The geometry with the spatial axes right-aligned into three (missing leading axes have size 1,
// kernel 1, stride 1, no padding), so one code path serves 1-, 2- and 3-D.
struct Geo {
  int64_t n, cin, cout;
  int64_t in[3], out[3], k[3], s[3], p[3], d[3];
  int64_t in_size, out_size, taps;
  int64_t columns() const { return cin * taps; }  // rows of the im2col matrix
};

Geo normalize(const ConvGeometry& g) {
  Geo r{};
  r.n = g.batch;
  r.cin = g.in_channels;
  r.cout = g.out_channels;
  const int shift = 3 - g.dims;
  for (int a = 0; a < 3; ++a) {
    const bool used = a >= shift;
    const int src = a - shift;
    r.in[a] = used ? g.in[src] : 1;
    r.out[a] = used ? g.out[src] : 1;
    r.k[a] = used ? g.kernel[src] : 1;
    r.s[a] = used ? g.stride[src] : 1;
    r.p[a] = used ? g.padding[src] : 0;
    r.d[a] = used ? g.dilation[src] : 1;
  }
  r.in_size = r.in[0] * r.in[1] * r.in[2];
  r.out_size = r.out[0] * r.out[1] * r.out[2];
  r.taps = r.k[0] * r.k[1] * r.k[2];
  return r;
}

// Items per parallel chunk when each item touches `floats` floats: small tensors stay on one
// thread (waking the pool costs more than copying a few KiB).
int64_t grain_for(int64_t floats) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, floats)); }

// Writes row `row` (= channel · taps + tap) of the im2col matrix of one sample image, at output
// positions [p0, p0 + count), to dst(t) = dst + (t / run) · jump + (t % run) · step.
// The forward pass packs runs of `panel` positions (step 1); the weight gradient packs one
// column row across positions (step = panel, run = count).
void column_segment(const Geo& g, const float* x_n, int64_t row, int64_t p0, int64_t count, float* dst, int64_t run,
                    int64_t jump, int64_t step) {
  const int64_t c = row / g.taps, tap = row % g.taps;
  const int64_t kd = tap / (g.k[1] * g.k[2]), kh = (tap / g.k[2]) % g.k[1], kw = tap % g.k[2];
  const float* xc = x_n + c * g.in_size;
  int64_t ow = p0 % g.out[2], oh = (p0 / g.out[2]) % g.out[1], od = p0 / (g.out[2] * g.out[1]);
  const int64_t w_in = g.in[2], sw = g.s[2];
  const int64_t w_off = kw * g.d[2] - g.p[2];
  for (int64_t t = 0; t < count;) {
    const int64_t len = std::min({g.out[2] - ow, count - t, run - t % run});
    float* o = dst + (t / run) * jump + (t % run) * step;
    const int64_t id = od * g.s[0] - g.p[0] + kd * g.d[0];
    const int64_t ih = oh * g.s[1] - g.p[1] + kh * g.d[1];
    if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
      for (int64_t u = 0; u < len; ++u) o[u * step] = 0.0f;
    } else {
      const float* xr = xc + (id * g.in[1] + ih) * w_in;
      const int64_t iw0 = ow * sw + w_off;
      if (sw == 1 && step == 1) {
        const int64_t lo = std::clamp<int64_t>(-iw0, 0, len);
        const int64_t hi = std::clamp<int64_t>(w_in - iw0, lo, len);
        for (int64_t u = 0; u < lo; ++u) o[u] = 0.0f;
        if (hi > lo) std::memcpy(o + lo, xr + iw0 + lo, static_cast<size_t>(hi - lo) * sizeof(float));
        for (int64_t u = hi; u < len; ++u) o[u] = 0.0f;
      } else {
        for (int64_t u = 0; u < len; ++u) {
          const int64_t iw = iw0 + u * sw;
          o[u * step] = iw >= 0 && iw < w_in ? xr[iw] : 0.0f;
        }
      }
    }
    t += len;
    ow += len;
    if (ow == g.out[2]) {
      ow = 0;
      if (++oh == g.out[1]) {
        oh = 0;
        ++od;
      }
    }
  }
}

// Zeroes panel rows [rows, roundup(rows, panel)) of a packed block kc deep.
void zero_panel_tail(int64_t rows, int64_t kc, int64_t panel, float* dst) {
  const int64_t used = rows % panel;
  if (used == 0) return;
  float* last = dst + (rows / panel) * panel * kc;
  for (int64_t kk = 0; kk < kc; ++kk) {
    for (int64_t r = used; r < panel; ++r) last[kk * panel + r] = 0.0f;
  }
}

// y[n] (Cout × P) = W (Cout × CK) · im2col(x[n]) (CK × P), columns packed from the image.
void forward_sample(const Geo& g, const float* x_n, const float* w, float* y_n) {
  const GemmPacker pack_w = strided_packer(w, g.columns(), 1);
  const GemmPacker pack_cols = [&g, x_n](int64_t r0, int64_t rows, int64_t k0, int64_t kc, int64_t panel, float* dst) {
    for (int64_t kk = 0; kk < kc; ++kk) {
      column_segment(g, x_n, k0 + kk, r0, rows, dst + kk * panel, panel, panel * kc, 1);
    }
    zero_panel_tail(rows, kc, panel, dst);
  };
  sgemm_packed(g.cout, g.out_size, g.columns(), 1.0f, pack_w, pack_cols, 0.0f, y_n, g.out_size);
}

void add_channel_bias(const float* b, int64_t n, int64_t c, int64_t inner, float* y) {
  parallel_for(n * c, grain_for(inner), [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float bias = b[i % c];
      float* yi = y + i * inner;
      for (int64_t s = 0; s < inner; ++s) yi[s] += bias;
    }
  });
}

// ---- stride 1: GEMM straight over a zero-padded copy of the image --------------------------
//
// With stride 1 the im2col row of tap (c, kd, kh, kw) is the padded image of channel c shifted
// by (kd·dd, kh·dh, kw·dw), read along the padded grid: output position (od, oh, ow) sits at
// q = od·Hp·Wp + oh·Wp + ow, and tap t reads xpad[offset[t] + q]. The GEMM reads those rows in
// place (sgemm_rows), computing Wp − out_w spare columns per row that are dropped afterwards, so
// the only copies are the padded input and the output taken off the grid.

struct PaddedGrid {
  int64_t hp, wp, plane, volume;  // padded sizes (the depth axis only needs `volume`)
  int64_t q;                      // grid positions that cover every output
};

PaddedGrid padded_grid(const Geo& g) {
  PaddedGrid p{};
  p.hp = g.in[1] + 2 * g.p[1];
  p.wp = g.in[2] + 2 * g.p[2];
  p.plane = p.hp * p.wp;
  p.volume = (g.in[0] + 2 * g.p[0]) * p.plane;
  p.q = (g.out[0] - 1) * p.plane + (g.out[1] - 1) * p.wp + g.out[2];
  return p;
}

// Slack after the padded image: the microkernel reads whole 48-wide tiles past the last column.
constexpr int64_t kRowSlack = 64;

// Channel c of src (a dense dims[0] × dims[1] × dims[2] block) into dst + c · dst_stride, a grid
// with rows of `wp` and planes of `plane` floats, starting at `offset`; the rest of the
// dst_stride floats are zero.
void place_on_grid(const float* src, int64_t channels, const int64_t* dims, float* dst, int64_t dst_stride,
                   int64_t plane, int64_t wp, int64_t offset) {
  parallel_for(channels, grain_for(dst_stride), [=](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      float* out = dst + c * dst_stride;
      const float* in = src + c * dims[0] * dims[1] * dims[2];
      int64_t next = 0;  // zero only the gaps between copied rows: each float is written once
      for (int64_t d = 0; d < dims[0]; ++d) {
        for (int64_t h = 0; h < dims[1]; ++h) {
          const int64_t at = offset + d * plane + h * wp;
          std::fill(out + next, out + at, 0.0f);
          std::memcpy(out + at, in, static_cast<size_t>(dims[2]) * sizeof(float));
          in += dims[2];
          next = at + dims[2];
        }
      }
      std::fill(out + next, out + dst_stride, 0.0f);
    }
  });
}

// xp (Cin × volume, then kRowSlack zeros) = x_n with zero borders.
void pad_image(const Geo& g, const PaddedGrid& pg, const float* x_n, float* xp) {
  place_on_grid(x_n, g.cin, g.in, xp, pg.volume, pg.plane, pg.wp, g.p[0] * pg.plane + g.p[1] * pg.wp + g.p[2]);
  std::fill(xp + g.cin * pg.volume, xp + g.cin * pg.volume + kRowSlack, 0.0f);
}

// Where im2col row (c, tap) starts in the padded image.
std::vector<int64_t> tap_offsets(const Geo& g, const PaddedGrid& pg) {
  std::vector<int64_t> off(static_cast<size_t>(g.columns()));
  for (int64_t c = 0; c < g.cin; ++c) {
    for (int64_t tap = 0; tap < g.taps; ++tap) {
      const int64_t kd = tap / (g.k[1] * g.k[2]), kh = (tap / g.k[2]) % g.k[1], kw = tap % g.k[2];
      off[c * g.taps + tap] = c * pg.volume + kd * g.d[0] * pg.plane + kh * g.d[1] * pg.wp + kw * g.d[2];
    }
  }
  return off;
}

// y_n = W · im2col(x_n) + b for a stride-1 conv.
// A 1×1 unpadded conv: the padded grid is the image itself.
bool dense_grid(const Geo& g) { return g.taps == 1 && g.p[0] == 0 && g.p[1] == 0 && g.p[2] == 0; }

void forward_sample_unit_stride(const Geo& g, const PaddedGrid& pg, const int64_t* offsets, const float* x_n,
                                const float* w, const float* b, float* y_n, bool parallel) {
  if (dense_grid(g)) {
    // A plain GEMM straight into y (packed B: reading x in place would run past its end).
    sgemm_packed(g.cout, g.out_size, g.cin, 1.0f, strided_packer(w, g.cin, 1), strided_packer(x_n, 1, g.out_size),
                 0.0f, y_n, g.out_size, parallel);
    if (b) add_channel_bias(b, 1, g.cout, g.out_size, y_n);
    return;
  }
  float* xp = scratch_floats(ScratchSlot::conv_padded, g.cin * pg.volume + kRowSlack);
  float* grid = scratch_floats(ScratchSlot::conv_grid, g.cout * pg.q);
  pad_image(g, pg, x_n, xp);
  sgemm_rows(g.cout, pg.q, g.columns(), 1.0f, strided_packer(w, g.columns(), 1), xp, offsets, 0.0f, grid, pg.q,
             parallel);
  parallel_for(g.cout, grain_for(pg.q), [&](int64_t begin, int64_t end) {
    for (int64_t co = begin; co < end; ++co) {
      const float bias = b ? b[co] : 0.0f;
      float* dst = y_n + co * g.out_size;
      for (int64_t od = 0; od < g.out[0]; ++od) {
        for (int64_t oh = 0; oh < g.out[1]; ++oh) {
          const float* src = grid + co * pg.q + od * pg.plane + oh * pg.wp;
          for (int64_t ow = 0; ow < g.out[2]; ++ow) *dst++ = src[ow] + bias;
        }
      }
    }
  });
}

// Whole samples per thread when the batch divides well (fewer hand-offs, each sample's buffers
// stay in its thread's cache), else each sample's GEMM shared out. The bytes are the same.
bool samples_in_parallel(int64_t n, double flops_per_sample) {
  const int64_t threads = thread_count();
  return threads > 1 && flops_per_sample * static_cast<double>(n) > 4.0e6 && n >= threads &&
         (n % threads == 0 || n >= 4 * threads);
}

bool unit_stride(const Geo& g) { return g.s[0] == 1 && g.s[1] == 1 && g.s[2] == 1; }

void conv_forward_geo(const Geo& g, const float* x, const float* w, const float* b, float* y) {
  if (!unit_stride(g)) {
    for (int64_t n = 0; n < g.n; ++n) forward_sample(g, x + n * g.cin * g.in_size, w, y + n * g.cout * g.out_size);
    if (b) add_channel_bias(b, g.n, g.cout, g.out_size, y);
    return;
  }
  const PaddedGrid pg = padded_grid(g);
  const std::vector<int64_t> offsets = tap_offsets(g, pg);
  auto sample = [&](int64_t n, bool parallel) {
    forward_sample_unit_stride(g, pg, offsets.data(), x + n * g.cin * g.in_size, w, b, y + n * g.cout * g.out_size,
                               parallel);
  };
  if (samples_in_parallel(g.n, 2.0 * static_cast<double>(g.cout * g.columns()) * static_cast<double>(pg.q))) {
    parallel_for(g.n, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n) sample(n, false);
    });
  } else {
    for (int64_t n = 0; n < g.n; ++n) sample(n, true);
  }
}

bool unit_stride_with_room(const Geo& g) {
  for (int a = 0; a < 3; ++a) {
    if (g.s[a] != 1 || g.d[a] * (g.k[a] - 1) - g.p[a] < 0) return false;
  }
  return true;
}

// Stride 1: the input gradient is a plain convolution of gy with the kernel flipped and its
// channel axes swapped, padded by dil·(k − 1) − pad, so it runs on the implicit-GEMM forward
// without a column buffer or scatter.
void backward_input_as_conv(const Geo& g, const float* gy, const float* w, const float* b, float* gx) {
  float* wt = scratch_floats(ScratchSlot::conv_weights, g.cout * g.cin * g.taps);
  for (int64_t co = 0; co < g.cout; ++co) {
    for (int64_t ci = 0; ci < g.cin; ++ci) {
      const float* src = w + (co * g.cin + ci) * g.taps;
      float* dst = wt + (ci * g.cout + co) * g.taps;
      for (int64_t t = 0; t < g.taps; ++t) dst[t] = src[g.taps - 1 - t];
    }
  }
  Geo t = g;
  t.cin = g.cout;
  t.cout = g.cin;
  for (int a = 0; a < 3; ++a) {
    t.in[a] = g.out[a];
    t.out[a] = g.in[a];
    t.p[a] = g.d[a] * (g.k[a] - 1) - g.p[a];
  }
  t.in_size = g.out_size;
  t.out_size = g.in_size;
  conv_forward_geo(t, gy, wt, b, gx);
}

// Adds the column gradients of sample positions [qb, qe) (col(row) = cols + row · ld, position
// qb first) into gx_c, input channel ci of one sample, tap by tap in a fixed order.
void scatter_columns(const Geo& g, const float* cols, int64_t ld, int64_t ci, int64_t qb, int64_t qe, float* gx_c) {
  for (int64_t tap = 0; tap < g.taps; ++tap) {
    const int64_t kd = tap / (g.k[1] * g.k[2]), kh = (tap / g.k[2]) % g.k[1], kw = tap % g.k[2];
    const float* col = cols + (ci * g.taps + tap) * ld - qb;  // indexed by position q
    for (int64_t row = qb / g.out[2]; row * g.out[2] < qe; ++row) {
      const int64_t od = row / g.out[1], oh = row % g.out[1];
      const int64_t id = od * g.s[0] - g.p[0] + kd * g.d[0];
      const int64_t ih = oh * g.s[1] - g.p[1] + kh * g.d[1];
      if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) continue;
      float* dst = gx_c + (id * g.in[1] + ih) * g.in[2];
      const int64_t ow0 = std::max(qb - row * g.out[2], int64_t{0});
      const int64_t ow1 = std::min(qe - row * g.out[2], g.out[2]);
      const float* src = col + row * g.out[2];
      for (int64_t ow = ow0; ow < ow1; ++ow) {
        const int64_t iw = ow * g.s[2] - g.p[2] + kw * g.d[2];
        if (iw >= 0 && iw < g.in[2]) dst[iw] += src[ow];
      }
    }
  }
}

// gx = col2im(Wᵀ · gy) + b, over the flattened (sample, position) axis in fixed ranges: one
// GEMM makes the column gradients of a range (CK × len, bounded memory), then they are
// scattered per (sample, input channel). Ranges in order, so the bytes do not depend on threads.
void backward_input_scatter(const Geo& g, const float* gy, const float* w, const float* b, float* gx) {
  const int64_t ck = g.columns(), p = g.out_size, total = g.n * p;
  constexpr int64_t kMaxColumnFloats = int64_t{1} << 22;  // 16 MiB of column gradients at a time
  const int64_t len = std::clamp<int64_t>(kMaxColumnFloats / ck, std::min<int64_t>(total, 256), total);
  float* cols = scratch_floats(ScratchSlot::conv_columns, ck * len);
  parallel_for(g.n * g.cin, grain_for(g.in_size), [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      std::fill(gx + t * g.in_size, gx + (t + 1) * g.in_size, b ? b[t % g.cin] : 0.0f);
    }
  });
  const GemmPacker pack_wt = strided_packer(w, 1, ck);  // op(A)(ck, co) = W[co, ck]
  for (int64_t j0 = 0; j0 < total; j0 += len) {
    const int64_t cur = std::min(len, total - j0);
    // op(B)(co, j) for flattened j0 + j = s·P + q = gy[s, co, q].
    const GemmPacker pack_gy = [&g, gy, p, j0](int64_t r0, int64_t rows, int64_t k0, int64_t kc, int64_t panel,
                                               float* dst) {
      for (int64_t kk = 0; kk < kc; ++kk) {
        for (int64_t r = 0; r < rows;) {
          const int64_t j = j0 + r0 + r, s = j / p, q = j % p;
          const int64_t run = std::min({p - q, rows - r, panel - r % panel});
          std::memcpy(dst + (r / panel) * panel * kc + kk * panel + r % panel, gy + (s * g.cout + k0 + kk) * p + q,
                      static_cast<size_t>(run) * sizeof(float));
          r += run;
        }
      }
      zero_panel_tail(rows, kc, panel, dst);
    };
    sgemm_packed(ck, cur, g.cout, 1.0f, pack_wt, pack_gy, 0.0f, cols, cur);
    const int64_t s_first = j0 / p, s_count = (j0 + cur - 1) / p - s_first + 1;
    parallel_for(s_count * g.cin, grain_for(g.taps * std::min(cur, p)), [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t s = s_first + t / g.cin, ci = t % g.cin;
        const int64_t qb = std::max(j0, s * p) - s * p, qe = std::min(j0 + cur, (s + 1) * p) - s * p;
        scatter_columns(g, cols + (s * p + qb - j0), cur, ci, qb, qe, gx + (s * g.cin + ci) * g.in_size);
      }
    });
  }
}

// gw (Cout × CK) += Σ over positions k in [k_begin, k_end) of the flattened (sample, position)
// axis: gy(co, k) · im2col(x)(ck, k). Written with beta = 0 (assigned).
void weight_gradient_range(const Geo& g, const float* x, const float* gy, int64_t k_begin, int64_t k_end, float* gw,
                           bool parallel) {
  const int64_t p = g.out_size;
  // op(A)(co, k) = gy[n, co, q] for k_begin + k = n·P + q.
  const GemmPacker pack_gy = [&g, gy, p, k_begin](int64_t r0, int64_t rows, int64_t k0, int64_t kc, int64_t panel,
                                                  float* dst) {
    for (int64_t kk = 0; kk < kc;) {
      const int64_t flat = k_begin + k0 + kk, n = flat / p, q = flat % p;
      const int64_t len = std::min(p - q, kc - kk);
      for (int64_t r = 0; r < rows; ++r) {
        const float* src = gy + (n * g.cout + r0 + r) * p + q;
        float* d = dst + (r / panel) * panel * kc + kk * panel + r % panel;
        for (int64_t u = 0; u < len; ++u) d[u * panel] = src[u];
      }
      kk += len;
    }
    zero_panel_tail(rows, kc, panel, dst);
  };
  // op(B)(k, ck) = im2col(x[n])(ck, q): one column row across positions, stride `panel`.
  const GemmPacker pack_cols = [&g, x, p, k_begin](int64_t r0, int64_t rows, int64_t k0, int64_t kc, int64_t panel,
                                                   float* dst) {
    for (int64_t kk = 0; kk < kc;) {
      const int64_t flat = k_begin + k0 + kk, n = flat / p, q = flat % p;
      const int64_t len = std::min(p - q, kc - kk);
      const float* x_n = x + n * g.cin * g.in_size;
      for (int64_t r = 0; r < rows; ++r) {
        column_segment(g, x_n, r0 + r, q, len, dst + (r / panel) * panel * kc + kk * panel + r % panel, len, 0,
                       panel);
      }
      kk += len;
    }
    zero_panel_tail(rows, kc, panel, dst);
  };
  sgemm_packed(g.cout, g.columns(), k_end - k_begin, 1.0f, pack_gy, pack_cols, 0.0f, gw, g.columns(), parallel);
}

// gw (+)= gy_n · im2col(x_n)ᵀ for a stride-1 conv: gy laid on the padded grid (zeros in the
// spare columns, so they add nothing) against the padded image's shifted rows, transposed into
// the GEMM's panels. beta 0 assigns, 1 accumulates.
void weight_gradient_sample_unit_stride(const Geo& g, const PaddedGrid& pg, const int64_t* offsets, const float* x_n,
                                        const float* gy_n, float beta, float* gw, bool parallel) {
  const float* xp = x_n;
  const float* grid = gy_n;
  if (!dense_grid(g)) {
    float* padded = scratch_floats(ScratchSlot::conv_padded, g.cin * pg.volume + kRowSlack);
    float* placed = scratch_floats(ScratchSlot::conv_grid, g.cout * pg.q);
    pad_image(g, pg, x_n, padded);
    place_on_grid(gy_n, g.cout, g.out, placed, pg.q, pg.plane, pg.wp, 0);
    xp = padded;
    grid = placed;
  }
  sgemm_packed(g.cout, g.columns(), pg.q, 1.0f, strided_packer(grid, pg.q, 1), row_offset_packer(xp, offsets), beta,
               gw, g.columns(), parallel);
}

void weight_gradient_unit_stride(const Geo& g, const float* x, const float* gy, float* gw) {
  const PaddedGrid pg = padded_grid(g);
  const std::vector<int64_t> offsets = tap_offsets(g, pg);
  const int64_t size = g.cout * g.columns();
  auto sample = [&](int64_t n, float beta, float* out, bool parallel) {
    weight_gradient_sample_unit_stride(g, pg, offsets.data(), x + n * g.cin * g.in_size, gy + n * g.cout * g.out_size,
                                       beta, out, parallel);
  };
  // One partial gradient per sample, added in sample order, when they fit; else the samples one
  // after another into gw, each GEMM shared out. Chosen from the shapes only.
  constexpr int64_t kMaxPartialFloats = int64_t{1} << 22;
  if (g.n > 1 && g.n * size <= kMaxPartialFloats) {
    float* partial = scratch_floats(ScratchSlot::conv_columns, g.n * size);
    const double flops = 2.0 * static_cast<double>(size) * static_cast<double>(pg.q);
    parallel_for(g.n, std::max<int64_t>(1, static_cast<int64_t>(4.0e6 / flops)), [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n) sample(n, 0.0f, partial + n * size, false);
    });
    parallel_for(size, 4096, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float s = partial[i];
        for (int64_t n = 1; n < g.n; ++n) s += partial[n * size + i];
        gw[i] = s;
      }
    });
    return;
  }
  for (int64_t n = 0; n < g.n; ++n) sample(n, n == 0 ? 0.0f : 1.0f, gw, true);
}

// ---- strides > 1 (dilation 1): phases, then the stride-1 path ---------------------------------
//
// With stride s, output o reads x[s·o − p + k'] for taps k' = s·u + a (phase a < s, u < ⌈k/s⌉),
// i.e. phase image X_a[i] = x[s·i + a − p] at i = o + u: a stride-1, unpadded conv over an image
// of Cin·s^dims channels (one per phase) with a ⌈k/s⌉ kernel whose missing taps are zero
// (space-to-depth). All three passes then run on the stride-1 path; the input gradient comes
// back by the inverse gather, each input element from exactly one phase (no scatter).

struct Phased {
  Geo g1;            // the stride-1 geometry over the phase image
  int64_t phases;    // s0·s1·s2
};

Phased phase_geometry(const Geo& g) {
  Phased ph{g, g.s[0] * g.s[1] * g.s[2]};
  Geo& t = ph.g1;
  t.cin = g.cin * ph.phases;
  for (int a = 0; a < 3; ++a) {
    t.k[a] = (g.k[a] + g.s[a] - 1) / g.s[a];
    t.in[a] = g.out[a] + t.k[a] - 1;
    t.s[a] = 1;
    t.p[a] = 0;
    t.d[a] = 1;
  }
  t.in_size = t.in[0] * t.in[1] * t.in[2];
  t.taps = t.k[0] * t.k[1] * t.k[2];
  return ph;
}

// Measured worth it (k4 s2: ~1.4× the packed path) when dilation is 1, windows overlap (some
// k > s; k = s is a plain reshuffle the packed path does as fast) and the phase kernel's zero
// taps add at most half the work (k3 s2 adds 78% and loses).
bool use_phases(const Geo& g) {
  if (g.s[0] * g.s[1] * g.s[2] == 1) return false;
  int64_t phased = 1, real = 1;
  bool overlap = false;
  for (int a = 0; a < 3; ++a) {
    if (g.d[a] != 1) return false;
    phased *= (g.k[a] + g.s[a] - 1) / g.s[a] * g.s[a];
    real *= g.k[a];
    overlap = overlap || (g.s[a] > 1 && g.k[a] > g.s[a]);
  }
  return overlap && 2 * phased <= 3 * real;
}

// Calls fn(phase channel offset, x index or −1, phase-image index) for every phase-image element
// of one input channel: X_(a0,a1,a2)[i0, i1, i2] = x[s·i + a − p] (−1: outside x, zero).
template <typename Fn>
void for_each_phase_element(const Geo& g, const Phased& ph, Fn&& fn) {
  const Geo& t = ph.g1;
  for (int64_t a0 = 0; a0 < g.s[0]; ++a0)
    for (int64_t a1 = 0; a1 < g.s[1]; ++a1)
      for (int64_t a2 = 0; a2 < g.s[2]; ++a2) {
        const int64_t phase = (a0 * g.s[1] + a1) * g.s[2] + a2;
        for (int64_t i0 = 0; i0 < t.in[0]; ++i0) {
          const int64_t x0 = g.s[0] * i0 + a0 - g.p[0];
          for (int64_t i1 = 0; i1 < t.in[1]; ++i1) {
            const int64_t x1 = g.s[1] * i1 + a1 - g.p[1];
            const bool row_in = x0 >= 0 && x0 < g.in[0] && x1 >= 0 && x1 < g.in[1];
            const int64_t dst = phase * t.in_size + (i0 * t.in[1] + i1) * t.in[2];
            const int64_t src = (x0 * g.in[1] + x1) * g.in[2];
            for (int64_t i2 = 0; i2 < t.in[2]; ++i2) {
              const int64_t x2 = g.s[2] * i2 + a2 - g.p[2];
              fn(row_in && x2 >= 0 && x2 < g.in[2] ? src + x2 : -1, dst + i2);
            }
          }
        }
      }
}

// xs (N, Cin·phases, t.in...) = the phase images of x.
void to_phases(const Geo& g, const Phased& ph, const float* x, float* xs) {
  parallel_for(g.n * g.cin, grain_for(ph.phases * ph.g1.in_size), [&](int64_t begin, int64_t end) {
    for (int64_t nc = begin; nc < end; ++nc) {
      const float* xc = x + nc * g.in_size;
      float* xsc = xs + nc * ph.phases * ph.g1.in_size;
      for_each_phase_element(g, ph, [&](int64_t src, int64_t dst) { xsc[dst] = src >= 0 ? xc[src] : 0.0f; });
    }
  });
}

// gx = the inverse gather of the phase-image gradient gxs, + b per input channel (ConvTranspose's
// bias). Every element of x lies in exactly one phase image, or in none past the last output
// (output_padding), where it gets b alone.
void from_phases(const Geo& g, const Phased& ph, const float* gxs, const float* b, float* gx) {
  parallel_for(g.n * g.cin, grain_for(ph.phases * ph.g1.in_size), [&](int64_t begin, int64_t end) {
    for (int64_t nc = begin; nc < end; ++nc) {
      float* gxc = gx + nc * g.in_size;
      const float* gxsc = gxs + nc * ph.phases * ph.g1.in_size;
      const float bias = b ? b[nc % g.cin] : 0.0f;
      std::fill(gxc, gxc + g.in_size, bias);
      for_each_phase_element(g, ph, [&](int64_t src, int64_t dst) {
        if (src >= 0) gxc[src] = gxsc[dst] + bias;
      });
    }
  });
}

// Position of tap (k0, k1, k2) of the real kernel in the phase kernel, per (phase, u).
int64_t phase_tap(const Geo& g, const Phased& ph, int64_t tap, int64_t* phase) {
  const int64_t k0 = tap / (g.k[1] * g.k[2]), k1 = (tap / g.k[2]) % g.k[1], k2 = tap % g.k[2];
  *phase = ((k0 % g.s[0]) * g.s[1] + k1 % g.s[1]) * g.s[2] + k2 % g.s[2];
  return ((k0 / g.s[0]) * ph.g1.k[1] + k1 / g.s[1]) * ph.g1.k[2] + k2 / g.s[2];
}

// ws (Cout, Cin·phases, ⌈k/s⌉...) = w rearranged, zero where the phase has no tap.
void phase_weights(const Geo& g, const Phased& ph, const float* w, float* ws) {
  std::fill(ws, ws + g.cout * ph.g1.cin * ph.g1.taps, 0.0f);
  for (int64_t oc = 0; oc < g.cout * g.cin; ++oc) {
    for (int64_t tap = 0; tap < g.taps; ++tap) {
      int64_t phase = 0;
      const int64_t t = phase_tap(g, ph, tap, &phase);
      ws[(oc * ph.phases + phase) * ph.g1.taps + t] = w[oc * g.taps + tap];
    }
  }
}

// gw = the phase kernel's gradient at the real taps.
void weights_from_phases(const Geo& g, const Phased& ph, const float* gws, float* gw) {
  for (int64_t oc = 0; oc < g.cout * g.cin; ++oc) {
    for (int64_t tap = 0; tap < g.taps; ++tap) {
      int64_t phase = 0;
      const int64_t t = phase_tap(g, ph, tap, &phase);
      gw[oc * g.taps + tap] = gws[(oc * ph.phases + phase) * ph.g1.taps + t];
    }
  }
}

void phased_forward(const Geo& g, const float* x, const float* w, const float* b, float* y) {
  const Phased ph = phase_geometry(g);
  float* xs = scratch_floats(ScratchSlot::conv_phases, g.n * ph.g1.cin * ph.g1.in_size);
  float* ws = scratch_floats(ScratchSlot::conv_phase_weights, g.cout * ph.g1.cin * ph.g1.taps);
  to_phases(g, ph, x, xs);
  phase_weights(g, ph, w, ws);
  conv_forward_geo(ph.g1, xs, ws, b, y);
}

void phased_backward_input(const Geo& g, const float* gy, const float* w, const float* b, float* gx) {
  const Phased ph = phase_geometry(g);
  float* gxs = scratch_floats(ScratchSlot::conv_phases, g.n * ph.g1.cin * ph.g1.in_size);
  float* ws = scratch_floats(ScratchSlot::conv_phase_weights, g.cout * ph.g1.cin * ph.g1.taps);
  phase_weights(g, ph, w, ws);
  backward_input_as_conv(ph.g1, gy, ws, nullptr, gxs);
  from_phases(g, ph, gxs, b, gx);
}

void phased_backward_weight(const Geo& g, const float* x, const float* gy, float* gw) {
  const Phased ph = phase_geometry(g);
  float* xs = scratch_floats(ScratchSlot::conv_phases, g.n * ph.g1.cin * ph.g1.in_size);
  float* gws = scratch_floats(ScratchSlot::conv_phase_weights, g.cout * ph.g1.cin * ph.g1.taps);
  to_phases(g, ph, x, xs);
  weight_gradient_unit_stride(ph.g1, xs, gy, gws);
  weights_from_phases(g, ph, gws, gw);
}

}  // namespace

void check_conv_geometry(const ConvGeometry& g) {
  require(g.dims >= 1 && g.dims <= 3, "conv: 1, 2 or 3 spatial dimensions");
  require(g.batch >= 1 && g.in_channels >= 1 && g.out_channels >= 1, "conv: batch and channels must be >= 1");
  for (int a = 0; a < g.dims; ++a) {
    const std::string axis = "conv axis " + std::to_string(a) + ": ";
    require(g.in[a] >= 1 && g.kernel[a] >= 1 && g.stride[a] >= 1 && g.dilation[a] >= 1 && g.padding[a] >= 0,
            axis + "sizes, kernel, stride and dilation must be >= 1 and padding >= 0");
    const int64_t span = g.in[a] + 2 * g.padding[a] - g.dilation[a] * (g.kernel[a] - 1) - 1;
    require(span >= 0, axis + "the dilated kernel is larger than the padded input");
    require(g.out[a] == span / g.stride[a] + 1, axis + "output size does not match the input, kernel, stride, padding");
  }
}

void conv_forward(const ConvGeometry& geometry, const float* x, const float* w, const float* b, float* y) {
  check_conv_geometry(geometry);
  const Geo g = normalize(geometry);
  if (use_phases(g)) {
    phased_forward(g, x, w, b, y);
  } else {
    conv_forward_geo(g, x, w, b, y);
  }
}

void conv_backward_input(const ConvGeometry& geometry, const float* gy, const float* w, const float* b, float* gx) {
  check_conv_geometry(geometry);
  const Geo g = normalize(geometry);
  if (unit_stride_with_room(g)) {
    backward_input_as_conv(g, gy, w, b, gx);
  } else if (use_phases(g)) {
    phased_backward_input(g, gy, w, b, gx);
  } else {
    backward_input_scatter(g, gy, w, b, gx);
  }
}

void conv_backward_weight(const ConvGeometry& geometry, const float* x, const float* gy, float* gw) {
  check_conv_geometry(geometry);
  const Geo g = normalize(geometry);
  if (unit_stride(g)) {
    weight_gradient_unit_stride(g, x, gy, gw);
    return;
  }
  if (use_phases(g)) {
    phased_backward_weight(g, x, gy, gw);
    return;
  }
  const int64_t total = g.n * g.out_size, size = g.cout * g.columns();
  // Few output tiles and a long reduction: split the reduction into fixed chunks (from the shapes
  // only, so the bytes do not depend on the thread count), one serial GEMM each, and add the
  // partial gradients in chunk order. Otherwise one GEMM parallel over its tiles.
  constexpr int64_t kMinChunk = 4096, kMaxPartialFloats = int64_t{1} << 22;
  int64_t chunks = std::min<int64_t>(64, total / kMinChunk);
  chunks = std::min(chunks, kMaxPartialFloats / std::max<int64_t>(1, size));
  if (size >= int64_t{64} * 48 * 16) chunks = 1;  // enough tiles to share out
  if (chunks <= 1) {
    weight_gradient_range(g, x, gy, 0, total, gw, true);
    return;
  }
  const int64_t chunk = (total + chunks - 1) / chunks;
  float* partial = scratch_floats(ScratchSlot::conv_columns, chunks * size);
  parallel_for(chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      weight_gradient_range(g, x, gy, c * chunk, std::min(total, (c + 1) * chunk), partial + c * size, false);
    }
  });
  parallel_for(size, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float s = partial[i];
      for (int64_t c = 1; c < chunks; ++c) s += partial[c * size + i];
      gw[i] = s;
    }
  });
}

}  // namespace ms
