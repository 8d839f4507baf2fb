// Normal, Gaussian and Rician noise (Poisson: poisson_noise.cc). Each parallel chunk works block
// by block through small stack buffers (noise_blocks.h): Philox for the block's counters
// (vectorised, 64-bit lanes), then Box–Muller (vectorised, float32), then the combination with
// the input, then the block goes out. A voxel's value depends only on its index, never on the
// chunk, the block or the thread.
#include "noise/noise.h"

#include <algorithm>

#include "core/error.h"
#include "core/philox.h"
#include "core/philox_wide.h"
#include "core/simd.h"
#include "noise/noise_blocks.h"
#include "noise/noise_draws.h"

namespace ms {
namespace {

using noise_blocks::fill_blocks;
using noise_blocks::kBlock;
using noise_blocks::kTwo32;

// ---- Philox words and normals -------------------------------------------------------------
// The words of counter (lo + i, hi), i < count, as pairs: a[2i] = w0, b[2i] = w1, a[2i + 1] = w2,
// b[2i + 1] = w3, so pair p holds the two words one Box–Muller needs.
// Philox runs in 64-bit lanes; the draws that follow run in float lanes twice as wide, so the
// two stay in separate loops.
MS_SIMD_CLONES void philox_pairs(const PhiloxRoundKeys& k, uint32_t lo, uint32_t hi, int64_t count,
                                 uint32_t* MS_RESTRICT a, uint32_t* MS_RESTRICT b) {
  for (int64_t i = 0; i < count; ++i) {
    uint32_t w[4];
    philox_wide(lo + static_cast<uint32_t>(i), hi, k, w);
    a[2 * i] = w[0];
    b[2 * i] = w[1];
    a[2 * i + 1] = w[2];
    b[2 * i + 1] = w[3];
  }
}

// philox_pairs for counters first_counter .. first_counter + count − 1, split where the counter's
// low word wraps.
void word_pairs(const PhiloxRoundKeys& k, uint64_t first_counter, int64_t count, uint32_t* a, uint32_t* b) {
  uint64_t c = first_counter;
  while (count > 0) {
    const int64_t span = static_cast<int64_t>(std::min<uint64_t>(static_cast<uint64_t>(count), kTwo32 - (c & 0xFFFFFFFFu)));
    philox_pairs(k, static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32), span, a, b);
    a += 2 * span;
    b += 2 * span;
    c += static_cast<uint64_t>(span);
    count -= span;
  }
}

// out[2p] = r·cos, out[2p + 1] = r·sin of Box–Muller on pair p, p < pairs.
MS_SIMD_CLONES void normal_pairs(const uint32_t* MS_RESTRICT a, const uint32_t* MS_RESTRICT b, int64_t pairs,
                                 float* MS_RESTRICT out) {
  for (int64_t p = 0; p < pairs; ++p) {
    float nc, ns;
    box_muller(a[p], b[p], nc, ns);
    out[2 * p] = nc;
    out[2 * p + 1] = ns;
  }
}

// Scratch for one block of normals: 2 pairs per counter, 4 normals per counter.
struct NormalScratch {
  alignas(64) uint32_t a[kBlock / 2], b[kBlock / 2];
};

// buf[0 .. 4·counters) = N[4·first_counter ...]; counters <= kBlock / 4.
void normals(const PhiloxRoundKeys& k, uint64_t first_counter, int64_t counters, NormalScratch& s, float* buf) {
  word_pairs(k, first_counter, counters, s.a, s.b);
  normal_pairs(s.a, s.b, 2 * counters, buf);
}

// noise[i] = in[i] + sigma·noise[i].
MS_SIMD_CLONES void add_scaled(const float* MS_RESTRICT in, float* MS_RESTRICT noise, int64_t n, float sigma) {
  for (int64_t i = 0; i < n; ++i) noise[i] = in[i] + sigma * noise[i];
}

// out[i] = |in[i] + sigma·(N[2v] + i·N[2v + 1])| with voxel v's normals from pair i.
MS_SIMD_CLONES void rician_pairs(const float* MS_RESTRICT in, float* MS_RESTRICT out, const uint32_t* MS_RESTRICT a,
                                 const uint32_t* MS_RESTRICT b, int64_t n, float sigma) {
  for (int64_t i = 0; i < n; ++i) {
    float nc, ns;
    box_muller(a[i], b[i], nc, ns);
    const float re = in[i] + sigma * nc, im = sigma * ns;
    out[i] = fm::fsqrt(re * re + im * im);
  }
}

}  // namespace

void check_noise_sigma(float sigma) {
  require(sigma >= 0.0f && sigma <= 3.4e38f, "noise sigma must be a finite number >= 0");
}

void normal_noise(const NoiseKey& key, float* out, int64_t n) {
  require(n >= 0, "normal count must be >= 0");
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  fill_blocks(out, n, [&](int64_t v, int64_t len, float* buf) {
    NormalScratch s;
    normals(k, static_cast<uint64_t>(v) >> 2, (len + 3) / 4, s, buf);
    return buf;
  });
}

void gaussian_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key) {
  require(n >= 0, "voxel count must be >= 0");
  check_noise_sigma(sigma);
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  fill_blocks(out, n, [&](int64_t v, int64_t len, float* buf) {
    NormalScratch s;
    normals(k, static_cast<uint64_t>(v) >> 2, (len + 3) / 4, s, buf);
    add_scaled(in + v, buf, len, sigma);
    return buf;
  });
}

void rician_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key) {
  require(n >= 0, "voxel count must be >= 0");
  check_noise_sigma(sigma);
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  fill_blocks(out, n, [&](int64_t v, int64_t len, float* buf) {
    alignas(64) uint32_t wa[kBlock + 1], wb[kBlock + 1];
    word_pairs(k, static_cast<uint64_t>(v) >> 1, (len + 1) / 2, wa, wb);  // N[2v], N[2v + 1]: pair v
    rician_pairs(in + v, buf, wa, wb, len, sigma);
    return buf;
  });
}

}  // namespace ms
