// Expected calibration error (Guo et al. 2017) of binary probabilities with B equal-width bins
// on [0, 1] (bin b holds confidences in [b/B, (b+1)/B), the last bin also holds 1), and the
// reliability-diagram data per bin. Two readings of a probability p of the positive class:
//   confidence: the top-label view; prediction = (p >= 0.5), confidence = max(p, 1 − p),
//               accuracy = fraction of correct predictions;
//   positive:   the positive-class view; confidence = p, accuracy = fraction of positives.
// ECE = Σ_b (n_b / n)·|accuracy_b − confidence_b|, MCE = max over non-empty bins.
#pragma once

#include <cstdint>

namespace ms {

enum class CalibrationMode { kConfidence, kPositive };

struct CalibrationSummary {
  double ece = 0;
  double mce = 0;
};

// prob, label: [n]; count, mean_confidence, accuracy: [bins] (NaN means for empty bins).
// Throws INVALID_ARGUMENT for a probability outside [0, 1] or NaN, or a label other than 0/1.
CalibrationSummary calibration_bins(const float* prob, const uint8_t* label, int64_t n, int bins, CalibrationMode mode,
                                    double* count, double* mean_confidence, double* accuracy);

}  // namespace ms
