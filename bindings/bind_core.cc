// Core: thread pool size, SIMD level, build facts, Philox words.
#include "core/philox_fill.h"
#include "core/simd.h"
#include "core/thread_pool.h"
#include "js_args.h"
#include "registry.h"

namespace msb {
namespace {

Napi::Value thread_count(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ms::thread_count());
}

Napi::Value set_thread_count(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 0, "options");
  ms::set_thread_count(static_cast<int>(integer_field(o, "threads", 1, 1024)));
  return info.Env().Undefined();
}

Napi::Value default_thread_count(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ms::default_thread_count());
}

Napi::Value build_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("simd", Napi::String::New(env, ms::simd_level()));
#if defined(MEDSYNTH_WITH_CUDA)
  o.Set("cudaCompiled", Napi::Boolean::New(env, true));
#else
  o.Set("cudaCompiled", Napi::Boolean::New(env, false));
#endif
  o.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return o;
}

// philoxFillU32({seed, sample, stream, counter}, out: Uint32Array) — synchronous; tests and
// small draws only.
Napi::Value philox_fill_u32(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 0, "options");
  const uint64_t seed = seed_field(o, "seed");
  const auto sample = static_cast<uint32_t>(integer_field(o, "sample", 0, 0xFFFFFFFFLL));
  const auto stream = static_cast<uint32_t>(integer_field(o, "stream", 0, 0xFFFFFFFFLL));
  const auto counter = static_cast<uint64_t>(integer_field(o, "counter", 0, 9007199254740991LL));
  View<uint32_t> out = typed_view<uint32_t>(info[1], "out", Access::kWrite);
  if (out.length % 4 != 0) throw_invalid(info.Env(), "out length must be a multiple of 4");
  ms::philox_fill_u32(seed, sample, stream, counter, out.data, static_cast<int64_t>(out.length));
  return info.Env().Undefined();
}

}  // namespace

void register_core(Napi::Env env, Napi::Object exports) {
  exports.Set("threadCount", Napi::Function::New(env, thread_count));
  exports.Set("setThreadCount", Napi::Function::New(env, set_thread_count));
  exports.Set("defaultThreadCount", Napi::Function::New(env, default_thread_count));
  exports.Set("buildInfo", Napi::Function::New(env, build_info));
  exports.Set("philoxFillU32", Napi::Function::New(env, philox_fill_u32));
}

}  // namespace msb
