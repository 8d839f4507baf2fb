#include "nn/gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "core/error.h"
#include "core/thread_pool.h"
#include "nn/scratch.h"

namespace ms {
namespace {

// Depth of a packed block. The same for every kernel set: it decides where each element's
// multiply-add chain is rounded into C, so the FMA kernels agree to the bit.
constexpr int64_t kKc = 256;

// One register tile: C[0..MR)×[0..NR) (row stride ldc) = alpha · Σ_k a[k·MR + i] · b[boff[k] + j]
// + beta · C, where beta == 0 does not read C. Packed B has boff[k] = k·NR; convolution passes the
// image rows themselves (boff[k] = where tap k's shifted row starts), so B needs no packing.
using TileFn = void (*)(int64_t kc, const float* a, const float* b, const int64_t* boff, float* c, int64_t ldc,
                        float alpha, float beta);

struct Kernel {
  GemmIsa isa;
  int64_t mr, nr;  // register tile
  int64_t mc, nc;  // rows of op(A) per packed block (a multiple of mr), columns of op(B) (of nr)
  TileFn tile;
};

// ---- scalar: 4×8, multiply then add (the project builds with -ffp-contract=off) -------------

void tile_scalar(int64_t kc, const float* a, const float* b, const int64_t* boff, float* c, int64_t ldc, float alpha,
                 float beta) {
  constexpr int MR = 4, NR = 8;
  float acc[MR][NR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    const float* bp = b + boff[p];
    for (int i = 0; i < MR; ++i) {
      const float ai = a[i];
      for (int j = 0; j < NR; ++j) acc[i][j] += ai * bp[j];
    }
    a += MR;
  }
  for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    for (int j = 0; j < NR; ++j) ci[j] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * ci[j];
  }
}

// ---- AVX2 + FMA: 6×16, 12 accumulators ----------------------------------------------------------

__attribute__((target("avx2,fma"))) void tile_avx2(int64_t kc, const float* a, const float* b, const int64_t* boff,
                                                   float* c, int64_t ldc, float alpha, float beta) {
  constexpr int MR = 6;
  __m256 acc[MR][2];
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; ++p) {
    const float* bp = b + boff[p];
    const __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += MR;
  }
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    for (int j = 0; j < 2; ++j) {
      __m256 r = _mm256_mul_ps(va, acc[i][j]);
      if (beta != 0.0f) r = _mm256_add_ps(r, _mm256_mul_ps(vb, _mm256_loadu_ps(ci + 8 * j)));
      _mm256_storeu_ps(ci + 8 * j, r);
    }
  }
}

// ---- AVX-512: 8×48, 24 accumulators; B rows of 3 vectors, A values broadcast from memory --------

__attribute__((target("avx512f,avx512vl,avx512bw,fma"))) void tile_avx512(int64_t kc, const float* a, const float* b,
                                                                          const int64_t* boff, float* c, int64_t ldc,
                                                                          float alpha, float beta) {
  constexpr int MR = 8;
  __m512 acc[MR][3];
  // C rows lie ldc apart (often a page or more): fetching them while the FMAs run hides the miss
  // at the store (measured 5–10% at 1024²–2048²).
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    acc[i][0] = acc[i][1] = acc[i][2] = _mm512_setzero_ps();
    for (int j = 0; j < 3; ++j) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16 * j), _MM_HINT_T0);
  }
  for (int64_t p = 0; p < kc; ++p) {
    const float* bp = b + boff[p];
    const __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16), b2 = _mm512_loadu_ps(bp + 32);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
      acc[i][2] = _mm512_fmadd_ps(ai, b2, acc[i][2]);
    }
    a += MR;
  }
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    for (int j = 0; j < 3; ++j) {
      __m512 r = _mm512_mul_ps(va, acc[i][j]);
      if (beta != 0.0f) r = _mm512_add_ps(r, _mm512_mul_ps(vb, _mm512_loadu_ps(ci + 16 * j)));
      _mm512_storeu_ps(ci + 16 * j, r);
    }
  }
}

constexpr Kernel kScalar{GemmIsa::scalar, 4, 8, 64, 256, tile_scalar};
constexpr Kernel kAvx2{GemmIsa::avx2, 6, 16, 192, 512, tile_avx2};
constexpr Kernel kAvx512{GemmIsa::avx512, 8, 48, 192, 480, tile_avx512};

bool cpu_has(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("fma");
    case GemmIsa::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GemmIsa::scalar:
      return true;
  }
  return false;
}

GemmIsa best_isa() {
  if (cpu_has(GemmIsa::avx512)) return GemmIsa::avx512;
  if (cpu_has(GemmIsa::avx2)) return GemmIsa::avx2;
  return GemmIsa::scalar;
}

std::atomic<GemmIsa> g_isa{best_isa()};

const Kernel& kernel_for(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::avx512:
      return kAvx512;
    case GemmIsa::avx2:
      return kAvx2;
    case GemmIsa::scalar:
      break;
  }
  return kScalar;
}

// C tile of mr_used × nr_used (smaller than the register tile at the edges): the kernel writes a
// full tile to a local buffer with alpha = 1, beta = 0 (exact), then the same
// alpha · acc + beta · C as the kernel's own store, element by element.
void edge_tile(const Kernel& kn, int64_t kc, const float* a, const float* b, const int64_t* boff, float* c, int64_t ldc,
               int64_t rows, int64_t cols, float alpha, float beta) {
  alignas(64) float acc[8 * 48];
  kn.tile(kc, a, b, boff, acc, kn.nr, 1.0f, 0.0f);
  for (int64_t i = 0; i < rows; ++i) {
    float* ci = c + i * ldc;
    const float* ai = acc + i * kn.nr;
    for (int64_t j = 0; j < cols; ++j) ci[j] = beta == 0.0f ? alpha * ai[j] : alpha * ai[j] + beta * ci[j];
  }
}

void scale_c(int64_t m, int64_t n, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    for (int64_t j = 0; j < n; ++j) ci[j] = beta == 0.0f ? 0.0f : beta * ci[j];
  }
}

// The step that cuts `extent` into the fewest blocks of at most `most`, as equal as multiples of
// `unit` allow (`most` is a multiple of `unit`).
int64_t balanced_step(int64_t extent, int64_t most, int64_t unit) {
  const int64_t blocks = (extent + most - 1) / most;
  const int64_t step = (extent + blocks - 1) / blocks;
  return (step + unit - 1) / unit * unit;
}

// boff for packed B panels: k · nr.
const int64_t* packed_offsets(int64_t nr) {
  static const auto table = [] {
    std::array<std::array<int64_t, kKc>, 3> t{};
    const int64_t nrs[3] = {8, 16, 48};
    for (int i = 0; i < 3; ++i) {
      for (int64_t k = 0; k < kKc; ++k) t[i][k] = k * nrs[i];
    }
    return t;
  }();
  return table[nr == 8 ? 0 : nr == 16 ? 1 : 2].data();
}

// Where op(B) comes from: packed per block by `pack`, or read in place from rows
// rows + row_offset[k] (Direct).
struct BSource {
  const GemmPacker* pack = nullptr;
  const float* rows = nullptr;
  const int64_t* row_offset = nullptr;
};

// C[i0, i1) × [j0, j1): every K block, packing op(B) once per (column block, K block) and op(A)
// once per (row block, column block, K block).
void gemm_block(const Kernel& kn, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t k, float alpha,
                const GemmPacker& pack_a, const BSource& src, float beta, float* c, int64_t ldc) {
  float* pa = scratch_floats(ScratchSlot::gemm_a, kn.mc * kKc);
  float* pb = src.pack ? scratch_floats(ScratchSlot::gemm_b, kKc * kn.nc) : nullptr;
  const int64_t* packed_boff = packed_offsets(kn.nr);
  // Blocks of balanced size (a 528-wide strip is two of 264, not 480 and 48).
  const int64_t n_step = balanced_step(j1 - j0, kn.nc, kn.nr), m_step = balanced_step(i1 - i0, kn.mc, kn.mr);
  for (int64_t jc = j0; jc < j1; jc += n_step) {
    const int64_t nc = std::min(n_step, j1 - jc);
    for (int64_t pc = 0; pc < k; pc += kKc) {
      const int64_t kc = std::min(kKc, k - pc);
      if (src.pack) (*src.pack)(jc, nc, pc, kc, kn.nr, pb);
      const float beta_block = pc == 0 ? beta : 1.0f;
      for (int64_t ic = i0; ic < i1; ic += m_step) {
        const int64_t mc = std::min(m_step, i1 - ic);
        pack_a(ic, mc, pc, kc, kn.mr, pa);
        auto tile = [&](int64_t ir, int64_t jr) {
          const float* ap = pa + ir * kc;
          const float* bp = src.pack ? pb + jr * kc : src.rows + jc + jr;
          const int64_t* boff = src.pack ? packed_boff : src.row_offset + pc;
          float* ct = c + (ic + ir) * ldc + jc + jr;
          const int64_t rows = std::min(kn.mr, mc - ir), cols = std::min(kn.nr, nc - jr);
          if (rows == kn.mr && cols == kn.nr) {
            kn.tile(kc, ap, bp, boff, ct, ldc, alpha, beta_block);
          } else {
            edge_tile(kn, kc, ap, bp, boff, ct, ldc, rows, cols, alpha, beta_block);
          }
        };
        if (src.pack) {
          // The A micro-panel stays in L1 while packed B streams from L2.
          for (int64_t ir = 0; ir < mc; ir += kn.mr)
            for (int64_t jr = 0; jr < nc; jr += kn.nr) tile(ir, jr);
        } else {
          // In-place B rows are scattered: each B tile stays in L1 for every A micro-panel.
          for (int64_t jr = 0; jr < nc; jr += kn.nr)
            for (int64_t ir = 0; ir < mc; ir += kn.mr) tile(ir, jr);
        }
      }
    }
  }
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

namespace {

// 16 rows × 16 floats at src[r] + k → dst[k · stride + r]: an in-register 16×16 transpose.
// (GCC 12's unpack intrinsics pass an undefined merge operand that -Wuninitialized flags.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f"))) void transpose16(const float* const* src, int64_t k, float* dst, int64_t stride) {
  __m512 r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src[i] + k);
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 2]);
    const __m512d c = _mm512_castps_pd(t[4 * i + 1]), d = _mm512_castps_pd(t[4 * i + 3]);
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
  }
  // r[4i + j] holds, for rows 4i..4i+3, column j (+4, +8, +12 in its four 128-bit lanes).
  for (int j = 0; j < 4; ++j) {
    t[j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);       // lanes 0, 2 of rows 0-3 and 4-7
    t[4 + j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xdd);   // lanes 1, 3
    t[8 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
    t[12 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xdd);
  }
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);        // columns j
    r[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xdd);    // columns j + 8
    r[4 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0x88);  // columns j + 4
    r[12 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0xdd); // columns j + 12
  }
  for (int i = 0; i < 16; ++i) _mm512_storeu_ps(dst + i * stride, r[i]);
}
#pragma GCC diagnostic pop

// 8 rows × 8 floats at src[r] + k → dst[k · stride + r] (AVX 8×8 transpose).
__attribute__((target("avx2"))) void transpose8(const float* const* src, int64_t k, float* dst, int64_t stride) {
  __m256 r[8], t[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src[i] + k);
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 2; ++i) {
    r[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int j = 0; j < 4; ++j) {
    _mm256_storeu_ps(dst + j * stride, _mm256_permute2f128_ps(r[j], r[4 + j], 0x20));
    _mm256_storeu_ps(dst + (4 + j) * stride, _mm256_permute2f128_ps(r[j], r[4 + j], 0x31));
  }
}

// One panel from row pointers (each contiguous along k): d[kk · panel + r] = src[r][kk], rows
// past pr zero. Register transposes for full 16- (AVX-512) or 8-row (AVX2) blocks.
void pack_panel_rows(const float* const* src, int64_t pr, int64_t kc, int64_t panel, float* d, GemmIsa isa) {
  const int64_t block = isa == GemmIsa::avx512 && panel % 16 == 0 ? 16 : isa != GemmIsa::scalar && panel % 8 == 0 ? 8 : 1;
  const int64_t full = block > 1 ? pr / block * block : 0, kfull = kc / block * block;
  for (int64_t r = 0; r < full; r += block) {
    for (int64_t kk = 0; kk < kfull; kk += block) {
      if (block == 16) {
        transpose16(src + r, kk, d + kk * panel + r, panel);
      } else {
        transpose8(src + r, kk, d + kk * panel + r, panel);
      }
    }
    for (int64_t kk = kfull; kk < kc; ++kk) {
      for (int64_t i = 0; i < block; ++i) d[kk * panel + r + i] = src[r + i][kk];
    }
  }
  for (int64_t r = full; r < pr; ++r) {
    const float* s = src[r];
    for (int64_t kk = 0; kk < kc; ++kk) d[kk * panel + r] = s[kk];
  }
  for (int64_t kk = 0; kk < kc; ++kk) {
    for (int64_t r = pr; r < panel; ++r) d[kk * panel + r] = 0.0f;
  }
}

}  // namespace

GemmPacker row_offset_packer(const float* base, const int64_t* row_offset) {
  const GemmIsa isa = g_isa.load();
  return [=](int64_t r0, int64_t rows, int64_t k0, int64_t kc, int64_t panel, float* dst) {
    const float* src[64];
    for (int64_t p0 = 0; p0 < rows; p0 += panel) {
      const int64_t pr = std::min(panel, rows - p0);
      for (int64_t r = 0; r < pr; ++r) src[r] = base + row_offset[r0 + p0 + r] + k0;
      pack_panel_rows(src, pr, kc, panel, dst + p0 * kc, isa);
    }
  };
}

GemmPacker strided_packer(const float* data, int64_t row_stride, int64_t k_stride) {
  const GemmIsa isa = g_isa.load();
  return [=](int64_t r0, int64_t rows, int64_t k0, int64_t kc, int64_t panel, float* dst) {
    for (int64_t p0 = 0; p0 < rows; p0 += panel) {
      const int64_t pr = std::min(panel, rows - p0);
      float* d = dst + p0 * kc;
      const float* s = data + (r0 + p0) * row_stride + k0 * k_stride;
      if (row_stride == 1) {
        // Panel rows are contiguous in memory: one short copy per k.
        for (int64_t kk = 0; kk < kc; ++kk) {
          float* dk = d + kk * panel;
          std::memcpy(dk, s + kk * k_stride, static_cast<size_t>(pr) * sizeof(float));
          for (int64_t r = pr; r < panel; ++r) dk[r] = 0.0f;
        }
      } else if (k_stride == 1) {
        // Rows contiguous along k: transposed into the panel.
        const float* src[64];
        for (int64_t r = 0; r < pr; ++r) src[r] = s + r * row_stride;
        pack_panel_rows(src, pr, kc, panel, d, isa);
      } else {
        for (int64_t r = 0; r < pr; ++r) {
          for (int64_t kk = 0; kk < kc; ++kk) d[kk * panel + r] = s[r * row_stride + kk * k_stride];
        }
        for (int64_t r = pr; r < panel; ++r) {
          for (int64_t kk = 0; kk < kc; ++kk) d[kk * panel + r] = 0.0f;
        }
      }
    }
  };
}

namespace {

void gemm_driver(int64_t m, int64_t n, int64_t k, float alpha, const GemmPacker& pack_a, const BSource& src, float beta,
                 float* c, int64_t ldc, bool parallel) {
  require(m >= 0 && n >= 0 && k >= 0, "sgemm: sizes must be >= 0");
  if (m == 0 || n == 0) return;
  if (k == 0) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  const Kernel& kn = kernel_for(g_isa.load(std::memory_order_relaxed));
  // Tasks: a grid of C blocks, column strips first (op(B) is then packed once). How C is cut
  // changes no element's arithmetic, so the grid may follow the thread count.
  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  const int64_t threads = thread_count();
  const int64_t target = !parallel || threads == 1 || flops < 4.0e6 ? 1 : 4 * threads;
  const int64_t n_panels = ceil_div(n, kn.nr), m_panels = ceil_div(m, kn.mr);
  const int64_t strips = std::min(n_panels, target);
  const int64_t bands = std::min(m_panels, ceil_div(target, strips));
  const int64_t strip_w = ceil_div(n_panels, strips) * kn.nr;
  const int64_t band_h = ceil_div(m_panels, bands) * kn.mr;
  const int64_t n_strips = ceil_div(n, strip_w), n_bands = ceil_div(m, band_h);
  auto run = [&](int64_t t) {
    const int64_t bi = t / n_strips, sj = t % n_strips;
    const int64_t i0 = bi * band_h, j0 = sj * strip_w;
    gemm_block(kn, i0, std::min(m, i0 + band_h), j0, std::min(n, j0 + strip_w), k, alpha, pack_a, src, beta, c, ldc);
  };
  const int64_t tasks = n_strips * n_bands;
  if (tasks == 1) {
    run(0);
    return;
  }
  parallel_for(tasks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) run(t);
  });
}

}  // namespace

void sgemm_packed(int64_t m, int64_t n, int64_t k, float alpha, const GemmPacker& pack_a, const GemmPacker& pack_b,
                  float beta, float* c, int64_t ldc, bool parallel) {
  BSource src;
  src.pack = &pack_b;
  gemm_driver(m, n, k, alpha, pack_a, src, beta, c, ldc, parallel);
}

void sgemm_rows(int64_t m, int64_t n, int64_t k, float alpha, const GemmPacker& pack_a, const float* b,
                const int64_t* row_offset, float beta, float* c, int64_t ldc, bool parallel) {
  BSource src;
  src.rows = b;
  src.row_offset = row_offset;
  gemm_driver(m, n, k, alpha, pack_a, src, beta, c, ldc, parallel);
}

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  require(m >= 0 && n >= 0 && k >= 0, "sgemm: sizes must be >= 0");
  require(ldc >= std::max<int64_t>(1, n), "sgemm: ldc must be >= n");
  require(lda >= std::max<int64_t>(1, trans_a ? m : k), "sgemm: lda is smaller than a row of A");
  require(ldb >= std::max<int64_t>(1, trans_b ? k : n), "sgemm: ldb is smaller than a row of B");
  // op(A)(i, p): A[i·lda + p], or A[p·lda + i] transposed. op(B) is packed by columns j:
  // op(B)(p, j) = B[p·ldb + j], or B[j·ldb + p] transposed.
  const GemmPacker pack_a = trans_a ? strided_packer(a, 1, lda) : strided_packer(a, lda, 1);
  const GemmPacker pack_b = trans_b ? strided_packer(b, ldb, 1) : strided_packer(b, 1, ldb);
  sgemm_packed(m, n, k, alpha, pack_a, pack_b, beta, c, ldc);
}

GemmIsa gemm_isa() { return g_isa.load(); }

const char* gemm_isa_name(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::avx512:
      return "avx512";
    case GemmIsa::avx2:
      return "avx2";
    case GemmIsa::scalar:
      break;
  }
  return "scalar";
}

bool gemm_isa_supported(GemmIsa isa) { return cpu_has(isa); }

bool set_gemm_isa(GemmIsa isa) {
  if (!cpu_has(isa)) return false;
  g_isa.store(isa);
  return true;
}

}  // namespace ms
