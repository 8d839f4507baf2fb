// A vectorisation-friendly Philox4x32-10 for CPU loops that draw one block per element: the
// same function as ms::philox4x32_10 in core/philox.h, bit for bit (tests compare them).
#pragma once

#include <cstdint>

#include "core/philox.h"
#include "core/simd.h"

namespace ms {

// Philox4x32-10's round keys for a stream, widened to 64 bits (see philox_wide).
struct PhiloxRoundKeys {
  uint64_t k0[10], k1[10];
  uint32_t sample, stream;

  explicit PhiloxRoundKeys(const PhiloxStream& s) : sample(s.sample), stream(s.stream) {
    uint32_t a = s.k0, b = s.k1;
    for (int r = 0; r < 10; ++r, a += 0x9E3779B9u, b += 0xBB67AE85u) {
      k0[r] = a;
      k1[r] = b;
    }
  }
};

// ms::philox4x32_10 bit for bit, with the state held in 64-bit lanes (upper halves zero): GCC
// then vectorises each 32×32→64 multiply as one widening multiply per lane instead of
// unpacking, multiplying and repacking 32-bit lanes, which makes the whole block ~1.7× faster.
// Counter = (lo, hi, sample, stream) as in core/philox.h.
MS_ALWAYS_INLINE void philox_wide(uint32_t lo, uint32_t hi, const PhiloxRoundKeys& k, uint32_t w[4]) {
  constexpr uint64_t kLow = 0xFFFFFFFFu;
  uint64_t c0 = lo, c1 = hi, c2 = k.sample, c3 = k.stream;
  for (int r = 0; r < 10; ++r) {
    const uint64_t p0 = (c0 & kLow) * 0xD2511F53u;
    const uint64_t p1 = (c2 & kLow) * 0xCD9E8D57u;
    const uint64_t n0 = (p1 >> 32) ^ c1 ^ k.k0[r];
    const uint64_t n2 = (p0 >> 32) ^ c3 ^ k.k1[r];
    c1 = p1 & kLow;
    c3 = p0 & kLow;
    c0 = n0;
    c2 = n2;
  }
  w[0] = static_cast<uint32_t>(c0);
  w[1] = static_cast<uint32_t>(c1);
  w[2] = static_cast<uint32_t>(c2);
  w[3] = static_cast<uint32_t>(c3);
}

}  // namespace ms
