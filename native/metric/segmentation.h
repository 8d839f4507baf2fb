// Per-sample confusion counts of a binary segmentation, the basis of Dice, IoU, sensitivity and
// specificity. A float prediction is foreground when p >= threshold (MONAI's convention); a
// uint8 prediction when nonzero. A float target is foreground when g >= 0.5; a uint8 target when
// nonzero. Counts are integers, so the result does not depend on how the work is split.
#pragma once

#include <cstdint>

namespace ms {

struct ConfusionCounts {
  int64_t tp = 0, fp = 0, fn = 0, tn = 0;
};

// pred, target: [batch, size]; counts: [batch]. Throws INVALID_ARGUMENT on NaN in a float input.
template <typename P, typename T>
void confusion_counts(const P* pred, const T* target, int64_t batch, int64_t size, float threshold,
                      ConfusionCounts* counts);

}  // namespace ms
