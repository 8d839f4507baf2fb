// The engine's batch-norm, pooling, up-sampling and dropout kernels, as SYNCHRONOUS functions
// (see nn_args.h). Shapes travel as numbers or an Int32Array pool geometry; every buffer length
// is checked against them.
//
//   nnBatchNormTrain(x, weight|null, bias|null, runningMean|null, runningVar|null, y, saveMean,
//                    saveInvstd, n, c, s, eps, momentum)
//   nnBatchNormEval(x, weight|null, bias|null, runningMean, runningVar, y, n, c, s, eps)
//   nnBatchNormBackward(x, g, weight|null, mean, invstd, gx|null, gw|null, gb|null, n, c, s, training)
//   geometry: Int32Array [dims, planes, in[dims], out[dims], kernel[dims], stride[dims], padding[dims]]
//   nnMaxPoolForward(x, y, argmax: Int32Array, geometry)
//   nnMaxPoolScatter(gy, argmax, gx, geometry);  nnMaxPoolGather(x, argmax, y, geometry)
//   nnAvgPoolForward(x, y, geometry);  nnAvgPoolBackward(gy, gx, geometry)
//   nnUpsampleNearestForward(x, y, geometry);  nnUpsampleNearestBackward(gy, gx, geometry)
//       (geometry's kernel is the scale; out = in · scale; stride 1, padding 0)
//   nnDropoutMask(mask, seed, step, layer, p)
//   nnApplyMask(x, mask, y, groups, inner)
#include <string>

#include "js_args.h"
#include "nn/batch_norm.h"
#include "nn/dropout.h"
#include "nn/pool.h"
#include "nn_args.h"
#include "registry.h"

namespace msb {
namespace {

using namespace nn_args;

ms::nn::BatchNormShape bn_shape(const Napi::CallbackInfo& info, size_t index) {
  ms::nn::BatchNormShape sh;
  sh.n = integer_arg(info, index, "n", 1, kMaxElements);
  sh.c = integer_arg(info, index + 1, "c", 1, kMaxElements);
  sh.s = integer_arg(info, index + 2, "s", 1, kMaxElements);
  checked_product(info.Env(), {sh.n, sh.c, sh.s}, "batch norm input");
  return sh;
}

Napi::Value batch_norm_train(const Napi::CallbackInfo& info) {
  const auto sh = bn_shape(info, 8);
  const int64_t count = sh.n * sh.c * sh.s;
  const float* x = floats(info, 0, "x", count);
  const float* w = optional_floats(info, 1, "weight", sh.c);
  const float* b = optional_floats(info, 2, "bias", sh.c);
  float* rm = optional_floats(info, 3, "runningMean", sh.c);
  float* rv = optional_floats(info, 4, "runningVar", sh.c);
  float* y = floats(info, 5, "y", count);
  float* mean = floats(info, 6, "saveMean", sh.c);
  float* invstd = floats(info, 7, "saveInvstd", sh.c);
  const float eps = float_arg(info, 11, "eps"), momentum = float_arg(info, 12, "momentum");
  if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) throw_invalid(info.Env(), "eps must be > 0 and momentum in [0, 1]");
  run_kernel(info.Env(), [&] { ms::nn::batch_norm_forward_train(x, w, b, sh, eps, momentum, rm, rv, y, mean, invstd); });
  return info.Env().Undefined();
}

Napi::Value batch_norm_eval(const Napi::CallbackInfo& info) {
  const auto sh = bn_shape(info, 6);
  const int64_t count = sh.n * sh.c * sh.s;
  const float* x = floats(info, 0, "x", count);
  const float* w = optional_floats(info, 1, "weight", sh.c);
  const float* b = optional_floats(info, 2, "bias", sh.c);
  const float* rm = floats(info, 3, "runningMean", sh.c);
  const float* rv = floats(info, 4, "runningVar", sh.c);
  float* y = floats(info, 5, "y", count);
  const float eps = float_arg(info, 9, "eps");
  if (!(eps > 0)) throw_invalid(info.Env(), "eps must be > 0");
  run_kernel(info.Env(), [&] { ms::nn::batch_norm_forward_eval(x, w, b, rm, rv, sh, eps, y); });
  return info.Env().Undefined();
}

Napi::Value batch_norm_backward(const Napi::CallbackInfo& info) {
  const auto sh = bn_shape(info, 8);
  const int64_t count = sh.n * sh.c * sh.s;
  const float* x = floats(info, 0, "x", count);
  const float* g = floats(info, 1, "g", count);
  const float* w = optional_floats(info, 2, "weight", sh.c);
  const float* mean = floats(info, 3, "mean", sh.c);
  const float* invstd = floats(info, 4, "invstd", sh.c);
  float* gx = optional_floats(info, 5, "gx", count);
  float* gw = optional_floats(info, 6, "gw", sh.c);
  float* gb = optional_floats(info, 7, "gb", sh.c);
  if (!info[11].IsBoolean()) throw_invalid(info.Env(), "training must be a boolean");
  const bool training = info[11].As<Napi::Boolean>().Value();
  run_kernel(info.Env(), [&] { ms::nn::batch_norm_backward(x, g, w, mean, invstd, sh, training, gx, gw, gb); });
  return info.Env().Undefined();
}

ms::nn::PoolGeometry pool_geometry(const Napi::CallbackInfo& info, size_t index, bool upsample) {
  const View<int32_t> v = typed_view<int32_t>(info[index], "geometry");
  if (v.length < 2) throw_invalid(info.Env(), "geometry is too short");
  ms::nn::PoolGeometry g;
  g.dims = v.data[0];
  if (g.dims < 1 || g.dims > 3) throw_invalid(info.Env(), "geometry: dims must be 1, 2 or 3");
  if (v.length != static_cast<size_t>(2 + 5 * g.dims)) throw_invalid(info.Env(), "geometry has the wrong length");
  g.planes = v.data[1];
  const int offset = 3 - g.dims;  // spatial axes fill the last slots; unused leading axes stay 1
  for (int a = 0; a < g.dims; ++a) {
    g.in[offset + a] = v.data[2 + a];
    g.out[offset + a] = v.data[2 + g.dims + a];
    g.kernel[offset + a] = v.data[2 + 2 * g.dims + a];
    g.stride[offset + a] = v.data[2 + 3 * g.dims + a];
    g.padding[offset + a] = v.data[2 + 4 * g.dims + a];
  }
  if (g.planes < 1) throw_invalid(info.Env(), "geometry: planes must be >= 1");
  run_kernel(info.Env(), [&] {
    if (!upsample) return ms::nn::check_pool_geometry(g);
    for (int a = 0; a < 3; ++a) {
      ms::require(g.in[a] >= 1 && g.kernel[a] >= 1 && g.out[a] == g.in[a] * g.kernel[a], "upsample: out must be in · scale on every axis");
    }
  });
  checked_product(info.Env(), {g.planes, g.in_plane()}, "input");
  checked_product(info.Env(), {g.planes, g.out_plane()}, "output");
  return g;
}

Napi::Value max_pool_forward(const Napi::CallbackInfo& info) {
  const auto g = pool_geometry(info, 3, false);
  const float* x = floats(info, 0, "x", g.planes * g.in_plane());
  float* y = floats(info, 1, "y", g.planes * g.out_plane());
  int32_t* argmax = array_arg<int32_t>(info, 2, "argmax", g.planes * g.out_plane());
  run_kernel(info.Env(), [&] { ms::nn::max_pool_forward(x, g, y, argmax); });
  return info.Env().Undefined();
}

// Checks every index lies inside its plane: a bad index would write outside gx.
const int32_t* checked_argmax(const Napi::CallbackInfo& info, size_t index, const ms::nn::PoolGeometry& g) {
  const int32_t* argmax = array_arg<int32_t>(info, index, "argmax", g.planes * g.out_plane());
  for (int64_t i = 0; i < g.planes * g.out_plane(); ++i) {
    if (argmax[i] < 0 || argmax[i] >= g.in_plane()) throw_invalid(info.Env(), "argmax holds an index outside its plane");
  }
  return argmax;
}

Napi::Value max_pool_scatter(const Napi::CallbackInfo& info) {
  const auto g = pool_geometry(info, 3, false);
  const float* gy = floats(info, 0, "gy", g.planes * g.out_plane());
  const int32_t* argmax = checked_argmax(info, 1, g);
  float* gx = floats(info, 2, "gx", g.planes * g.in_plane());
  run_kernel(info.Env(), [&] { ms::nn::max_pool_scatter(gy, argmax, g, gx); });
  return info.Env().Undefined();
}

Napi::Value max_pool_gather(const Napi::CallbackInfo& info) {
  const auto g = pool_geometry(info, 3, false);
  const float* x = floats(info, 0, "x", g.planes * g.in_plane());
  const int32_t* argmax = checked_argmax(info, 1, g);
  float* y = floats(info, 2, "y", g.planes * g.out_plane());
  run_kernel(info.Env(), [&] { ms::nn::max_pool_gather(x, argmax, g, y); });
  return info.Env().Undefined();
}

// (in, out, geometry) kernels: avg pool forward/backward, nearest up-sampling forward/backward.
template <void (*Kernel)(const float*, const ms::nn::PoolGeometry&, float*), bool kUpsample, bool kFromOut>
Napi::Value plane_kernel(const Napi::CallbackInfo& info) {
  const auto g = pool_geometry(info, 2, kUpsample);
  const int64_t in_count = g.planes * g.in_plane(), out_count = g.planes * g.out_plane();
  const float* src = floats(info, 0, kFromOut ? "gy" : "x", kFromOut ? out_count : in_count);
  float* dst = floats(info, 1, kFromOut ? "gx" : "y", kFromOut ? in_count : out_count);
  run_kernel(info.Env(), [&] { Kernel(src, g, dst); });
  return info.Env().Undefined();
}

Napi::Value dropout_mask(const Napi::CallbackInfo& info) {
  View<float> mask = typed_view<float>(info[0], "mask");
  const Napi::Object o = Napi::Object::New(info.Env());
  o.Set("seed", info[1]);
  const uint64_t seed = seed_field(o, "seed");
  const auto step = static_cast<uint32_t>(integer_arg(info, 2, "step", 0, 0xffffffffLL));
  const auto layer = static_cast<uint32_t>(integer_arg(info, 3, "layer", 0, 0xffffffffLL));
  const float p = float_arg(info, 4, "p");
  if (!(p >= 0 && p < 1)) throw_invalid(info.Env(), "p must be in [0, 1)");
  run_kernel(info.Env(), [&] { ms::nn::dropout_mask(seed, step, layer, p, static_cast<int64_t>(mask.length), mask.data); });
  return info.Env().Undefined();
}

Napi::Value apply_mask(const Napi::CallbackInfo& info) {
  const int64_t groups = integer_arg(info, 3, "groups", 0, kMaxElements);
  const int64_t inner = integer_arg(info, 4, "inner", 1, kMaxElements);
  const int64_t count = checked_product(info.Env(), {groups, inner}, "x");
  const float* x = floats(info, 0, "x", count);
  const float* mask = floats(info, 1, "mask", groups);
  float* y = floats(info, 2, "y", count);
  run_kernel(info.Env(), [&] { ms::nn::apply_mask(x, mask, groups, inner, y); });
  return info.Env().Undefined();
}

}  // namespace

void register_nn_layers(Napi::Env env, Napi::Object exports) {
  exports.Set("nnBatchNormTrain", Napi::Function::New(env, batch_norm_train));
  exports.Set("nnBatchNormEval", Napi::Function::New(env, batch_norm_eval));
  exports.Set("nnBatchNormBackward", Napi::Function::New(env, batch_norm_backward));
  exports.Set("nnMaxPoolForward", Napi::Function::New(env, max_pool_forward));
  exports.Set("nnMaxPoolScatter", Napi::Function::New(env, max_pool_scatter));
  exports.Set("nnMaxPoolGather", Napi::Function::New(env, max_pool_gather));
  exports.Set("nnAvgPoolForward", Napi::Function::New(env, plane_kernel<ms::nn::avg_pool_forward, false, false>));
  exports.Set("nnAvgPoolBackward", Napi::Function::New(env, plane_kernel<ms::nn::avg_pool_backward, false, true>));
  exports.Set("nnUpsampleNearestForward", Napi::Function::New(env, plane_kernel<ms::nn::upsample_nearest_forward, true, false>));
  exports.Set("nnUpsampleNearestBackward", Napi::Function::New(env, plane_kernel<ms::nn::upsample_nearest_backward, true, true>));
  exports.Set("nnDropoutMask", Napi::Function::New(env, dropout_mask));
  exports.Set("nnApplyMask", Napi::Function::New(env, apply_mask));
}

}  // namespace msb
