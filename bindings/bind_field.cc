// Fields: biasField(input: Float32Array | null, out: Float32Array, {dims, order, coefficients, device?})
// -> Promise (device_task.h); a null input writes the field itself.
#include "cuda/device.h"
#include "device_task.h"
#include "field/bias_field.h"
#include "kernel_args.h"
#include "registry.h"

namespace msb {
namespace {

Napi::Value bias_field(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool field_only = info[0].IsNull() || info[0].IsUndefined();
  const View<float> in = field_only ? View<float>{} : typed_view<float>(info[0], "input");
  const View<float> out = typed_view<float>(info[1], "out");
  Napi::Object o = object_arg(info, 2, "params");
  const Device device = device_field(o);
  const Dims3 dims = dims_field(o, "dims");
  const BiasArgs b = bias_args(o);
  const auto count = static_cast<size_t>(dims.count());
  require_length(env, out, count, "out");
  if (!field_only) require_length(env, in, count, "input");
  auto field = on_device(device, ms::bias_field, ms::cuda::bias_field);
  auto task = [=] {
    field(field_only ? nullptr : in.data, out.data, dims.z, dims.y, dims.x, b.order, b.coefficients.data(),
          static_cast<int64_t>(b.coefficients.size()));
  };
  // Only objects can be kept alive (a reference to null is an error).
  return field_only ? queue_on(env, device, task, {info[1]}) : queue_on(env, device, task, {info[0], info[1]});
}

}  // namespace

void register_field(Napi::Env env, Napi::Object exports) {
  exports.Set("biasField", Napi::Function::New(env, bias_field));
}

}  // namespace msb
