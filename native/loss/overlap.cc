#include "loss/overlap.h"

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/simd.h"
#include "core/batch_chunks.h"
#include "loss/fast_sigmoid.h"
#include "loss/vec16.h"

// The f32x16 helpers are always inlined into one SIMD clone; no vector ever crosses a call
// boundary, so the ABI difference -Wpsabi reports cannot arise.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace ms {
namespace {

constexpr int64_t kChunk = 1 << 15;

enum BadInput : int { kBadPred = 1, kBadTarget = 2 };

struct ChunkSums {
  double tp = 0, p = 0, g = 0;
  int bad = 0;
};

// One chunk of pass 1, 16 lanes at a time. Validity is tracked with min/max; NaN shows up in
// the sums instead, and a non-finite logit in `finite` (inf·0 and NaN·0 are NaN).
template <typename T, bool kLogits>
MS_ALWAYS_INLINE ChunkSums sums_body(const float* MS_RESTRICT pred, const T* MS_RESTRICT target,
                                     int64_t n, float* MS_RESTRICT prob) {
  f64x8 tp_lo{}, tp_hi{}, sp_lo{}, sp_hi{}, sg_lo{}, sg_hi{};
  f32x16 finite{}, pmin{}, pmax{}, gmin{}, gmax{};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const f32x16 x = load16(pred + i);
    f32x16 p = x;
    if constexpr (kLogits) {
      finite += x * 0.0f;
      p = sigmoid_f32(x);
      store16(prob + i, p);
    } else {
      pmin = min16(pmin, x);
      pmax = max16(pmax, x);
    }
    const f32x16 g = load16(target + i);
    gmin = min16(gmin, g);
    gmax = max16(gmax, g);
    const f64x8 plo = low_f64(p), phi = high_f64(p), glo = low_f64(g), ghi = high_f64(g);
    tp_lo += plo * glo;
    tp_hi += phi * ghi;
    sp_lo += plo;
    sp_hi += phi;
    sg_lo += glo;
    sg_hi += ghi;
  }
  ChunkSums s;
  float fin = 0, lo = 0, hi = 0, glo = 0, ghi = 0;
  for (int j = 0; j < 8; ++j) {
    s.tp += tp_lo[j] + tp_hi[j];
    s.p += sp_lo[j] + sp_hi[j];
    s.g += sg_lo[j] + sg_hi[j];
  }
  for (int j = 0; j < 16; ++j) {
    fin += finite[j];
    lo = pmin[j] < lo ? pmin[j] : lo;
    hi = pmax[j] > hi ? pmax[j] : hi;
    glo = gmin[j] < glo ? gmin[j] : glo;
    ghi = gmax[j] > ghi ? gmax[j] : ghi;
  }
  for (; i < n; ++i) {
    const float x = pred[i];
    float p = x;
    if constexpr (kLogits) {
      fin += x * 0.0f;
      p = sigmoid_f32(x);
      prob[i] = p;
    } else {
      lo = x < lo ? x : lo;
      hi = x > hi ? x : hi;
    }
    const float g = static_cast<float>(target[i]);
    glo = g < glo ? g : glo;
    ghi = g > ghi ? g : ghi;
    s.tp += static_cast<double>(p) * static_cast<double>(g);
    s.p += static_cast<double>(p);
    s.g += static_cast<double>(g);
  }
  if (!(lo >= 0.0f && hi <= 1.0f && fin == 0.0f && std::isfinite(s.p))) s.bad |= kBadPred;
  if (!(glo >= 0.0f && ghi <= 1.0f && std::isfinite(s.g))) s.bad |= kBadTarget;
  return s;
}

MS_SIMD_CLONES ChunkSums sums_f32(const float* pred, const float* target, int64_t n, bool logits, float* prob) {
  return logits ? sums_body<float, true>(pred, target, n, prob) : sums_body<float, false>(pred, target, n, prob);
}

MS_SIMD_CLONES ChunkSums sums_u8(const float* pred, const uint8_t* target, int64_t n, bool logits, float* prob) {
  return logits ? sums_body<uint8_t, true>(pred, target, n, prob) : sums_body<uint8_t, false>(pred, target, n, prob);
}

ChunkSums sums_chunk(const float* pred, const float* target, int64_t n, bool logits, float* prob) {
  return sums_f32(pred, target, n, logits, prob);
}
ChunkSums sums_chunk(const float* pred, const uint8_t* target, int64_t n, bool logits, float* prob) {
  return sums_u8(pred, target, n, logits, prob);
}

template <typename T, bool kLogits>
MS_ALWAYS_INLINE void grad_body(const T* MS_RESTRICT target, int64_t n, float a, float c, float* MS_RESTRICT grad) {
  for (int64_t i = 0; i < n; ++i) {
    const float d = a * static_cast<float>(target[i]) + c;
    if constexpr (kLogits) {
      const float p = grad[i];
      grad[i] = d * (p * (1.0f - p));
    } else {
      grad[i] = d;
    }
  }
}

MS_SIMD_CLONES void grad_f32(const float* target, int64_t n, float a, float c, bool logits, float* grad) {
  if (logits) grad_body<float, true>(target, n, a, c, grad);
  else grad_body<float, false>(target, n, a, c, grad);
}

MS_SIMD_CLONES void grad_u8(const uint8_t* target, int64_t n, float a, float c, bool logits, float* grad) {
  if (logits) grad_body<uint8_t, true>(target, n, a, c, grad);
  else grad_body<uint8_t, false>(target, n, a, c, grad);
}

void grad_chunk(const float* t, int64_t n, float a, float c, bool logits, float* g) { grad_f32(t, n, a, c, logits, g); }
void grad_chunk(const uint8_t* t, int64_t n, float a, float c, bool logits, float* g) { grad_u8(t, n, a, c, logits, g); }

}  // namespace

template <typename T>
void overlap_sums(const float* pred, const T* target, int64_t batch, int64_t size, bool from_logits,
                  float* prob, OverlapSums* sums) {
  require(batch >= 1 && size >= 1, "batch and size must be >= 1");
  require(!from_logits || prob != nullptr, "logits need a probability buffer");
  const BatchChunks chunks(batch, size, kChunk);
  std::vector<ChunkSums> partial(static_cast<size_t>(chunks.tasks()));
  chunks.run([&](int64_t t, int64_t, int64_t begin, int64_t end) {
    partial[t] = sums_chunk(pred + begin, target + begin, end - begin, from_logits,
                            from_logits ? prob + begin : nullptr);
  });
  int bad = 0;
  for (int64_t b = 0; b < batch; ++b) {
    OverlapSums s;
    for (int64_t k = 0; k < chunks.per_sample; ++k) {
      const ChunkSums& c = partial[b * chunks.per_sample + k];
      s.tp += c.tp;
      s.p += c.p;
      s.g += c.g;
      bad |= c.bad;
    }
    sums[b] = s;
  }
  if (bad & kBadPred) {
    throw Error("INVALID_ARGUMENT", from_logits ? "pred must hold finite logits"
                                                : "pred must hold probabilities in [0, 1] (found a value outside or NaN)");
  }
  if (bad & kBadTarget) {
    throw Error("INVALID_ARGUMENT", sizeof(T) == 1 ? "target (Uint8Array) must hold only 0 and 1"
                                                   : "target must hold values in [0, 1] (found a value outside or NaN)");
  }
}

template <typename T>
void overlap_gradient(const T* target, int64_t batch, int64_t size, const double* a, const double* c,
                      bool from_logits, float* grad) {
  const BatchChunks chunks(batch, size, kChunk);
  chunks.run([&](int64_t, int64_t b, int64_t begin, int64_t end) {
    grad_chunk(target + begin, end - begin, static_cast<float>(a[b]), static_cast<float>(c[b]), from_logits,
               grad + begin);
  });
}

template void overlap_sums<float>(const float*, const float*, int64_t, int64_t, bool, float*, OverlapSums*);
template void overlap_sums<uint8_t>(const float*, const uint8_t*, int64_t, int64_t, bool, float*, OverlapSums*);
template void overlap_gradient<float>(const float*, int64_t, int64_t, const double*, const double*, bool, float*);
template void overlap_gradient<uint8_t>(const uint8_t*, int64_t, int64_t, const double*, const double*, bool, float*);

}  // namespace ms
