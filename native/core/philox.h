// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the one
// counter-based generator medsynth uses on CPU and CUDA. A draw is a pure function of
// (seed, sampleIndex, stream, counter), so any voxel or parameter can be generated alone,
// in any order, on any thread count or device.
//
// Key and counter layout (fixed; changing it changes every dataset):
//   key     = { seed low 32 bits, seed high 32 bits }
//   counter = { counter low 32 bits, counter high 32 bits, sampleIndex, stream }
#pragma once

#include <cstdint>

#include "core/hostdev.h"

namespace ms {

struct Philox4 {
  uint32_t v[4];
};

MS_HOSTDEV void philox_mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

MS_HOSTDEV Philox4 philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                                 uint32_t k1) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kW0;
      k1 += kW1;
    }
    uint32_t hi0, lo0, hi1, lo1;
    philox_mulhilo(kM0, c0, hi0, lo0);
    philox_mulhilo(kM1, c2, hi1, lo1);
    const uint32_t n0 = hi1 ^ c1 ^ k0;
    const uint32_t n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  return Philox4{{c0, c1, c2, c3}};
}

// The stream of one (seed, sample, stream) triple; `at(counter)` gives its 4 words.
struct PhiloxStream {
  uint32_t k0, k1, sample, stream;

  MS_HOSTDEV static PhiloxStream make(uint64_t seed, uint32_t sample, uint32_t stream) {
    return PhiloxStream{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), sample,
                        stream};
  }
  MS_HOSTDEV Philox4 at(uint64_t counter) const {
    return philox4x32_10(static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32),
                         sample, stream, k0, k1);
  }
};

// Uniform in the open interval (0, 1) from the top 23 bits: k + 0.5 with k < 2^23 is exact in
// float32 (24 bits would not be: above 2^23 floats have no halves and the top words would round
// to 1), so the value is never 0, never 1, and identical on CPU and GPU.
MS_HOSTDEV float uniform_open01(uint32_t bits) {
  return (static_cast<float>(bits >> 9) + 0.5f) * (1.0f / 8388608.0f);
}

// Uniform in [0, 1) with 53 bits from two words (MT19937's genrand_res53 construction), for
// parameter draws in float64; lib/core/philox.ts computes the same value bit for bit.
MS_HOSTDEV double uniform_double(uint32_t w0, uint32_t w1) {
  const double a = static_cast<double>(w0 >> 5), b = static_cast<double>(w1 >> 6);
  return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

}  // namespace ms
