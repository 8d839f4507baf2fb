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
  parallel_for(n * c, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, inner)), [=](int64_t begin, int64_t end) {
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

// xp (Cin × volume, then kRowSlack zeros) = x_n with zero borders.
void pad_image(const Geo& g, const PaddedGrid& pg, const float* x_n, float* xp) {
  parallel_for(g.cin, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      float* dst = xp + c * pg.volume;
      std::fill(dst, dst + pg.volume, 0.0f);
      const float* src = x_n + c * g.in_size;
      for (int64_t d = 0; d < g.in[0]; ++d) {
        for (int64_t h = 0; h < g.in[1]; ++h) {
          std::memcpy(dst + (d + g.p[0]) * pg.plane + (h + g.p[1]) * pg.wp + g.p[2], src + (d * g.in[1] + h) * g.in[2],
                      static_cast<size_t>(g.in[2]) * sizeof(float));
        }
      }
    }
  });
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
void forward_sample_unit_stride(const Geo& g, const PaddedGrid& pg, const int64_t* offsets, const float* x_n,
                                const float* w, const float* b, float* y_n, bool parallel) {
  float* xp = scratch_floats(ScratchSlot::conv_padded, g.cin * pg.volume + kRowSlack);
  float* grid = scratch_floats(ScratchSlot::conv_grid, g.cout * pg.q);
  pad_image(g, pg, x_n, xp);
  sgemm_rows(g.cout, pg.q, g.columns(), 1.0f, strided_packer(w, g.columns(), 1), xp, offsets, 0.0f, grid, pg.q,
             parallel);
  parallel_for(g.cout, 1, [&](int64_t begin, int64_t end) {
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
bool samples_in_parallel(int64_t n) {
  const int64_t threads = thread_count();
  return threads > 1 && n >= threads && (n % threads == 0 || n >= 4 * threads);
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
  if (samples_in_parallel(g.n)) {
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

// gx[n] = col2im(Wᵀ · gy[n]): for a group of samples at once, the column gradients (CK × G·P)
// from one GEMM, then scattered back per (sample, input channel) in a fixed order.
void backward_input_scatter(const Geo& g, const float* gy, const float* w, const float* b, float* gx) {
  const int64_t ck = g.columns(), p = g.out_size;
  constexpr int64_t kMaxColumnFloats = int64_t{1} << 24;
  const int64_t group = std::clamp<int64_t>(kMaxColumnFloats / std::max<int64_t>(1, ck * p), 1, g.n);
  float* cols = scratch_floats(ScratchSlot::conv_columns, ck * group * p);
  const GemmPacker pack_wt = strided_packer(w, 1, ck);  // op(A)(ck, co) = W[co, ck]
  for (int64_t n0 = 0; n0 < g.n; n0 += group) {
    const int64_t gn = std::min(group, g.n - n0);
    const float* gy0 = gy + n0 * g.cout * p;
    // op(B)(co, j) for j = s·P + q (sample s of the group, position q) = gy[n0 + s, co, q].
    const GemmPacker pack_gy = [&g, gy0, p](int64_t r0, int64_t rows, int64_t k0, int64_t kc, int64_t panel,
                                            float* dst) {
      for (int64_t kk = 0; kk < kc; ++kk) {
        for (int64_t r = 0; r < rows;) {
          const int64_t j = r0 + r, s = j / p, q = j % p;
          const int64_t len = std::min({p - q, rows - r, panel - r % panel});
          std::memcpy(dst + (r / panel) * panel * kc + kk * panel + r % panel, gy0 + (s * g.cout + k0 + kk) * p + q,
                      static_cast<size_t>(len) * sizeof(float));
          r += len;
        }
      }
      zero_panel_tail(rows, kc, panel, dst);
    };
    sgemm_packed(ck, gn * p, g.cout, 1.0f, pack_wt, pack_gy, 0.0f, cols, gn * p);
    parallel_for(gn * g.cin, 1, [&](int64_t begin, int64_t end) {
      for (int64_t task = begin; task < end; ++task) {
        const int64_t s = task / g.cin, ci = task % g.cin;
        float* gxc = gx + ((n0 + s) * g.cin + ci) * g.in_size;
        const float bias = b ? b[ci] : 0.0f;
        for (int64_t i = 0; i < g.in_size; ++i) gxc[i] = bias;
        for (int64_t tap = 0; tap < g.taps; ++tap) {
          const int64_t kd = tap / (g.k[1] * g.k[2]), kh = (tap / g.k[2]) % g.k[1], kw = tap % g.k[2];
          const float* col = cols + (ci * g.taps + tap) * gn * p + s * p;
          for (int64_t od = 0; od < g.out[0]; ++od) {
            const int64_t id = od * g.s[0] - g.p[0] + kd * g.d[0];
            if (id < 0 || id >= g.in[0]) continue;
            for (int64_t oh = 0; oh < g.out[1]; ++oh) {
              const int64_t ih = oh * g.s[1] - g.p[1] + kh * g.d[1];
              if (ih < 0 || ih >= g.in[1]) continue;
              float* row = gxc + (id * g.in[1] + ih) * g.in[2];
              const float* src = col + (od * g.out[1] + oh) * g.out[2];
              for (int64_t ow = 0; ow < g.out[2]; ++ow) {
                const int64_t iw = ow * g.s[2] - g.p[2] + kw * g.d[2];
                if (iw >= 0 && iw < g.in[2]) row[iw] += src[ow];
              }
            }
          }
        }
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
  conv_forward_geo(normalize(geometry), x, w, b, y);
}

void conv_backward_input(const ConvGeometry& geometry, const float* gy, const float* w, const float* b, float* gx) {
  check_conv_geometry(geometry);
  const Geo g = normalize(geometry);
  if (unit_stride_with_room(g)) {
    backward_input_as_conv(g, gy, w, b, gx);
  } else {
    backward_input_scatter(g, gy, w, b, gx);
  }
}

void conv_backward_weight(const ConvGeometry& geometry, const float* x, const float* gy, float* gw) {
  check_conv_geometry(geometry);
  const Geo g = normalize(geometry);
  const int64_t total = g.n * g.out_size, size = g.cout * g.columns();
  // Few output tiles and a long reduction: split the reduction into fixed chunks (from the shapes
  // only, so the bytes do not depend on the thread count), one serial GEMM each, and add the
  // partial gradients in chunk order. Otherwise one GEMM parallel over its tiles.
  constexpr int64_t kMinChunk = 4096, kMaxPartialFloats = int64_t{1} << 24;
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

void channel_sum(const float* x, int64_t n, int64_t c, int64_t inner, float* out) {
  parallel_for(c, 1, [=](int64_t begin, int64_t end) {
    for (int64_t ch = begin; ch < end; ++ch) {
      double s = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        const float* xi = x + (i * c + ch) * inner;
        for (int64_t k = 0; k < inner; ++k) s += xi[k];
      }
      out[ch] = static_cast<float>(s);
    }
  });
}

void channel_broadcast(const float* g, int64_t n, int64_t c, int64_t inner, float* out) {
  parallel_for(n * c, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, inner)), [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) std::fill(out + i * inner, out + (i + 1) * inner, g[i % c]);
  });
}

}  // namespace ms
