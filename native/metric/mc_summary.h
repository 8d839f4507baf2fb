// Monte Carlo dropout summary per pixel of T passes of tumour probabilities (Gal & Ghahramani
// 2016): the mean map, the variance across passes, the predictive entropy of the mean and the
// mutual information (BALD). Plain reference shape for a later CUDA twin in cuda/metric/.
//
//   passes: (T, n)   mean, variance, entropy, mutual_information: (n), assigned
//
//   mean     = (1/T) Σ_t p_t
//   variance = (1/T) Σ_t (p_t − mean)²                       (population, numpy's np.var)
//   entropy  = H(mean), H(p) = −p log₂ p − (1 − p) log₂(1 − p), H(0) = H(1) = 0   (bits)
//   mutual_information = max(0, H(mean) − (1/T) Σ_t H(p_t))
// Sums are float64 in pass order, per pixel, so results do not depend on the thread count.
// Throws INVALID_ARGUMENT when a value is outside [0, 1] or NaN (outputs are then unspecified).
#pragma once

#include <cstdint>

namespace ms {

void mc_pixel_summary(const float* passes, int64_t passes_count, int64_t n, float* mean, float* variance,
                      float* entropy, float* mutual_information);

}  // namespace ms
