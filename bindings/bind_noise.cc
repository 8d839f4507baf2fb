// Noise: addNoise(input, out, {kind, sigma?, scale?, seed, sample, stream, device?, rejectNonFinite?}) -> Promise
// (kind 'gaussian' | 'rician' need sigma, 'poisson' needs scale);
// normalNoise(out, {seed, sample, stream, device?}) -> Promise (device_task.h).
#include <cstdint>

#include "cuda/device.h"
#include "device_task.h"
#include "kernel_args.h"
#include "noise/noise.h"
#include "registry.h"
#include "volume/finite_check.h"

namespace msb {
namespace {

Napi::Value add_noise(const Napi::CallbackInfo& info) {
  const FloatPair io = float_pair(info, Access::kWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const Device device = device_field(o);
  const NoiseArgs p = noise_args(o, io.in.length);
  const auto n = static_cast<int64_t>(io.in.length);
  const bool finite_only = bool_field_or(o, "rejectNonFinite", false);
  const auto check = [=] {
    if (finite_only) ms::require_finite(io.in.data, n, "input");
  };
  if (p.kind == ms::NoiseKind::kPoisson) {
    auto poisson = on_device(device, ms::poisson_noise, ms::cuda::poisson_noise);
    return queue_on(info.Env(), device, [=] { check(); poisson(io.in.data, io.out.data, n, p.scale, p.key); }, {info[0], info[1]});
  }
  auto add = p.kind == ms::NoiseKind::kGaussian ? on_device(device, ms::gaussian_noise, ms::cuda::gaussian_noise)
                                                : on_device(device, ms::rician_noise, ms::cuda::rician_noise);
  return queue_on(info.Env(), device, [=] { check(); add(io.in.data, io.out.data, n, p.sigma, p.key); }, {info[0], info[1]});
}

Napi::Value normal_noise(const Napi::CallbackInfo& info) {
  const View<float> out = typed_view<float>(info[0], "out", Access::kWrite);
  Napi::Object o = object_arg(info, 1, "params");
  const Device device = device_field(o);
  const ms::NoiseKey key = noise_key(o);
  auto normal = on_device(device, ms::normal_noise, ms::cuda::normal_noise);
  return queue_on(info.Env(), device, [=] { normal(key, out.data, static_cast<int64_t>(out.length)); }, {info[0]});
}

}  // namespace

void register_noise(Napi::Env env, Napi::Object exports) {
  exports.Set("addNoise", Napi::Function::New(env, add_noise));
  exports.Set("normalNoise", Napi::Function::New(env, normal_noise));
}

}  // namespace msb
