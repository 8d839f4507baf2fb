// findNonFinite(values: Float32Array) -> Promise<{count, first}>: how many NaN/±Inf values the
// array holds and the index of the first (-1 when none).
#include <memory>

#include "js_args.h"
#include "registry.h"
#include "volume/finite_check.h"

namespace msb {
namespace {

Napi::Value find_non_finite(const Napi::CallbackInfo& info) {
  const View<float> x = typed_view<float>(info[0], "values");
  auto scan = std::make_shared<ms::NonFiniteScan>();
  return queue_task(
      info.Env(), [=] { *scan = ms::find_non_finite(x.data, static_cast<int64_t>(x.length)); }, {info[0]},
      [scan](Napi::Env env) {
        Napi::Object o = Napi::Object::New(env);
        o.Set("count", Napi::Number::New(env, static_cast<double>(scan->count)));
        o.Set("first", Napi::Number::New(env, static_cast<double>(scan->first)));
        return o;
      });
}

}  // namespace

void register_finite(Napi::Env env, Napi::Object exports) {
  exports.Set("findNonFinite", Napi::Function::New(env, find_non_finite));
}

}  // namespace msb
