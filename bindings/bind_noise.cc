// Noise: addNoise(input, out, {kind, sigma?, scale?, seed, sample, stream, rejectNonFinite?}) -> Promise<void>
// (kind 'gaussian' | 'rician' need sigma, 'poisson' needs scale);
// normalNoise(out, {seed, sample, stream}) -> Promise<void>.
#include <cstdint>
#include <string>

#include "js_args.h"
#include "noise/noise.h"
#include "registry.h"
#include "volume/finite_check.h"

namespace msb {
namespace {

ms::NoiseKey noise_key(const Napi::Object& o) {
  ms::NoiseKey key;
  key.seed = seed_field(o, "seed");
  key.sample = static_cast<uint32_t>(integer_field_or(o, "sample", 0, 0xFFFFFFFFLL, 0));
  key.stream = static_cast<uint32_t>(integer_field_or(o, "stream", 0, 0xFFFFFFFFLL, 0));
  return key;
}

Napi::Value add_noise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> in = typed_view<float>(info[0], "input");
  const View<float> out = typed_view<float>(info[1], "out", Access::kWrite);
  require_length(env, out, in.length, "out");
  Napi::Object o = object_arg(info, 2, "params");
  const std::string kind = string_field(o, "kind");
  const ms::NoiseKey key = noise_key(o);
  const auto n = static_cast<int64_t>(in.length);
  const bool finite_only = bool_field_or(o, "rejectNonFinite", false);
  const auto check = [=] {
    if (finite_only) ms::require_finite(in.data, n, "input");
  };
  if (kind == "gaussian" || kind == "rician") {
    const double sigma = number_field(o, "sigma");
    if (!(sigma >= 0 && sigma <= 3.4e38)) throw_invalid(env, "sigma must be >= 0 and fit a float");
    const auto s = static_cast<float>(sigma);
    if (kind == "gaussian") {
      return queue_task(env, [=] { check(); ms::gaussian_noise(in.data, out.data, n, s, key); }, {info[0], info[1]});
    }
    return queue_task(env, [=] { check(); ms::rician_noise(in.data, out.data, n, s, key); }, {info[0], info[1]});
  }
  if (kind == "poisson") {
    const double scale = number_field(o, "scale");
    if (!(scale > 0)) throw_invalid(env, "scale must be > 0");
    if (static_cast<uint64_t>(n) > (uint64_t{1} << 32)) throw_invalid(env, "poisson noise covers at most 2^32 voxels");
    return queue_task(env, [=] { check(); ms::poisson_noise(in.data, out.data, n, scale, key); }, {info[0], info[1]});
  }
  throw_invalid(env, "kind must be 'gaussian', 'rician' or 'poisson'");
}

Napi::Value normal_noise(const Napi::CallbackInfo& info) {
  const View<float> out = typed_view<float>(info[0], "out", Access::kWrite);
  const ms::NoiseKey key = noise_key(object_arg(info, 1, "params"));
  return queue_task(info.Env(), [=] { ms::normal_noise(key, out.data, static_cast<int64_t>(out.length)); },
                    {info[0]});
}

}  // namespace

void register_noise(Napi::Env env, Napi::Object exports) {
  exports.Set("addNoise", Napi::Function::New(env, add_noise));
  exports.Set("normalNoise", Napi::Function::New(env, normal_noise));
}

}  // namespace msb
