// CUDA: the device facts and memory controls of cuda/device.h (the kernels' CUDA twins are reached
// through each domain binding's `device` field, device_task.h).
//   cudaInfo() -> {compiled, available, reason?, deviceCount, device?, runtimeVersion, driverVersion}
//   setCudaMemoryLimit({bytes}), cudaMemoryUsage() -> {inUse, limit}, releaseCudaMemory()
//   cudaCopyBandwidth({bytes, repeats}) -> Promise<GB/s>
#include <memory>
#include <string>

#include "cuda/device.h"
#include "js_args.h"
#include "registry.h"

namespace msb {
namespace {

namespace mc = ms::cuda;

// ---- device facts ------------------------------------------------------------------------------

Napi::Value cuda_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const mc::CudaInfo c = mc::cuda_info();
  Napi::Object o = Napi::Object::New(env);
  o.Set("compiled", c.compiled);
  o.Set("available", c.available);
  if (!c.available) o.Set("reason", c.reason);
  o.Set("deviceCount", c.device_count);
  o.Set("runtimeVersion", c.runtime_version);
  o.Set("driverVersion", c.driver_version);
  if (c.device >= 0 && !c.name.empty()) {
    Napi::Object d = Napi::Object::New(env);
    d.Set("index", c.device);
    d.Set("name", c.name);
    d.Set("computeCapability", std::to_string(c.cc_major) + "." + std::to_string(c.cc_minor));
    d.Set("multiprocessors", c.multiprocessors);
    d.Set("totalMemory", static_cast<double>(c.total_memory));
    d.Set("freeMemory", static_cast<double>(c.free_memory));
    o.Set("device", d);
  }
  return o;
}

Napi::Value set_memory_limit(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 0, "options");
  mc::set_memory_limit(static_cast<uint64_t>(integer_field(o, "bytes", 0, 9007199254740991LL)));
  return info.Env().Undefined();
}

Napi::Value memory_usage(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("inUse", static_cast<double>(mc::memory_in_use()));
  o.Set("limit", static_cast<double>(mc::memory_limit()));
  return o;
}

Napi::Value release_memory(const Napi::CallbackInfo& info) {
  mc::release_cached_memory();
  return info.Env().Undefined();
}

Napi::Value copy_bandwidth(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 0, "options");
  const auto bytes = static_cast<uint64_t>(integer_field(o, "bytes", 1, int64_t{1} << 40));
  const auto repeats = static_cast<int>(integer_field(o, "repeats", 1, 1000));
  auto result = std::make_shared<double>(0.0);
  return queue_task(info.Env(), [=] { *result = mc::measure_copy_bandwidth(bytes, repeats); }, {},
                    [result](Napi::Env env) { return Napi::Number::New(env, *result); });
}

}  // namespace

void register_cuda(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaInfo", Napi::Function::New(env, cuda_info));
  exports.Set("setCudaMemoryLimit", Napi::Function::New(env, set_memory_limit));
  exports.Set("cudaMemoryUsage", Napi::Function::New(env, memory_usage));
  exports.Set("releaseCudaMemory", Napi::Function::New(env, release_memory));
  exports.Set("cudaCopyBandwidth", Napi::Function::New(env, copy_bandwidth));
}

}  // namespace msb
