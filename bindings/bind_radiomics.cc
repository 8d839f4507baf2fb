// Radiomics sums (native/metric/radiomics.h):
//   radiomicsSums(images: Float32Array, masks: Uint8Array | null, out: Float64Array,
//                 {n, dims: [Z, Y, X], threshold, lo, hi, levels}) -> Promise<void>
#include <cmath>

#include "js_args.h"
#include "metric/radiomics.h"
#include "registry.h"

namespace msb {
namespace {

Napi::Value radiomics_sums(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> images = typed_view<float>(info[0], "images");
  const bool has_mask = !info[1].IsNull() && !info[1].IsUndefined();
  const View<uint8_t> masks = has_mask ? typed_view<uint8_t>(info[1], "masks") : View<uint8_t>{};
  const View<double> out = typed_view<double>(info[2], "out");
  const Napi::Object o = object_arg(info, 3, "params");
  const int64_t n = integer_field(o, "n", 0, 1LL << 40);
  const Dims3 d = dims_field(o, "dims");
  const int levels = static_cast<int>(integer_field(o, "levels", 2, 256));
  const double threshold = number_field(o, "threshold"), lo = number_field(o, "lo"), hi = number_field(o, "hi");
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo)) throw_invalid(env, "lo and hi must be finite with lo < hi");
  if (std::isnan(threshold)) throw_invalid(env, "threshold must be a number");
  const size_t voxels = static_cast<size_t>(n * d.count());
  require_length(env, images, voxels, "images");
  if (has_mask) require_length(env, masks, voxels, "masks");
  require_length(env, out, static_cast<size_t>(n * (ms::kRadiomicsHeader + levels * levels)), "out");
  const float t = static_cast<float>(threshold);
  return queue_task(env, [=] {
    ms::radiomics_sums(images.data, has_mask ? masks.data : nullptr, n, d.z, d.y, d.x, t, lo, hi, levels, out.data);
  }, {info[0], info[2], has_mask ? info[1] : info[0]});
}

}  // namespace

void register_radiomics(Napi::Env env, Napi::Object exports) {
  exports.Set("radiomicsSums", Napi::Function::New(env, radiomics_sums));
}

}  // namespace msb
