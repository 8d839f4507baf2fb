#include "metric/calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "core/batch_chunks.h"

namespace ms {
namespace {

constexpr int64_t kChunk = 1 << 16;

}  // namespace

CalibrationSummary calibration_bins(const float* prob, const uint8_t* label, int64_t n, int bins, CalibrationMode mode,
                                    double* count, double* mean_confidence, double* accuracy) {
  require(n >= 1, "prob must hold at least one element");
  require(bins >= 1 && bins <= 100000, "bins must be an integer in [1, 100000]");
  const BatchChunks chunks(1, n, kChunk);
  // Per chunk and bin: count, Σ confidence, Σ correct — added in chunk order afterwards.
  const size_t stride = static_cast<size_t>(bins) * 3;
  std::vector<double> partial(static_cast<size_t>(chunks.tasks()) * stride, 0.0);
  std::vector<uint8_t> bad(static_cast<size_t>(chunks.tasks()), 0);
  const bool top_label = mode == CalibrationMode::kConfidence;
  chunks.run([&](int64_t t, int64_t, int64_t begin, int64_t end) {
    double* h = partial.data() + static_cast<size_t>(t) * stride;
    uint8_t flags = 0;
    for (int64_t i = begin; i < end; ++i) {
      const double p = prob[i];
      const uint8_t y = label[i];
      if (!(p >= 0.0 && p <= 1.0)) flags |= 1;
      if (y > 1) flags |= 2;
      if (flags) continue;
      double conf, hit;
      if (top_label) {
        const uint8_t predicted = p >= 0.5;
        conf = predicted ? p : 1.0 - p;
        hit = predicted == y;
      } else {
        conf = p;
        hit = y;
      }
      const int b = std::min(static_cast<int>(conf * bins), bins - 1);
      h[3 * b] += 1.0;
      h[3 * b + 1] += conf;
      h[3 * b + 2] += hit;
    }
    bad[t] = flags;
  });
  uint8_t flags = 0;
  for (uint8_t f : bad) flags |= f;
  require(!(flags & 1), "prob must hold probabilities in [0, 1] (found a value outside or NaN)");
  require(!(flags & 2), "label must hold only 0 and 1");

  CalibrationSummary s;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int b = 0; b < bins; ++b) {
    double c = 0, conf = 0, hit = 0;
    for (int64_t t = 0; t < chunks.tasks(); ++t) {
      const double* h = partial.data() + static_cast<size_t>(t) * stride + 3 * b;
      c += h[0];
      conf += h[1];
      hit += h[2];
    }
    count[b] = c;
    if (c > 0) {
      mean_confidence[b] = conf / c;
      accuracy[b] = hit / c;
      const double gap = std::fabs(accuracy[b] - mean_confidence[b]);
      s.ece += c / static_cast<double>(n) * gap;
      s.mce = std::max(s.mce, gap);
    } else {
      mean_confidence[b] = accuracy[b] = nan;
    }
  }
  return s;
}

}  // namespace ms
