// The engine's GEMM, convolution and linear kernels, as SYNCHRONOUS functions: training runs in
// a worker thread and calls ops one after another, so a Promise per op would cost more than
// small ops take. Buffers are Float32Arrays allocated by JS; lengths are checked against the
// shapes here.
//
//   nnGemm(a, b, c, dims: Int32Array [m, n, k, transA, transB], alpha, beta)
//       c (m×n) = alpha·op(a)·op(b) + beta·c, all contiguous row-major
//   nnGemmIsa() -> 'avx512' | 'avx2' | 'scalar';  nnSetGemmIsa(name) -> boolean (tests, bench)
//   nnConvForward(x, w, b | null, y, geometry)
//   nnConvBackwardInput(gy, w, b | null, gx, geometry)     (also ConvTranspose's forward)
//   nnConvBackwardWeight(x, gy, gw, geometry)
//       geometry: Int32Array [dims, batch, inChannels, outChannels, in[dims], out[dims],
//                             kernel[dims], stride[dims], padding[dims], dilation[dims]]
//   nnChannelSum(x, out, n, c, inner);  nnChannelBroadcast(g, out, n, c, inner)
//   nnLinearForward(x, w, b | null, y, n, in, out)
#include <string>

#include "js_args.h"
#include "nn_args.h"
#include "nn/conv.h"
#include "nn/gemm.h"
#include "nn/linear.h"
#include "registry.h"

namespace msb {
namespace {

using nn_args::checked_product;
using nn_args::float_arg;
using nn_args::floats;
using nn_args::integer_arg;
using nn_args::kMaxElements;
using nn_args::optional_floats;
using nn_args::run_kernel;

ms::ConvGeometry geometry_arg(const Napi::CallbackInfo& info, size_t index) {
  View<int32_t> v = typed_view<int32_t>(info[index], "geometry");
  if (v.length < 1 || v.data[0] < 1 || v.data[0] > 3) throw_invalid(info.Env(), "geometry[0] must be 1, 2 or 3");
  ms::ConvGeometry g;
  g.dims = v.data[0];
  const size_t d = static_cast<size_t>(g.dims);
  if (v.length != 4 + 6 * d) throw_invalid(info.Env(), "geometry must hold 4 + 6 × dims integers");
  g.batch = v.data[1];
  g.in_channels = v.data[2];
  g.out_channels = v.data[3];
  for (size_t a = 0; a < d; ++a) {
    g.in[a] = v.data[4 + a];
    g.out[a] = v.data[4 + d + a];
    g.kernel[a] = v.data[4 + 2 * d + a];
    g.stride[a] = v.data[4 + 3 * d + a];
    g.padding[a] = v.data[4 + 4 * d + a];
    g.dilation[a] = v.data[4 + 5 * d + a];
  }
  run_kernel(info.Env(), [&] { ms::check_conv_geometry(g); });
  return g;
}

struct ConvSizes {
  int64_t input, output, weight;
};

ConvSizes conv_sizes(Napi::Env env, const ms::ConvGeometry& g) {
  int64_t in = 1, out = 1, taps = 1;
  for (int a = 0; a < g.dims; ++a) {
    in = checked_product(env, {in, g.in[a]}, "the input");
    out = checked_product(env, {out, g.out[a]}, "the output");
    taps = checked_product(env, {taps, g.kernel[a]}, "the kernel");
  }
  return ConvSizes{checked_product(env, {g.batch, g.in_channels, in}, "the input"),
                   checked_product(env, {g.batch, g.out_channels, out}, "the output"),
                   checked_product(env, {g.out_channels, g.in_channels, taps}, "the weight")};
}

Napi::Value gemm(const Napi::CallbackInfo& info) {
  View<int32_t> dims = typed_view<int32_t>(info[3], "dims");
  if (dims.length != 5) throw_invalid(info.Env(), "dims must be [m, n, k, transA, transB]");
  const int64_t m = dims.data[0], n = dims.data[1], k = dims.data[2];
  if (m < 0 || n < 0 || k < 0) throw_invalid(info.Env(), "m, n and k must be >= 0");
  const bool ta = dims.data[3] != 0, tb = dims.data[4] != 0;
  const float* a = floats(info, 0, "a", checked_product(info.Env(), {m, k}, "a"));
  const float* b = floats(info, 1, "b", checked_product(info.Env(), {k, n}, "b"));
  float* c = floats(info, 2, "c", checked_product(info.Env(), {m, n}, "c"));
  const float alpha = float_arg(info, 4, "alpha"), beta = float_arg(info, 5, "beta");
  run_kernel(info.Env(), [&] {
    ms::sgemm(ta, tb, m, n, k, alpha, a, std::max<int64_t>(1, ta ? m : k), b, std::max<int64_t>(1, tb ? k : n), beta,
              c, std::max<int64_t>(1, n));
  });
  return info.Env().Undefined();
}

Napi::Value gemm_isa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ms::gemm_isa_name(ms::gemm_isa()));
}

Napi::Value set_gemm_isa(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw_invalid(info.Env(), "isa must be 'avx512', 'avx2' or 'scalar'");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  for (ms::GemmIsa isa : {ms::GemmIsa::avx512, ms::GemmIsa::avx2, ms::GemmIsa::scalar}) {
    if (name == ms::gemm_isa_name(isa)) return Napi::Boolean::New(info.Env(), ms::set_gemm_isa(isa));
  }
  throw_invalid(info.Env(), "isa must be 'avx512', 'avx2' or 'scalar'");
}

Napi::Value conv_forward(const Napi::CallbackInfo& info) {
  const ms::ConvGeometry g = geometry_arg(info, 4);
  const ConvSizes s = conv_sizes(info.Env(), g);
  const float* x = floats(info, 0, "x", s.input);
  const float* w = floats(info, 1, "w", s.weight);
  const float* b = optional_floats(info, 2, "b", g.out_channels);
  float* y = floats(info, 3, "y", s.output);
  run_kernel(info.Env(), [&] { ms::conv_forward(g, x, w, b, y); });
  return info.Env().Undefined();
}

Napi::Value conv_backward_input(const Napi::CallbackInfo& info) {
  const ms::ConvGeometry g = geometry_arg(info, 4);
  const ConvSizes s = conv_sizes(info.Env(), g);
  const float* gy = floats(info, 0, "gy", s.output);
  const float* w = floats(info, 1, "w", s.weight);
  const float* b = optional_floats(info, 2, "b", g.in_channels);
  float* gx = floats(info, 3, "gx", s.input);
  run_kernel(info.Env(), [&] { ms::conv_backward_input(g, gy, w, b, gx); });
  return info.Env().Undefined();
}

Napi::Value conv_backward_weight(const Napi::CallbackInfo& info) {
  const ms::ConvGeometry g = geometry_arg(info, 3);
  const ConvSizes s = conv_sizes(info.Env(), g);
  const float* x = floats(info, 0, "x", s.input);
  const float* gy = floats(info, 1, "gy", s.output);
  float* gw = floats(info, 2, "gw", s.weight);
  run_kernel(info.Env(), [&] { ms::conv_backward_weight(g, x, gy, gw); });
  return info.Env().Undefined();
}

// (x | g, out, n, c, inner) with the sizes checked: returns {n, c, inner}.
struct ChannelArgs {
  int64_t n, c, inner;
};

ChannelArgs channel_args(const Napi::CallbackInfo& info) {
  ChannelArgs a{integer_arg(info, 2, "n", 1, kMaxElements), integer_arg(info, 3, "c", 1, kMaxElements),
                integer_arg(info, 4, "inner", 1, kMaxElements)};
  checked_product(info.Env(), {a.n, a.c, a.inner}, "the tensor");
  return a;
}

Napi::Value channel_sum(const Napi::CallbackInfo& info) {
  const ChannelArgs a = channel_args(info);
  const float* x = floats(info, 0, "x", a.n * a.c * a.inner);
  float* out = floats(info, 1, "out", a.c);
  run_kernel(info.Env(), [&] { ms::channel_sum(x, a.n, a.c, a.inner, out); });
  return info.Env().Undefined();
}

Napi::Value channel_broadcast(const Napi::CallbackInfo& info) {
  const ChannelArgs a = channel_args(info);
  const float* g = floats(info, 0, "g", a.c);
  float* out = floats(info, 1, "out", a.n * a.c * a.inner);
  run_kernel(info.Env(), [&] { ms::channel_broadcast(g, a.n, a.c, a.inner, out); });
  return info.Env().Undefined();
}

Napi::Value linear_forward(const Napi::CallbackInfo& info) {
  const int64_t n = integer_arg(info, 4, "n", 1, kMaxElements), in = integer_arg(info, 5, "in", 1, kMaxElements),
                out = integer_arg(info, 6, "out", 1, kMaxElements);
  const float* x = floats(info, 0, "x", checked_product(info.Env(), {n, in}, "x"));
  const float* w = floats(info, 1, "w", checked_product(info.Env(), {out, in}, "w"));
  const float* b = optional_floats(info, 2, "b", out);
  float* y = floats(info, 3, "y", checked_product(info.Env(), {n, out}, "y"));
  run_kernel(info.Env(), [&] { ms::linear_forward(x, w, b, n, in, out, y); });
  return info.Env().Undefined();
}

}  // namespace

void register_nn_conv(Napi::Env env, Napi::Object exports) {
  exports.Set("nnGemm", Napi::Function::New(env, gemm));
  exports.Set("nnGemmIsa", Napi::Function::New(env, gemm_isa));
  exports.Set("nnSetGemmIsa", Napi::Function::New(env, set_gemm_isa));
  exports.Set("nnConvForward", Napi::Function::New(env, conv_forward));
  exports.Set("nnConvBackwardInput", Napi::Function::New(env, conv_backward_input));
  exports.Set("nnConvBackwardWeight", Napi::Function::New(env, conv_backward_weight));
  exports.Set("nnChannelSum", Napi::Function::New(env, channel_sum));
  exports.Set("nnChannelBroadcast", Napi::Function::New(env, channel_broadcast));
  exports.Set("nnLinearForward", Napi::Function::New(env, linear_forward));
}

}  // namespace msb
