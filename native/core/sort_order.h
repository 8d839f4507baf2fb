// Stable ascending sort permutation of float keys, shared by the C-index, Spearman correlation
// and Cox loss kernels. order[k] is the index of the k-th smallest key; equal keys keep index
// order; −0 and +0 are equal. LSD radix sort on order-preserving integer images of the keys
// (8-bit digits: 256 buckets keep the scatter writes cache-friendly; passes where every key
// has the same digit are skipped), std::stable_sort for short inputs — both give the same
// permutation. Keys must not be NaN (callers validate).
#pragma once

#include <cstdint>

namespace ms {

// When `sorted` is not null it receives, in sorted order, order-preserving integer images of
// the keys: sorted[k] == sorted[k + 1] exactly when the two keys are equal, so callers find
// runs of ties by a sequential scan instead of gathering keys[order[k]].
void sort_order(const double* keys, int64_t n, uint32_t* order, uint64_t* sorted = nullptr);
void sort_order(const float* keys, int64_t n, uint32_t* order, uint64_t* sorted = nullptr);

}  // namespace ms
