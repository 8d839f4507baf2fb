// Filters: gaussianBlur(input: Float32Array, out: Float32Array,
//   { dims: [Z, Y, X] | [Y, X], sigma: [sz, sy, sx] in voxels, truncate, rejectNonFinite? })
//   -> Promise<void>.
#include <array>

#include "filter/gaussian_blur.h"
#include "js_args.h"
#include "registry.h"
#include "volume/finite_check.h"

namespace msb {
namespace {

Napi::Value gaussian_blur(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> in = typed_view<float>(info[0], "input");
  const View<float> out = typed_view<float>(info[1], "out", Access::kReadWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const Dims3 dims = dims_field(o, "dims");
  require_length(env, in, static_cast<size_t>(dims.count()), "input");
  require_length(env, out, static_cast<size_t>(dims.count()), "out");
  const std::vector<double> s = number_array_field(o, "sigma");
  if (s.size() != 3) throw_invalid(env, "sigma must hold 3 numbers [sz, sy, sx]");
  const double truncate = number_field(o, "truncate");
  if (!(truncate > 0)) throw_invalid(env, "truncate must be > 0");
  std::array<double, 3> sigma{};
  for (size_t i = 0; i < 3; ++i) {
    if (!(s[i] >= 0)) throw_invalid(env, "sigma must hold numbers >= 0");
    if (truncate * s[i] + 0.5 > static_cast<double>(ms::kMaxGaussianRadius)) {
      throw_invalid(env, "sigma * truncate must be at most " + std::to_string(ms::kMaxGaussianRadius) + " voxels");
    }
    sigma[i] = s[i];
  }
  const bool finite_only = bool_field_or(o, "rejectNonFinite", false);
  const float* src = in.data;
  float* dst = out.data;
  const bool overlap = src != dst && src < dst + out.length && dst < src + in.length;
  if (overlap) throw_invalid(env, "out must be the input itself or not overlap it");
  return queue_task(env, [=] {
    if (finite_only) ms::require_finite(src, static_cast<int64_t>(in.length), "input");
    ms::gaussian_blur(src, dst, dims.z, dims.y, dims.x, sigma.data(), truncate);
  }, {info[0], info[1]});
}

}  // namespace

void register_filter(Napi::Env env, Napi::Object exports) {
  exports.Set("gaussianBlur", Napi::Function::New(env, gaussian_blur));
}

}  // namespace msb
