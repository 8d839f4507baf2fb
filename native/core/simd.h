// Runtime SIMD dispatch. A hot loop lives in a plain function marked MS_SIMD_CLONES; GCC builds
// an AVX-512, an AVX2 and a baseline x86-64 copy and picks one when the addon loads, so one
// binary runs on any x86-64 and is fast on new ones. Lambdas are not cloned: keep the loop in a
// named function and call it from the lambda. Helpers it calls must be MS_ALWAYS_INLINE so they
// are compiled for the clone's ISA.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define MS_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MS_SIMD_CLONES
#endif

#if defined(__GNUC__)
#define MS_ALWAYS_INLINE inline __attribute__((always_inline))
#define MS_RESTRICT __restrict__
#else
#define MS_ALWAYS_INLINE inline
#define MS_RESTRICT
#endif

namespace ms {

// The widest instruction set the cloned loops use on this CPU: "avx512", "avx2" or "baseline".
const char* simd_level();

}  // namespace ms
