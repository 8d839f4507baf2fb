// Clinical 2D renderer: renderClinical2d(out: Float32Array, params: Float64Array, options) ->
// Promise<void>, options = {height, width, seed, textureStream, noiseStream, textureSigma,
// textureEdge, lesionEdge, noiseSigma}; params holds (n, stride) rows (field/clinical2d.h).
// clinical2dStride() -> number gives the row length.
#include <cstdint>

#include "field/clinical2d.h"
#include "js_args.h"
#include "registry.h"

namespace msb {
namespace {

Napi::Value render_clinical2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> out = typed_view<float>(info[0], "out", Access::kReadWrite);
  const View<double> params = typed_view<double>(info[1], "params");
  Napi::Object o = object_arg(info, 2, "options");
  ms::Clinical2dOptions opt;
  opt.height = integer_field(o, "height", 1, 1 << 16);
  opt.width = integer_field(o, "width", 1, 1 << 16);
  opt.seed = seed_field(o, "seed");
  opt.texture_stream = static_cast<uint32_t>(integer_field(o, "textureStream", 0, 0xFFFFFFFFLL));
  opt.noise_stream = static_cast<uint32_t>(integer_field(o, "noiseStream", 0, 0xFFFFFFFFLL));
  opt.texture_sigma = number_field(o, "textureSigma");
  opt.texture_edge = number_field(o, "textureEdge");
  opt.lesion_edge = number_field(o, "lesionEdge");
  opt.noise_sigma = number_field(o, "noiseSigma");
  if (!(opt.texture_sigma > 0 && opt.texture_sigma <= 1000)) throw_invalid(env, "textureSigma must be in (0, 1000]");
  if (!(opt.texture_edge > 0)) throw_invalid(env, "textureEdge must be > 0");
  if (!(opt.lesion_edge > 0)) throw_invalid(env, "lesionEdge must be > 0");
  if (!(opt.noise_sigma >= 0 && opt.noise_sigma <= 3.4e38)) throw_invalid(env, "noiseSigma must be >= 0 and fit a float");
  if (params.length % ms::kClinical2dStride != 0) {
    throw_invalid(env, "params must hold rows of " + std::to_string(ms::kClinical2dStride) + " numbers");
  }
  const auto n = static_cast<int64_t>(params.length / ms::kClinical2dStride);
  require_length(env, out, static_cast<size_t>(n * opt.height * opt.width), "out");
  return queue_task(env, [=] { ms::render_clinical2d(opt, params.data, n, out.data); }, {info[0], info[1]});
}

}  // namespace

void register_clinical2d(Napi::Env env, Napi::Object exports) {
  exports.Set("renderClinical2d", Napi::Function::New(env, render_clinical2d));
  exports.Set("clinical2dStride", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), ms::kClinical2dStride);
  }));
}

}  // namespace msb
