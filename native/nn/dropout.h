// Dropout masks from Philox, keyed so a training run is reproducible on any thread count:
// element i of the mask of layer `layer` at step `step` is a pure function of
// (seed, step, layer, i). The plain reference a CUDA twin in cuda/nn/ will mirror.
#pragma once

#include <cstdint>

namespace ms::nn {

// mask[i] = 0 where uniform(i) < p (dropped), else 1 / (1 − p); p in [0, 1).
// uniform(i) = uniform_open01(word i % 4 of Philox counter i / 4) in stream (seed, step, layer).
// For channel dropout, i runs over (N, C) and the caller broadcasts over the spatial axes.
void dropout_mask(uint64_t seed, uint32_t step, uint32_t layer, float p, int64_t count, float* mask);

// y = x · mask, where mask has one value per group of `inner` consecutive elements
// (inner = 1: element dropout; inner = spatial size: channel dropout). x, y: (groups·inner).
void apply_mask(const float* x, const float* mask, int64_t groups, int64_t inner, float* y);

}  // namespace ms::nn
