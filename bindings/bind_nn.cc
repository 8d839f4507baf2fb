// The engine's element-wise, reduction and loss kernels as SYNCHRONOUS functions (see
// nn_args.h). Every buffer length is checked against the sizes given.
//
//   nnUnary(op, x, y, a, b)                      ops: native/nn/pointwise.h UnaryOp
//   nnUnaryBackward(op, g, t, gx, a, b)          ops: UnaryGradOp
//   geometry: Int32Array [ndim, shape[ndim], strideA[ndim], strideB[ndim]] (output contiguous)
//   nnBinary(op, a, b, y, geometry)              ops: BinaryOp
//   nnExpand(a, y, geometry)                     (strideB unused)
//   nnSumMiddle(x, y, outer, r, inner)           (outer, r, inner) → (outer, inner)
//   nnCrossEntropyForward(logits, target: Int32Array, probs, n, c) → mean loss
//   nnCrossEntropyBackward(probs, target, gx, n, c, scale)
//   nnBceWithLogitsForward(x, t) → mean loss;  nnBceWithLogitsBackward(x, t, gx, scale)
//   nnFocalTversky(pred, target: Float32Array | Uint8Array, grad, perSample: Float64Array, batch,
//                  size, weightFN, weightFP, gamma, smooth, fromLogits) → mean loss (native/loss)
//   nnCoxLoss(risk, time, event: Uint8Array, grad, efron: boolean) → loss (native/loss)
#include <string>

#include "js_args.h"
#include "loss/cox.h"
#include "loss/focal_tversky.h"
#include "nn/loss.h"
#include "nn/pointwise.h"
#include "nn/reduce.h"
#include "nn_args.h"
#include "registry.h"

namespace msb {
namespace {

using namespace nn_args;

int32_t op_arg(const Napi::CallbackInfo& info, size_t index, int32_t count) {
  return static_cast<int32_t>(integer_arg(info, index, "op", 0, count - 1));
}

bool bool_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsBoolean()) throw_invalid(info.Env(), std::string(name) + " must be a boolean");
  return info[index].As<Napi::Boolean>().Value();
}

Napi::Value unary(const Napi::CallbackInfo& info) {
  const auto op = static_cast<ms::nn::UnaryOp>(op_arg(info, 0, ms::nn::kUnaryOpCount));
  const View<float> x = typed_view<float>(info[1], "x");
  float* y = floats(info, 2, "y", static_cast<int64_t>(x.length));
  const float a = float_arg(info, 3, "a"), b = float_arg(info, 4, "b");
  run_kernel(info.Env(), [&] { ms::nn::unary_forward(op, x.data, static_cast<int64_t>(x.length), a, b, y); });
  return info.Env().Undefined();
}

Napi::Value unary_backward(const Napi::CallbackInfo& info) {
  const auto op = static_cast<ms::nn::UnaryGradOp>(op_arg(info, 0, ms::nn::kUnaryGradOpCount));
  const View<float> g = typed_view<float>(info[1], "g");
  const auto n = static_cast<int64_t>(g.length);
  const float* t = floats(info, 2, "t", n);
  float* gx = floats(info, 3, "gx", n);
  const float a = float_arg(info, 4, "a"), b = float_arg(info, 5, "b");
  run_kernel(info.Env(), [&] { ms::nn::unary_backward(op, g.data, t, n, a, b, gx); });
  return info.Env().Undefined();
}

ms::nn::BroadcastGeometry broadcast_geometry(const Napi::CallbackInfo& info, size_t index) {
  const View<int32_t> v = typed_view<int32_t>(info[index], "geometry");
  if (v.length < 1) throw_invalid(info.Env(), "geometry is empty");
  ms::nn::BroadcastGeometry g;
  g.ndim = v.data[0];
  if (g.ndim < 0 || g.ndim > ms::nn::kBroadcastMaxDims || v.length != static_cast<size_t>(1 + 3 * g.ndim)) {
    throw_invalid(info.Env(), "geometry: ndim must be 0.." + std::to_string(ms::nn::kBroadcastMaxDims) + " and the length 1 + 3·ndim");
  }
  for (int d = 0; d < g.ndim; ++d) {
    g.shape[d] = v.data[1 + d];
    g.stride_a[d] = v.data[1 + g.ndim + d];
    g.stride_b[d] = v.data[1 + 2 * g.ndim + d];
    if (g.shape[d] < 0 || g.stride_a[d] < 0 || g.stride_b[d] < 0) throw_invalid(info.Env(), "geometry: negative size or stride");
  }
  int64_t count = 1;
  for (int d = 0; d < g.ndim; ++d) count = checked_product(info.Env(), {count, g.shape[d]}, "broadcast output");
  return g;
}

// An input of a broadcast must hold exactly what its strides reach (nothing for an empty output).
const float* broadcast_input(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t extent, int64_t count) {
  const View<float> v = typed_view<float>(info[index], name);
  if (count == 0 ? v.length > static_cast<size_t>(kMaxElements) : static_cast<int64_t>(v.length) != extent) {
    throw_invalid(info.Env(), std::string(name) + " has " + std::to_string(v.length) + " elements but the broadcast reads " +
                                  std::to_string(extent));
  }
  return v.data;
}

Napi::Value binary(const Napi::CallbackInfo& info) {
  const auto op = static_cast<ms::nn::BinaryOp>(op_arg(info, 0, ms::nn::kBinaryOpCount));
  const auto g = broadcast_geometry(info, 4);
  const int64_t count = g.count();
  const float* a = broadcast_input(info, 1, "a", g.extent_a(), count);
  const float* b = broadcast_input(info, 2, "b", g.extent_b(), count);
  float* y = floats(info, 3, "y", count);
  run_kernel(info.Env(), [&] { ms::nn::binary_forward(op, a, b, g, y); });
  return info.Env().Undefined();
}

Napi::Value expand(const Napi::CallbackInfo& info) {
  const auto g = broadcast_geometry(info, 2);
  const int64_t count = g.count();
  const float* a = broadcast_input(info, 0, "x", g.extent_a(), count);
  float* y = floats(info, 1, "y", count);
  run_kernel(info.Env(), [&] { ms::nn::broadcast_copy(a, g, y); });
  return info.Env().Undefined();
}

Napi::Value sum_middle(const Napi::CallbackInfo& info) {
  const int64_t outer = integer_arg(info, 2, "outer", 0, kMaxElements);
  const int64_t r = integer_arg(info, 3, "r", 0, kMaxElements);
  const int64_t inner = integer_arg(info, 4, "inner", 0, kMaxElements);
  const float* x = floats(info, 0, "x", checked_product(info.Env(), {outer, r, inner}, "sum input"));
  float* y = floats(info, 1, "y", checked_product(info.Env(), {outer, inner}, "sum output"));
  run_kernel(info.Env(), [&] { ms::nn::sum_middle(x, outer, r, inner, y); });
  return info.Env().Undefined();
}

Napi::Value cross_entropy_forward(const Napi::CallbackInfo& info) {
  const int64_t n = integer_arg(info, 3, "n", 1, kMaxElements);
  const int64_t c = integer_arg(info, 4, "c", 1, kMaxElements);
  const int64_t count = checked_product(info.Env(), {n, c}, "logits");
  const float* logits = floats(info, 0, "logits", count);
  const int32_t* target = array_arg<int32_t>(info, 1, "target", n);
  float* probs = floats(info, 2, "probs", count);
  double loss = 0;
  run_kernel(info.Env(), [&] { loss = ms::nn::cross_entropy_forward(logits, target, n, c, probs); });
  return Napi::Number::New(info.Env(), loss);
}

Napi::Value cross_entropy_backward(const Napi::CallbackInfo& info) {
  const int64_t n = integer_arg(info, 3, "n", 1, kMaxElements);
  const int64_t c = integer_arg(info, 4, "c", 1, kMaxElements);
  const int64_t count = checked_product(info.Env(), {n, c}, "logits");
  const float* probs = floats(info, 0, "probs", count);
  const int32_t* target = array_arg<int32_t>(info, 1, "target", n);
  float* gx = floats(info, 2, "gx", count);
  const float scale = float_arg(info, 5, "scale");
  for (int64_t i = 0; i < n; ++i) {
    if (target[i] < 0 || target[i] >= c) throw_invalid(info.Env(), "target holds a class outside [0, c)");
  }
  run_kernel(info.Env(), [&] { ms::nn::cross_entropy_backward(probs, target, n, c, scale, gx); });
  return info.Env().Undefined();
}

Napi::Value bce_with_logits_forward(const Napi::CallbackInfo& info) {
  const View<float> x = typed_view<float>(info[0], "x");
  if (x.length == 0) throw_invalid(info.Env(), "x must not be empty");
  const float* t = floats(info, 1, "target", static_cast<int64_t>(x.length));
  double loss = 0;
  run_kernel(info.Env(), [&] { loss = ms::nn::bce_with_logits_forward(x.data, t, static_cast<int64_t>(x.length)); });
  return Napi::Number::New(info.Env(), loss);
}

Napi::Value bce_with_logits_backward(const Napi::CallbackInfo& info) {
  const View<float> x = typed_view<float>(info[0], "x");
  const auto n = static_cast<int64_t>(x.length);
  const float* t = floats(info, 1, "target", n);
  float* gx = floats(info, 2, "gx", n);
  const float scale = float_arg(info, 3, "scale");
  run_kernel(info.Env(), [&] { ms::nn::bce_with_logits_backward(x.data, t, n, scale, gx); });
  return info.Env().Undefined();
}

Napi::Value focal_tversky(const Napi::CallbackInfo& info) {
  const int64_t batch = integer_arg(info, 4, "batch", 1, kMaxElements);
  const int64_t size = integer_arg(info, 5, "size", 1, kMaxElements);
  const int64_t count = checked_product(info.Env(), {batch, size}, "pred");
  const float* pred = floats(info, 0, "pred", count);
  float* grad = floats(info, 2, "grad", count);
  double* per_sample = array_arg<double>(info, 3, "perSample", batch);
  ms::FocalTverskyParams p;
  p.weight_fn = number_arg(info, 6, "weightFN");
  p.weight_fp = number_arg(info, 7, "weightFP");
  p.gamma = number_arg(info, 8, "gamma");
  p.smooth = number_arg(info, 9, "smooth");
  p.from_logits = bool_arg(info, 10, "fromLogits");
  if (!(p.weight_fn >= 0 && p.weight_fp >= 0)) throw_invalid(info.Env(), "weightFN and weightFP must be >= 0");
  if (!(p.gamma > 0)) throw_invalid(info.Env(), "gamma must be > 0");
  if (!(p.smooth >= 0)) throw_invalid(info.Env(), "smooth must be >= 0");
  double loss = 0;
  with_float_or_u8_view(info[1], "target", [&](auto target) {
    require_length(info.Env(), target, static_cast<size_t>(count), "target");
    run_kernel(info.Env(), [&] { loss = ms::focal_tversky(pred, target.data, batch, size, p, per_sample, grad); });
  });
  return Napi::Number::New(info.Env(), loss);
}

Napi::Value cox_loss(const Napi::CallbackInfo& info) {
  const View<float> risk = typed_view<float>(info[0], "risk");
  if (risk.length == 0) throw_invalid(info.Env(), "risk must not be empty");
  const auto n = static_cast<int64_t>(risk.length);
  const float* time = floats(info, 1, "time", n);
  const uint8_t* event = array_arg<uint8_t>(info, 2, "event", n);
  float* grad = floats(info, 3, "grad", n);
  const auto ties = bool_arg(info, 4, "efron") ? ms::CoxTies::kEfron : ms::CoxTies::kBreslow;
  double loss = 0;
  run_kernel(info.Env(), [&] { loss = ms::cox_loss(risk.data, time, event, n, ties, grad); });
  return Napi::Number::New(info.Env(), loss);
}

}  // namespace

void register_nn(Napi::Env env, Napi::Object exports) {
  exports.Set("nnUnary", Napi::Function::New(env, unary));
  exports.Set("nnUnaryBackward", Napi::Function::New(env, unary_backward));
  exports.Set("nnBinary", Napi::Function::New(env, binary));
  exports.Set("nnExpand", Napi::Function::New(env, expand));
  exports.Set("nnSumMiddle", Napi::Function::New(env, sum_middle));
  exports.Set("nnCrossEntropyForward", Napi::Function::New(env, cross_entropy_forward));
  exports.Set("nnCrossEntropyBackward", Napi::Function::New(env, cross_entropy_backward));
  exports.Set("nnBceWithLogitsForward", Napi::Function::New(env, bce_with_logits_forward));
  exports.Set("nnBceWithLogitsBackward", Napi::Function::New(env, bce_with_logits_backward));
  exports.Set("nnFocalTversky", Napi::Function::New(env, focal_tversky));
  exports.Set("nnCoxLoss", Napi::Function::New(env, cox_loss));
}

}  // namespace msb
