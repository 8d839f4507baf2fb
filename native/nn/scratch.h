// Per-thread workspace for the nn kernels: one growable, 64-byte aligned float buffer per slot
// and thread, kept for the thread's life, so a training loop that calls the same shapes every
// step allocates (and page-faults) only in its first step.
#pragma once

#include <cstdint>

namespace ms {

enum class ScratchSlot { gemm_a, gemm_b, conv_columns, conv_weights, conv_padded, conv_grid, conv_phases,
                         conv_phase_weights, count };

// At least `count` floats, contents unspecified; valid until the same thread asks for the same
// slot again.
float* scratch_floats(ScratchSlot slot, int64_t count);

}  // namespace ms
