// Loss kernels: focalTversky, softDice, binaryCrossEntropy, coxLoss. Each resolves with the
// batch-mean loss (a Number) after filling the caller's grad (and perSample) arrays:
//   overlap losses: (pred: Float32Array, target: Float32Array | Uint8Array, grad: Float32Array,
//                    perSample: Float64Array, params {batch, size, fromLogits, ...})
//   coxLoss:        (risk: Float32Array | Float64Array, time: Float32Array | Float64Array,
//                    event: Uint8Array, grad: same type as risk, params {ties})
#include <memory>
#include <string>
#include <type_traits>

#include "js_args.h"
#include "loss/bce.h"
#include "loss/cox.h"
#include "loss/focal_tversky.h"
#include "loss/soft_dice.h"
#include "registry.h"

namespace msb {
namespace {

constexpr int64_t kMaxElements = (int64_t{1} << 31) - 1;

struct BatchArgs {
  View<float> pred;
  View<float> grad;
  View<double> per_sample;
  int64_t batch = 0;
  int64_t size = 0;
  bool from_logits = false;
};

BatchArgs batch_args(const Napi::CallbackInfo& info, const Napi::Object& o) {
  BatchArgs a;
  a.batch = integer_field(o, "batch", 1, kMaxElements);
  a.size = integer_field(o, "size", 1, kMaxElements);
  if (a.batch * a.size > kMaxElements) throw_invalid(info.Env(), "batch × size describes too many elements");
  a.from_logits = bool_field_or(o, "fromLogits", false);
  const auto count = static_cast<size_t>(a.batch * a.size);
  a.pred = typed_view<float>(info[0], "pred");
  require_length(info.Env(), a.pred, count, "pred");
  a.grad = typed_view<float>(info[2], "grad", Access::kReadWrite);
  require_length(info.Env(), a.grad, count, "grad");
  a.per_sample = typed_view<double>(info[3], "perSample", Access::kReadWrite);
  require_length(info.Env(), a.per_sample, static_cast<size_t>(a.batch), "perSample");
  return a;
}

// Queues kernel(pred, target, batch, size, per_sample, grad) and resolves with its loss.
template <typename Kernel>
Napi::Value queue_batch_loss(const Napi::CallbackInfo& info, const BatchArgs& a, Kernel kernel) {
  return with_float_or_u8_view(info[1], "target", [&](auto target) {
    require_length(info.Env(), target, a.pred.length, "target");
    auto loss = std::make_shared<double>(0.0);
    return queue_task(
        info.Env(), [=] { *loss = kernel(a.pred.data, target.data, a.batch, a.size, a.per_sample.data, a.grad.data); },
        {info[0], info[1], info[2], info[3]}, [loss](Napi::Env env) { return Napi::Number::New(env, *loss); });
  });
}

Napi::Value focal_tversky(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 4, "params");
  const BatchArgs a = batch_args(info, o);
  ms::FocalTverskyParams p;
  p.weight_fn = number_field_or(o, "weightFN", p.weight_fn);
  p.weight_fp = number_field_or(o, "weightFP", p.weight_fp);
  p.gamma = number_field_or(o, "gamma", p.gamma);
  p.smooth = number_field_or(o, "smooth", p.smooth);
  p.from_logits = a.from_logits;
  if (p.weight_fn < 0 || p.weight_fp < 0) throw_invalid(info.Env(), "weightFN and weightFP must be >= 0");
  if (!(p.gamma > 0)) throw_invalid(info.Env(), "gamma must be > 0");
  if (p.smooth < 0) throw_invalid(info.Env(), "smooth must be >= 0");
  return queue_batch_loss(info, a, [p](const float* pred, auto target, int64_t batch, int64_t size, double* ps,
                                       float* grad) { return ms::focal_tversky(pred, target, batch, size, p, ps, grad); });
}

Napi::Value soft_dice(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 4, "params");
  const BatchArgs a = batch_args(info, o);
  ms::SoftDiceParams p;
  p.smooth = number_field_or(o, "smooth", p.smooth);
  p.from_logits = a.from_logits;
  if (p.smooth < 0) throw_invalid(info.Env(), "smooth must be >= 0");
  return queue_batch_loss(info, a, [p](const float* pred, auto target, int64_t batch, int64_t size, double* ps,
                                       float* grad) { return ms::soft_dice(pred, target, batch, size, p, ps, grad); });
}

Napi::Value binary_cross_entropy(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 4, "params");
  const BatchArgs a = batch_args(info, o);
  ms::BceParams p;
  p.from_logits = a.from_logits;
  return queue_batch_loss(info, a, [p](const float* pred, auto target, int64_t batch, int64_t size, double* ps,
                                       float* grad) {
    return ms::binary_cross_entropy(pred, target, batch, size, p, ps, grad);
  });
}

Napi::Value cox_loss(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 4, "params");
  const std::string ties_name = string_field(o, "ties");
  if (ties_name != "breslow" && ties_name != "efron") throw_invalid(info.Env(), "ties must be 'breslow' or 'efron'");
  const ms::CoxTies ties = ties_name == "efron" ? ms::CoxTies::kEfron : ms::CoxTies::kBreslow;
  const View<uint8_t> event = typed_view<uint8_t>(info[2], "event");
  if (event.length == 0) throw_invalid(info.Env(), "event must hold at least one element");
  return with_real_view(info[0], "risk", [&](auto risk) {
    using R = std::remove_pointer_t<decltype(risk.data)>;
    require_length(info.Env(), risk, event.length, "risk");
    const View<R> grad = typed_view<R>(info[3], "grad", Access::kReadWrite);
    require_length(info.Env(), grad, event.length, "grad");
    return with_real_view(info[1], "time", [&](auto time) {
      require_length(info.Env(), time, event.length, "time");
      auto loss = std::make_shared<double>(0.0);
      return queue_task(
          info.Env(),
          [=] {
            *loss = ms::cox_loss(risk.data, time.data, event.data, static_cast<int64_t>(event.length), ties, grad.data);
          },
          {info[0], info[1], info[2], info[3]}, [loss](Napi::Env env) { return Napi::Number::New(env, *loss); });
    });
  });
}

}  // namespace

void register_loss(Napi::Env env, Napi::Object exports) {
  exports.Set("focalTversky", Napi::Function::New(env, focal_tversky));
  exports.Set("softDice", Napi::Function::New(env, soft_dice));
  exports.Set("binaryCrossEntropy", Napi::Function::New(env, binary_cross_entropy));
  exports.Set("coxLoss", Napi::Function::New(env, cox_loss));
}

}  // namespace msb
