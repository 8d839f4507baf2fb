// Filters: gaussianBlur(input: Float32Array, out: Float32Array,
//   { dims: [Z, Y, X] | [Y, X], sigma: [sz, sy, sx] in voxels, truncate, device?, rejectNonFinite? })
// -> Promise (device_task.h: CPU or its CUDA twin).
// dilateSlicesSquare(seed: Uint8Array, out: Uint8Array, {dims: [S, H, W], radius}) -> Promise<void>
//   (filter/binary_dilation.h; out may be seed itself)
#include "cuda/device.h"
#include "device_task.h"
#include "filter/binary_dilation.h"
#include "filter/gaussian_blur.h"
#include "kernel_args.h"
#include "registry.h"
#include "volume/finite_check.h"

namespace msb {
namespace {

Napi::Value gaussian_blur(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const FloatPair io = float_pair(info, Access::kReadWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const Device device = device_field(o);
  const Dims3 dims = dims_field(o, "dims");
  require_length(env, io.in, static_cast<size_t>(dims.count()), "input");
  const BlurArgs b = blur_args(o);
  if (partly_overlaps(io.in.data, io.in.length, io.out.data, io.out.length)) {
    throw_invalid(env, "out must be the input itself or not overlap it");
  }
  const bool finite_only = bool_field_or(o, "rejectNonFinite", false);
  auto blur = on_device(device, ms::gaussian_blur, ms::cuda::gaussian_blur);
  return queue_on(env, device, [=] {
    if (finite_only) ms::require_finite(io.in.data, static_cast<int64_t>(io.in.length), "input");
    blur(io.in.data, io.out.data, dims.z, dims.y, dims.x, b.sigma.data(), b.truncate);
  }, {info[0], info[1]});
}

Napi::Value dilate_slices_square(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<uint8_t> seed = typed_view<uint8_t>(info[0], "seed");
  const View<uint8_t> out = typed_view<uint8_t>(info[1], "out", Access::kReadWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const Dims3 dims = dims_field(o, "dims");
  const int64_t radius = integer_field(o, "radius", 0, int64_t{1} << 40);
  require_length(env, seed, static_cast<size_t>(dims.count()), "seed");
  require_length(env, out, static_cast<size_t>(dims.count()), "out");
  return queue_task(env, [=] {
    ms::dilate_slices_square(seed.data, dims.z, dims.y, dims.x, radius, out.data);
  }, {info[0], info[1]});
}

}  // namespace

void register_filter(Napi::Env env, Napi::Object exports) {
  exports.Set("gaussianBlur", Napi::Function::New(env, gaussian_blur));
  exports.Set("dilateSlicesSquare", Napi::Function::New(env, dilate_slices_square));
}

}  // namespace msb
