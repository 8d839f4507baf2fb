// Marks functions that compile for both the CPU build and the CUDA twins.
#pragma once

#if defined(__CUDACC__)
#define MS_HOSTDEV __host__ __device__ __forceinline__
#else
#define MS_HOSTDEV inline
#endif
