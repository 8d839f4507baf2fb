// Fields (native/field/): the bias field, the clinical2d and OCT-layer renderers.
//
// biasField(input: Float32Array | null, out: Float32Array, {dims, order, coefficients, device?,
// rejectNonFinite?}) -> Promise (device_task.h); a null input writes the field itself.
// renderClinical2d(out: Float32Array, params: Float64Array, options) ->
// Promise<void>, options = {height, width, seed, textureStream, noiseStream, textureSigma,
// textureEdge, lesionEdge, noiseSigma}; params holds (n, stride) rows (field/clinical2d.h).
// clinical2dStride() -> number gives the row length.
// renderOctLayers(out: Float32Array, params: Float64Array, options)
// -> Promise<void>, options = {height, width, seed, speckleStream, noiseStream, reflectivity[10],
// fraction[7], pitWeight[7], edge, grainAxial, grainLateral, noiseSigma}; params holds
// (n, stride) rows (field/oct_layers.h). octStride() -> number gives the row length.
#include <cstdint>
#include <string>
#include <vector>

#include "cuda/device.h"
#include "device_task.h"
#include "field/bias_field.h"
#include "field/clinical2d.h"
#include "field/oct_layers.h"
#include "js_args.h"
#include "kernel_args.h"
#include "registry.h"
#include "volume/finite_check.h"

namespace msb {
namespace {

Napi::Value bias_field(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool field_only = info[0].IsNull() || info[0].IsUndefined();
  const View<float> in = field_only ? View<float>{} : typed_view<float>(info[0], "input");
  const View<float> out = typed_view<float>(info[1], "out", Access::kWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const Device device = device_field(o);
  const Dims3 dims = dims_field(o, "dims");
  const BiasArgs b = bias_args(o);
  const auto count = static_cast<size_t>(dims.count());
  require_length(env, out, count, "out");
  if (!field_only) require_length(env, in, count, "input");
  const bool finite_only = !field_only && bool_field_or(o, "rejectNonFinite", false);
  auto field = on_device(device, ms::bias_field, ms::cuda::bias_field);
  auto task = [=] {
    if (finite_only) ms::require_finite(in.data, static_cast<int64_t>(count), "input");
    field(field_only ? nullptr : in.data, out.data, dims.z, dims.y, dims.x, b.order, b.coefficients.data(),
          static_cast<int64_t>(b.coefficients.size()));
  };
  // Only objects can be kept alive (a reference to null is an error).
  return field_only ? queue_on(env, device, task, {info[1]}) : queue_on(env, device, task, {info[0], info[1]});
}

// The arguments both row renderers take: (out: Float32Array [n, height, width],
// params: Float64Array [n, stride], options {height, width, seed, noiseSigma, ...}).
struct RowRender {
  View<float> out;
  View<double> params;
  Napi::Object options;
  int64_t height, width, n;
  uint64_t seed;
  double noise_sigma;
};

RowRender row_render_args(const Napi::CallbackInfo& info, int64_t stride) {
  Napi::Env env = info.Env();
  RowRender r{typed_view<float>(info[0], "out", Access::kReadWrite), typed_view<double>(info[1], "params"), object_arg(info, 2, "options"),
              0, 0, 0, 0, 0};
  r.height = integer_field(r.options, "height", 1, 1 << 16);
  r.width = integer_field(r.options, "width", 1, 1 << 16);
  r.seed = seed_field(r.options, "seed");
  r.noise_sigma = number_field(r.options, "noiseSigma");
  if (!(r.noise_sigma >= 0 && r.noise_sigma <= 3.4e38)) throw_invalid(env, "noiseSigma must be >= 0 and fit a float");
  if (r.params.length % static_cast<size_t>(stride) != 0) {
    throw_invalid(env, "params must hold rows of " + std::to_string(stride) + " numbers");
  }
  r.n = static_cast<int64_t>(r.params.length) / stride;
  require_length(env, r.out, static_cast<size_t>(r.n * r.height * r.width), "out");
  return r;
}

uint32_t stream_field(const Napi::Object& o, const char* key) {
  return static_cast<uint32_t>(integer_field(o, key, 0, 0xFFFFFFFFLL));
}

// A renderer's options with the shared fields filled in.
template <typename Options>
Options row_options(const RowRender& r) {
  Options opt;
  opt.height = r.height;
  opt.width = r.width;
  opt.seed = r.seed;
  opt.noise_sigma = r.noise_sigma;
  opt.noise_stream = stream_field(r.options, "noiseStream");
  return opt;
}

Napi::Value render_clinical2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const RowRender r = row_render_args(info, ms::kClinical2dStride);
  const Napi::Object& o = r.options;
  auto opt = row_options<ms::Clinical2dOptions>(r);
  opt.texture_stream = stream_field(o, "textureStream");
  opt.texture_sigma = number_field(o, "textureSigma");
  opt.texture_edge = number_field(o, "textureEdge");
  opt.lesion_edge = number_field(o, "lesionEdge");
  if (!(opt.texture_sigma > 0 && opt.texture_sigma <= 1000)) throw_invalid(env, "textureSigma must be in (0, 1000]");
  if (!(opt.texture_edge > 0)) throw_invalid(env, "textureEdge must be > 0");
  if (!(opt.lesion_edge > 0)) throw_invalid(env, "lesionEdge must be > 0");
  return queue_task(env, [=] { ms::render_clinical2d(opt, r.params.data, r.n, r.out.data); }, {info[0], info[1]});
}

template <size_t N>
void copy_fixed(Napi::Env env, const Napi::Object& o, const char* key, double (&dst)[N]) {
  const std::vector<double> v = number_array_field(o, key);
  if (v.size() != N) throw_invalid(env, std::string(key) + " must hold " + std::to_string(N) + " numbers");
  for (size_t k = 0; k < N; ++k) dst[k] = v[k];
}

Napi::Value render_oct_layers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const RowRender r = row_render_args(info, ms::kOctStride);
  const Napi::Object& o = r.options;
  auto opt = row_options<ms::OctOptions>(r);
  opt.speckle_stream = stream_field(o, "speckleStream");
  copy_fixed(env, o, "reflectivity", opt.reflectivity);
  copy_fixed(env, o, "fraction", opt.fraction);
  copy_fixed(env, o, "pitWeight", opt.pit_weight);
  opt.edge = number_field(o, "edge");
  opt.grain_axial = number_field(o, "grainAxial");
  opt.grain_lateral = number_field(o, "grainLateral");
  if (!(opt.edge > 0)) throw_invalid(env, "edge must be > 0");
  if (!(opt.grain_axial >= 0 && opt.grain_lateral >= 0)) throw_invalid(env, "grainAxial and grainLateral must be >= 0");
  return queue_task(env, [=] { ms::render_oct_layers(opt, r.params.data, r.n, r.out.data); }, {info[0], info[1]});
}

}  // namespace

void register_field(Napi::Env env, Napi::Object exports) {
  exports.Set("biasField", Napi::Function::New(env, bias_field));
  exports.Set("renderClinical2d", Napi::Function::New(env, render_clinical2d));
  exports.Set("clinical2dStride", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), ms::kClinical2dStride);
  }));
  exports.Set("renderOctLayers", Napi::Function::New(env, render_oct_layers));
  exports.Set("octStride", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), ms::kOctStride);
  }));
}

}  // namespace msb
