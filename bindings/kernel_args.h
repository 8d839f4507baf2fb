// The kernels' parameter objects, read once for every binding that takes them (the single
// kernels and the whole volume sample): each reader checks what the kernel must not be handed
// and throws INVALID_ARGUMENT naming the field.
#pragma once

#include <napi.h>

#include <array>
#include <cstdint>
#include <vector>

#include "js_args.h"
#include "render/volume_sample.h"

namespace msb {

// {sigma: [sz, sy, sx] voxels, truncate}: sigma >= 0 with a radius of at most kMaxGaussianRadius.
struct BlurArgs {
  std::array<double, 3> sigma{};
  double truncate = 4;
};
BlurArgs blur_args(const Napi::Object& o);

// {order, coefficients}: bias_field_term_count(order) coefficients.
struct BiasArgs {
  int order = 0;
  std::vector<double> coefficients;
};
BiasArgs bias_args(const Napi::Object& o);

// {seed, sample?, stream?}
ms::NoiseKey noise_key(const Napi::Object& o);

// {kind, sigma | scale, seed, sample?, stream?} for `voxels` voxels.
struct NoiseArgs {
  ms::NoiseKind kind = ms::NoiseKind::kNone;
  float sigma = 0;
  double scale = 1;
  ms::NoiseKey key;
};
NoiseArgs noise_args(const Napi::Object& o, size_t voxels);

// (input: Float32Array, out: Float32Array of the same length) at info[0], info[1]; `out_access`
// says whether the kernel overwrites all of out (kWrite) or may leave some of it (kReadWrite).
struct FloatPair {
  View<float> in;
  View<float> out;
};
FloatPair float_pair(const Napi::CallbackInfo& info, Access out_access);

// True when [a, a + na) and [b, b + nb) share memory without being the same array.
inline bool partly_overlaps(const float* a, size_t na, const float* b, size_t nb) {
  return a != b && a < b + nb && b < a + na;
}

// info[index] as a T array of `count` elements the kernel writes, or null when absent, undefined or null.
template <typename T>
T* optional_target(const Napi::CallbackInfo& info, size_t index, const char* name, size_t count) {
  if (info.Length() <= index || info[index].IsUndefined() || info[index].IsNull()) return nullptr;
  const View<T> v = typed_view<T>(info[index], name, Access::kReadWrite);
  require_length(info.Env(), v, count, name);
  return v.data;
}

}  // namespace msb
