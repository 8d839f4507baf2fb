// Per pixel of a probability map against its binary truth: the truth as a 0/1 label, the absolute
// error |p − label| that uncertainty is compared with, and the union of true and predicted
// foreground (the seed of a tumour neighbourhood). A float truth is foreground when >= 0.5, a
// uint8 truth when nonzero (as confusion_counts reads it); a pixel is predicted foreground when
// p >= threshold. Pointwise, so the result does not depend on how the work is split.
#pragma once

#include <cstdint>

namespace ms {

// prob, truth, label, error, either: [n]. error[i] = |prob[i] − label[i]| rounded to float, as a
// float32 subtraction gives it; either[i] = label[i] | (prob[i] >= threshold).
template <typename T>
void segmentation_error_map(const float* prob, const T* truth, int64_t n, float threshold, uint8_t* label,
                            float* error, uint8_t* either);

}  // namespace ms
