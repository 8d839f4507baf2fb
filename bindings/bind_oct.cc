// OCT layered-retina renderer: renderOctLayers(out: Float32Array, params: Float64Array, options)
// -> Promise<void>, options = {height, width, seed, speckleStream, noiseStream, reflectivity[10],
// fraction[7], pitWeight[7], edge, grainAxial, grainLateral, noiseSigma}; params holds
// (n, stride) rows (field/oct_layers.h). octStride() -> number gives the row length.
#include <cstdint>
#include <string>
#include <vector>

#include "field/oct_layers.h"
#include "js_args.h"
#include "registry.h"

namespace msb {
namespace {

template <size_t N>
void copy_fixed(Napi::Env env, const Napi::Object& o, const char* key, double (&dst)[N]) {
  const std::vector<double> v = number_array_field(o, key);
  if (v.size() != N) throw_invalid(env, std::string(key) + " must hold " + std::to_string(N) + " numbers");
  for (size_t k = 0; k < N; ++k) dst[k] = v[k];
}

Napi::Value render_oct_layers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> out = typed_view<float>(info[0], "out");
  const View<double> params = typed_view<double>(info[1], "params");
  Napi::Object o = object_arg(info, 2, "options");
  ms::OctOptions opt;
  opt.height = integer_field(o, "height", 1, 1 << 16);
  opt.width = integer_field(o, "width", 1, 1 << 16);
  opt.seed = seed_field(o, "seed");
  opt.speckle_stream = static_cast<uint32_t>(integer_field(o, "speckleStream", 0, 0xFFFFFFFFLL));
  opt.noise_stream = static_cast<uint32_t>(integer_field(o, "noiseStream", 0, 0xFFFFFFFFLL));
  copy_fixed(env, o, "reflectivity", opt.reflectivity);
  copy_fixed(env, o, "fraction", opt.fraction);
  copy_fixed(env, o, "pitWeight", opt.pit_weight);
  opt.edge = number_field(o, "edge");
  opt.grain_axial = number_field(o, "grainAxial");
  opt.grain_lateral = number_field(o, "grainLateral");
  opt.noise_sigma = number_field(o, "noiseSigma");
  if (!(opt.edge > 0)) throw_invalid(env, "edge must be > 0");
  if (!(opt.grain_axial >= 0 && opt.grain_lateral >= 0)) throw_invalid(env, "grainAxial and grainLateral must be >= 0");
  if (!(opt.noise_sigma >= 0 && opt.noise_sigma <= 3.4e38)) throw_invalid(env, "noiseSigma must be >= 0 and fit a float");
  if (params.length % ms::kOctStride != 0) {
    throw_invalid(env, "params must hold rows of " + std::to_string(ms::kOctStride) + " numbers");
  }
  const auto n = static_cast<int64_t>(params.length / ms::kOctStride);
  require_length(env, out, static_cast<size_t>(n * opt.height * opt.width), "out");
  return queue_task(env, [=] { ms::render_oct_layers(opt, params.data, n, out.data); }, {info[0], info[1]});
}

}  // namespace

void register_oct(Napi::Env env, Napi::Object exports) {
  exports.Set("renderOctLayers", Napi::Function::New(env, render_oct_layers));
  exports.Set("octStride", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), ms::kOctStride);
  }));
}

}  // namespace msb
