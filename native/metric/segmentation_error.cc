#include "metric/segmentation_error.h"

#include "core/simd.h"
#include "core/thread_pool.h"

namespace ms {
namespace {

constexpr int64_t kGrain = 1 << 16;

MS_ALWAYS_INLINE uint8_t is_foreground(float v) { return v >= 0.5f; }
MS_ALWAYS_INLINE uint8_t is_foreground(uint8_t v) { return v != 0; }

template <typename T>
MS_ALWAYS_INLINE void error_body(const float* MS_RESTRICT prob, const T* MS_RESTRICT truth, int64_t n,
                                 float threshold, uint8_t* MS_RESTRICT label, float* MS_RESTRICT error,
                                 uint8_t* MS_RESTRICT either) {
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t y = is_foreground(truth[i]);
    const float d = prob[i] - static_cast<float>(y);
    label[i] = y;
    error[i] = d < 0.0f ? -d : d;
    either[i] = y | static_cast<uint8_t>(prob[i] >= threshold);
  }
}

MS_SIMD_CLONES void error_f(const float* p, const float* t, int64_t n, float thr, uint8_t* l, float* e, uint8_t* u) {
  error_body(p, t, n, thr, l, e, u);
}
MS_SIMD_CLONES void error_u(const float* p, const uint8_t* t, int64_t n, float thr, uint8_t* l, float* e, uint8_t* u) {
  error_body(p, t, n, thr, l, e, u);
}

void error_range(const float* p, const float* t, int64_t n, float thr, uint8_t* l, float* e, uint8_t* u) {
  error_f(p, t, n, thr, l, e, u);
}
void error_range(const float* p, const uint8_t* t, int64_t n, float thr, uint8_t* l, float* e, uint8_t* u) {
  error_u(p, t, n, thr, l, e, u);
}

}  // namespace

template <typename T>
void segmentation_error_map(const float* prob, const T* truth, int64_t n, float threshold, uint8_t* label,
                            float* error, uint8_t* either) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    error_range(prob + b, truth + b, e - b, threshold, label + b, error + b, either + b);
  });
}

template void segmentation_error_map<float>(const float*, const float*, int64_t, float, uint8_t*, float*, uint8_t*);
template void segmentation_error_map<uint8_t>(const float*, const uint8_t*, int64_t, float, uint8_t*, float*, uint8_t*);

}  // namespace ms
