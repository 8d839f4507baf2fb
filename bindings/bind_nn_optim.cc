// Optimizer updates (synchronous: the training loop calls them from its worker thread).
#include "js_args.h"
#include "nn/optim.h"
#include "registry.h"

namespace msb {
namespace {

// nnSgdStep(param, grad, momentumBuffer | null, {lr, momentum, dampening, weightDecay, nesterov, firstStep})
Napi::Value sgd_step(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View<float> param = typed_view<float>(info[0], "param");
  View<float> grad = typed_view<float>(info[1], "grad");
  require_length(env, grad, param.length, "grad");
  Napi::Object o = object_arg(info, 3, "options");
  ms::SgdParams p{};
  p.lr = static_cast<float>(number_field(o, "lr"));
  p.momentum = static_cast<float>(number_field(o, "momentum"));
  p.dampening = static_cast<float>(number_field(o, "dampening"));
  p.weight_decay = static_cast<float>(number_field(o, "weightDecay"));
  p.nesterov = bool_field_or(o, "nesterov", false);
  p.first_step = bool_field_or(o, "firstStep", false);
  float* buffer = nullptr;
  if (p.momentum != 0.0f) {
    View<float> b = typed_view<float>(info[2], "momentumBuffer");
    require_length(env, b, param.length, "momentumBuffer");
    buffer = b.data;
  }
  ms::sgd_step(param.data, grad.data, buffer, static_cast<int64_t>(param.length), p);
  return env.Undefined();
}

// nnAdamStep(param, grad, expAvg, expAvgSq, {lr, beta1, beta2, eps, weightDecay, step, decoupled})
Napi::Value adam_step(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View<float> param = typed_view<float>(info[0], "param");
  View<float> grad = typed_view<float>(info[1], "grad");
  View<float> m = typed_view<float>(info[2], "expAvg");
  View<float> v = typed_view<float>(info[3], "expAvgSq");
  require_length(env, grad, param.length, "grad");
  require_length(env, m, param.length, "expAvg");
  require_length(env, v, param.length, "expAvgSq");
  Napi::Object o = object_arg(info, 4, "options");
  ms::AdamParams p{};
  p.lr = number_field(o, "lr");
  p.beta1 = number_field(o, "beta1");
  p.beta2 = number_field(o, "beta2");
  p.eps = number_field(o, "eps");
  p.weight_decay = number_field(o, "weightDecay");
  p.step = integer_field(o, "step", 1, 9007199254740991LL);
  p.decoupled = bool_field_or(o, "decoupled", false);
  ms::adam_step(param.data, grad.data, m.data, v.data, static_cast<int64_t>(param.length), p);
  return env.Undefined();
}

}  // namespace

void register_nn_optim(Napi::Env env, Napi::Object exports) {
  exports.Set("nnSgdStep", Napi::Function::New(env, sgd_step));
  exports.Set("nnAdamStep", Napi::Function::New(env, adam_step));
}

}  // namespace msb
