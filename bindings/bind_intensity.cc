// Intensity steps: windowLevel, affine, clamp, castU8, castI16. Signature of each:
// (input: Float32Array, out: <typed array of the same length>, params) -> Promise<void>.
#include "js_args.h"
#include "registry.h"
#include "volume/intensity.h"

namespace msb {
namespace {

struct FloatPair {
  View<float> in;
  View<float> out;
};

FloatPair float_pair(const Napi::CallbackInfo& info) {
  FloatPair p{typed_view<float>(info[0], "input"), typed_view<float>(info[1], "out", Access::kWrite)};
  require_length(info.Env(), p.out, p.in.length, "out");
  return p;
}

Napi::Value window_level(const Napi::CallbackInfo& info) {
  const FloatPair p = float_pair(info);
  Napi::Object o = object_arg(info, 2, "params");
  const float center = static_cast<float>(number_field(o, "center"));
  const float width = static_cast<float>(number_field(o, "width"));
  const float out_min = static_cast<float>(number_field(o, "outMin"));
  const float out_max = static_cast<float>(number_field(o, "outMax"));
  if (!(width > 0)) throw_invalid(info.Env(), "width must be > 0");
  return queue_task(info.Env(), [=] {
    ms::window_level(p.in.data, p.out.data, static_cast<int64_t>(p.in.length), center, width, out_min, out_max);
  }, {info[0], info[1]});
}

Napi::Value affine(const Napi::CallbackInfo& info) {
  const FloatPair p = float_pair(info);
  Napi::Object o = object_arg(info, 2, "params");
  const float scale = static_cast<float>(number_field(o, "scale"));
  const float offset = static_cast<float>(number_field(o, "offset"));
  return queue_task(info.Env(), [=] {
    ms::affine(p.in.data, p.out.data, static_cast<int64_t>(p.in.length), scale, offset);
  }, {info[0], info[1]});
}

Napi::Value clamp(const Napi::CallbackInfo& info) {
  const FloatPair p = float_pair(info);
  Napi::Object o = object_arg(info, 2, "params");
  const float lo = static_cast<float>(number_field(o, "lo"));
  const float hi = static_cast<float>(number_field(o, "hi"));
  if (!(lo <= hi)) throw_invalid(info.Env(), "lo must be <= hi");
  return queue_task(info.Env(), [=] {
    ms::clamp(p.in.data, p.out.data, static_cast<int64_t>(p.in.length), lo, hi);
  }, {info[0], info[1]});
}

template <typename T, void (*Cast)(const float*, T*, int64_t, float, float)>
Napi::Value cast(const Napi::CallbackInfo& info) {
  const View<float> in = typed_view<float>(info[0], "input");
  const View<T> out = typed_view<T>(info[1], "out", Access::kWrite);
  require_length(info.Env(), out, in.length, "out");
  Napi::Object o = object_arg(info, 2, "params");
  const float scale = static_cast<float>(number_field(o, "scale"));
  const float offset = static_cast<float>(number_field(o, "offset"));
  return queue_task(info.Env(), [=] {
    Cast(in.data, out.data, static_cast<int64_t>(in.length), scale, offset);
  }, {info[0], info[1]});
}

}  // namespace

void register_intensity(Napi::Env env, Napi::Object exports) {
  exports.Set("windowLevel", Napi::Function::New(env, window_level));
  exports.Set("affine", Napi::Function::New(env, affine));
  exports.Set("clamp", Napi::Function::New(env, clamp));
  exports.Set("castU8", Napi::Function::New(env, cast<uint8_t, ms::cast_u8>));
  exports.Set("castI16", Napi::Function::New(env, cast<int16_t, ms::cast_i16>));
}

}  // namespace msb
