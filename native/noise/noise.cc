// Noise kernels. Each parallel chunk generates its voxels' draws block by block into small
// stack buffers (vectorised Philox, then Box–Muller or Poisson's quick path), then combines them
// with the input; a voxel's value depends only on its index, never on the chunk or thread.
#include "noise/noise.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/philox.h"
#include "core/philox_wide.h"
#include "core/simd.h"
#include "core/thread_pool.h"
#include "noise/noise_draws.h"

namespace ms {
namespace {

constexpr int64_t kBlock = 1024;       // voxels per inner block (a multiple of 4)
constexpr int64_t kGrain = 64 * kBlock;  // voxels per parallel chunk; chunks start at multiples of 4
constexpr uint64_t kTwo32 = uint64_t{1} << 32;

// out[4i + j] = N[4(hi·2^32 + lo + i) + j], i < count; lo + count must not pass 2^32.
MS_SIMD_CLONES void normal_block(const PhiloxRoundKeys& k, uint32_t lo, uint32_t hi, int64_t count,
                                 float* MS_RESTRICT out) {
  for (int64_t i = 0; i < count; ++i) {
    uint32_t w[4];
    philox_wide(lo + static_cast<uint32_t>(i), hi, k, w);
    float n0, n1, n2, n3;
    box_muller(w[0], w[1], n0, n1);
    box_muller(w[2], w[3], n2, n3);
    out[4 * i] = n0;
    out[4 * i + 1] = n1;
    out[4 * i + 2] = n2;
    out[4 * i + 3] = n3;
  }
}

// buf[0 .. 4·counters) = N[4·first_counter ...], split where the counter's low word wraps.
void normals(const PhiloxRoundKeys& k, uint64_t first_counter, int64_t counters, float* buf) {
  uint64_t c = first_counter;
  while (counters > 0) {
    const int64_t span = static_cast<int64_t>(std::min<uint64_t>(static_cast<uint64_t>(counters), kTwo32 - (c & 0xFFFFFFFFu)));
    normal_block(k, static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32), span, buf);
    buf += 4 * span;
    c += static_cast<uint64_t>(span);
    counters -= span;
  }
}

MS_SIMD_CLONES void add_scaled(const float* in, float* out, const float* MS_RESTRICT noise, int64_t n,
                               float sigma) {
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] + sigma * noise[i];
}

// noise: (n, 2) interleaved (real, imaginary) normals.
MS_SIMD_CLONES void rician_combine(const float* in, float* out, const float* MS_RESTRICT noise, int64_t n,
                                   float sigma) {
  for (int64_t i = 0; i < n; ++i) {
    const float re = in[i] + sigma * noise[2 * i], im = sigma * noise[2 * i + 1];
    out[i] = fm::fsqrt(re * re + im * im);
  }
}

// w_j[i] = word j of Philox at counter (lo + i, hi), i < count.
MS_SIMD_CLONES void philox_block(const PhiloxRoundKeys& k, uint32_t lo, uint32_t hi, int64_t count,
                                 uint32_t* MS_RESTRICT w0, uint32_t* MS_RESTRICT w1,
                                 uint32_t* MS_RESTRICT w2, uint32_t* MS_RESTRICT w3) {
  for (int64_t i = 0; i < count; ++i) {
    uint32_t w[4];
    philox_wide(lo + static_cast<uint32_t>(i), hi, k, w);
    w0[i] = w[0];
    w1[i] = w[1];
    w2[i] = w[2];
    w3[i] = w[3];
  }
}

// k[i] = the Poisson draw of voxel i where it is decided without logarithms or further
// counters — λ == 0, or PTRS's quick acceptance on attempt 0 (most voxels with λ >= 10) — and
// -1 elsewhere (NaN, inversion, slow PTRS path): the caller runs poisson_draw there, which gives
// the same value for the decided voxels too. Vectorised in float64.
MS_SIMD_CLONES void poisson_quick(const float* MS_RESTRICT in, int64_t n, double scale,
                                  const uint32_t* MS_RESTRICT w0, const uint32_t* MS_RESTRICT w1,
                                  const uint32_t* MS_RESTRICT w2, const uint32_t* MS_RESTRICT w3,
                                  double* MS_RESTRICT k) {
  for (int64_t i = 0; i < n; ++i) {
    const double x = in[i];
    const double lambda = (x > 0.0 ? x : 0.0) * scale;
    const PtrsSetup s = ptrs_setup(lambda);
    const PtrsAttempt t = ptrs_attempt(s, lambda, w0[i], w1[i], w2[i], w3[i]);
    // Bitwise & keeps the loop free of branches so it if-converts and vectorises.
    const bool decided = (lambda >= kPoissonInversionBelow) & (lambda <= kPoissonExactAbove) &
                         ptrs_quick_accept(s, t);
    const double other = (lambda == 0.0) & (x == x) ? 0.0 : -1.0;
    k[i] = decided ? t.k : other;
  }
}

void require_sigma(float sigma) {
  require(sigma >= 0.0f && sigma <= 3.4e38f, "noise sigma must be a finite number >= 0");
}

}  // namespace

void normal_noise(const NoiseKey& key, float* out, int64_t n) {
  require(n >= 0, "normal count must be >= 0");
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    const int64_t whole = (e - b) / 4;  // b is a multiple of 4
    normals(k, static_cast<uint64_t>(b) >> 2, whole, out + b);
    if (const int64_t rest = (e - b) % 4) {
      float tail[4];
      normals(k, static_cast<uint64_t>(b) / 4 + static_cast<uint64_t>(whole), 1, tail);
      std::memcpy(out + b + 4 * whole, tail, static_cast<size_t>(rest) * sizeof(float));
    }
  });
}

void gaussian_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key) {
  require(n >= 0, "voxel count must be >= 0");
  require_sigma(sigma);
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    alignas(64) float buf[kBlock];
    for (int64_t v = b; v < e; v += kBlock) {
      const int64_t len = std::min(kBlock, e - v);
      normals(k, static_cast<uint64_t>(v) >> 2, (len + 3) / 4, buf);
      add_scaled(in + v, out + v, buf, len, sigma);
    }
  });
}

void rician_noise(const float* in, float* out, int64_t n, float sigma, const NoiseKey& key) {
  require(n >= 0, "voxel count must be >= 0");
  require_sigma(sigma);
  const PhiloxRoundKeys k(PhiloxStream::make(key.seed, key.sample, key.stream));
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    alignas(64) float buf[2 * kBlock];
    for (int64_t v = b; v < e; v += kBlock) {
      const int64_t len = std::min(kBlock, e - v);
      normals(k, static_cast<uint64_t>(v) >> 1, (len + 1) / 2, buf);  // N[2v ..]: counter v >> 1
      rician_combine(in + v, out + v, buf, len, sigma);
    }
  });
}

void poisson_noise(const float* in, float* out, int64_t n, double scale, const NoiseKey& key) {
  require(n >= 0 && static_cast<uint64_t>(n) <= kTwo32, "poisson noise covers at most 2^32 voxels");
  require(scale > 0.0 && scale <= 1.7e308, "poisson scale must be a finite number > 0");
  const PhiloxStream s = PhiloxStream::make(key.seed, key.sample, key.stream);
  const PhiloxRoundKeys k(s);
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    alignas(64) uint32_t w[4][kBlock];
    alignas(64) double quick[kBlock];
    for (int64_t v0 = b; v0 < e; v0 += kBlock) {
      const int64_t len = std::min(kBlock, e - v0);
      philox_block(k, static_cast<uint32_t>(v0), 0, len, w[0], w[1], w[2], w[3]);
      poisson_quick(in + v0, len, scale, w[0], w[1], w[2], w[3], quick);
      for (int64_t i = 0; i < len; ++i) {
        double draw = quick[i];
        if (draw < 0.0) {
          const float x = in[v0 + i];
          if (x != x) {
            out[v0 + i] = x;
            continue;
          }
          const double lambda = x > 0.0f ? static_cast<double>(x) * scale : 0.0;
          draw = poisson_draw(s, static_cast<uint32_t>(v0 + i), lambda, Philox4{{w[0][i], w[1][i], w[2][i], w[3][i]}});
        }
        out[v0 + i] = static_cast<float>(draw / scale);
      }
    }
  });
}

}  // namespace ms
