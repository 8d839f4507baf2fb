#include "loss/bce.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/batch_chunks.h"

namespace ms {
namespace {

constexpr int64_t kChunk = 1 << 14;

struct ChunkLoss {
  double sum = 0;
  bool bad_pred = false, bad_target = false;
};

template <typename T>
ChunkLoss bce_chunk(const float* pred, const T* target, int64_t n, bool logits, double scale, float* grad) {
  ChunkLoss r;
  for (int64_t i = 0; i < n; ++i) {
    const double x = pred[i];
    const double g = static_cast<double>(target[i]);
    if (!(g >= 0.0 && g <= 1.0)) r.bad_target = true;
    double loss, d;
    if (logits) {
      if (!std::isfinite(x)) r.bad_pred = true;
      const double e = std::exp(-std::fabs(x));
      loss = std::max(x, 0.0) - x * g + std::log1p(e);
      const double sig = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
      d = sig - g;
    } else {
      if (!(x >= 0.0 && x <= 1.0)) r.bad_pred = true;
      const double lp = std::max(std::log(x), -100.0);
      const double lq = std::max(std::log1p(-x), -100.0);
      loss = -(g * lp + (1.0 - g) * lq);
      d = (x - g) / std::max(x * (1.0 - x), 1e-12);
    }
    r.sum += loss;
    grad[i] = static_cast<float>(d * scale);
  }
  return r;
}

}  // namespace

template <typename T>
double binary_cross_entropy(const float* pred, const T* target, int64_t batch, int64_t size, const BceParams& params,
                            double* per_sample, float* grad) {
  require(batch >= 1 && size >= 1, "batch and size must be >= 1");
  require(grad != nullptr && per_sample != nullptr, "grad and perSample buffers are required");
  const double scale = 1.0 / (static_cast<double>(batch) * static_cast<double>(size));
  const BatchChunks chunks(batch, size, kChunk);
  std::vector<ChunkLoss> partial(static_cast<size_t>(chunks.tasks()));
  chunks.run([&](int64_t t, int64_t, int64_t begin, int64_t end) {
    partial[t] = bce_chunk(pred + begin, target + begin, end - begin, params.from_logits, scale, grad + begin);
  });
  bool bad_pred = false, bad_target = false;
  double total = 0;
  for (int64_t b = 0; b < batch; ++b) {
    double sum = 0;
    for (int64_t k = 0; k < chunks.per_sample; ++k) {
      const ChunkLoss& c = partial[b * chunks.per_sample + k];
      sum += c.sum;
      bad_pred |= c.bad_pred;
      bad_target |= c.bad_target;
    }
    per_sample[b] = sum / static_cast<double>(size);
    total += per_sample[b];
  }
  if (bad_pred) {
    throw Error("INVALID_ARGUMENT", params.from_logits ? "pred must hold finite logits"
                                                       : "pred must hold probabilities in [0, 1] (found a value outside or NaN)");
  }
  if (bad_target) {
    throw Error("INVALID_ARGUMENT", sizeof(T) == 1 ? "target (Uint8Array) must hold only 0 and 1"
                                                   : "target must hold values in [0, 1] (found a value outside or NaN)");
  }
  return total / static_cast<double>(batch);
}

template double binary_cross_entropy<float>(const float*, const float*, int64_t, int64_t, const BceParams&, double*,
                                            float*);
template double binary_cross_entropy<uint8_t>(const float*, const uint8_t*, int64_t, int64_t, const BceParams&,
                                              double*, float*);

}  // namespace ms
