// mcPixelSummary(passes: Float32Array [T·n], mean, variance, entropy, mutualInformation:
//                Float32Array [n], {passes: T, size: n}) -> Promise<void>
// See native/metric/mc_summary.h.
#include "js_args.h"
#include "metric/mc_summary.h"
#include "registry.h"

namespace msb {
namespace {

constexpr int64_t kMaxElements = (int64_t{1} << 31) - 1;

Napi::Value mc_pixel_summary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = object_arg(info, 5, "params");
  const int64_t T = integer_field(o, "passes", 1, 1 << 20);
  const int64_t n = integer_field(o, "size", 1, kMaxElements);
  if (T * n > kMaxElements) throw_invalid(env, "passes × size describes too many elements");
  const View<float> passes = typed_view<float>(info[0], "passes");
  require_length(env, passes, static_cast<size_t>(T * n), "passes");
  const char* names[4] = {"mean", "variance", "entropy", "mutualInformation"};
  View<float> out[4];
  for (int k = 0; k < 4; ++k) {
    out[k] = typed_view<float>(info[1 + k], names[k]);
    require_length(env, out[k], static_cast<size_t>(n), names[k]);
  }
  return queue_task(env, [=] {
    ms::mc_pixel_summary(passes.data, T, n, out[0].data, out[1].data, out[2].data, out[3].data);
  }, {info[0], info[1], info[2], info[3], info[4]});
}

}  // namespace

void register_mc_summary(Napi::Env env, Napi::Object exports) {
  exports.Set("mcPixelSummary", Napi::Function::New(env, mc_pixel_summary));
}

}  // namespace msb
