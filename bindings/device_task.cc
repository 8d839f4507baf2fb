#include "device_task.h"

#include <memory>
#include <string>
#include <utility>

#include "cuda/device.h"
#include "js_args.h"

namespace msb {

Device device_field(const Napi::Object& o) {
  if (!o.Has("device") || o.Get("device").IsUndefined()) return Device::kCpu;
  const std::string d = string_field(o, "device");
  if (d == "cpu") return Device::kCpu;
  if (d == "cuda") return Device::kCuda;
  throw_invalid(o.Env(), "device must be 'cpu' or 'cuda'");
}

Napi::Value queue_on(Napi::Env env, Device d, NativeTask task, std::initializer_list<Napi::Value> keep_alive) {
  if (d == Device::kCpu) return queue_task(env, std::move(task), keep_alive);
  // The timing is the worker thread's: read it there, right after the call.
  auto timing = std::make_shared<ms::cuda::CallTiming>();
  return queue_task(
      env,
      [task = std::move(task), timing] {
        task();
        *timing = ms::cuda::last_call_timing();
      },
      keep_alive,
      [timing](Napi::Env e) {
        Napi::Object o = Napi::Object::New(e);
        o.Set("deviceMs", timing->device_ms);
        o.Set("uploadMs", timing->upload_ms);
        o.Set("downloadMs", timing->download_ms);
        o.Set("totalMs", timing->total_ms);
        return Napi::Value(o);
      });
}

}  // namespace msb
