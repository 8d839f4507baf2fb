// The x86 intrinsics the warps' row samplers use (trilinear_rows.cc, nearest_rows.cc): defines
// MS_HAVE_WARP_X86 where they are available (x86-64 with GCC-style target attributes; the vector
// paths are chosen at run time, see warp_isa()).
#pragma once

#if defined(__x86_64__) && defined(__GNUC__)
#define MS_HAVE_WARP_X86 1
#include <immintrin.h>
// GCC 12 warns inside its own AVX-512 headers (_mm512_undefined_pd() is a self-initialised variable).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define MS_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx2")))
#define MS_AVX2 __attribute__((target("avx2")))
#endif
