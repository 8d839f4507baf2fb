#include "kernel_args.h"

#include <string>

#include "field/bias_field.h"
#include "filter/gaussian_blur.h"

namespace msb {

FloatPair float_pair(const Napi::CallbackInfo& info, Access out_access) {
  FloatPair p{typed_view<float>(info[0], "input"), typed_view<float>(info[1], "out", out_access)};
  require_length(info.Env(), p.out, p.in.length, "out");
  return p;
}

BlurArgs blur_args(const Napi::Object& o) {
  Napi::Env env = o.Env();
  BlurArgs b;
  b.truncate = number_field(o, "truncate");
  if (!(b.truncate > 0)) throw_invalid(env, "truncate must be > 0");
  const std::vector<double> s = number_array_field(o, "sigma");
  if (s.size() != 3) throw_invalid(env, "sigma must hold 3 numbers [sz, sy, sx]");
  for (size_t i = 0; i < 3; ++i) {
    if (!(s[i] >= 0)) throw_invalid(env, "sigma must hold numbers >= 0");
    if (b.truncate * s[i] + 0.5 > static_cast<double>(ms::kMaxGaussianRadius)) {
      throw_invalid(env, "sigma * truncate must be at most " + std::to_string(ms::kMaxGaussianRadius) + " voxels");
    }
    b.sigma[i] = s[i];
  }
  return b;
}

BiasArgs bias_args(const Napi::Object& o) {
  BiasArgs b{static_cast<int>(integer_field(o, "order", 0, ms::kMaxBiasOrder)), number_array_field(o, "coefficients")};
  if (static_cast<int64_t>(b.coefficients.size()) != ms::bias_field_term_count(b.order)) {
    throw_invalid(o.Env(), "coefficients must hold " + std::to_string(ms::bias_field_term_count(b.order)) +
                               " numbers for order " + std::to_string(b.order));
  }
  return b;
}

ms::NoiseKey noise_key(const Napi::Object& o) {
  ms::NoiseKey key;
  key.seed = seed_field(o, "seed");
  key.sample = static_cast<uint32_t>(integer_field_or(o, "sample", 0, 0xFFFFFFFFLL, 0));
  key.stream = static_cast<uint32_t>(integer_field_or(o, "stream", 0, 0xFFFFFFFFLL, 0));
  return key;
}

NoiseArgs noise_args(const Napi::Object& o, size_t voxels) {
  Napi::Env env = o.Env();
  NoiseArgs p;
  const std::string kind = string_field(o, "kind");
  p.key = noise_key(o);
  if (kind == "gaussian" || kind == "rician") {
    const double sigma = number_field(o, "sigma");
    if (!(sigma >= 0 && sigma <= 3.4e38)) throw_invalid(env, "sigma must be >= 0 and fit a float");
    p.kind = kind == "gaussian" ? ms::NoiseKind::kGaussian : ms::NoiseKind::kRician;
    p.sigma = static_cast<float>(sigma);
  } else if (kind == "poisson") {
    p.kind = ms::NoiseKind::kPoisson;
    p.scale = number_field(o, "scale");
    if (!(p.scale > 0)) throw_invalid(env, "scale must be > 0");
    if (static_cast<uint64_t>(voxels) > (uint64_t{1} << 32)) throw_invalid(env, "poisson noise covers at most 2^32 voxels");
  } else {
    throw_invalid(env, "kind must be 'gaussian', 'rician' or 'poisson'");
  }
  return p;
}

}  // namespace msb
