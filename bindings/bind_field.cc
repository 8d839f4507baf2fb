// Fields: biasField(input: Float32Array | null, out: Float32Array, {dims, order, coefficients})
// -> Promise<void>; a null input writes the field itself.
#include "field/bias_field.h"
#include "js_args.h"
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
  const Dims3 dims = dims_field(o, "dims");
  const int order = static_cast<int>(integer_field(o, "order", 0, ms::kMaxBiasOrder));
  const std::vector<double> coefficients = number_array_field(o, "coefficients");
  if (static_cast<int64_t>(coefficients.size()) != ms::bias_field_term_count(order)) {
    throw_invalid(env, "coefficients must hold " + std::to_string(ms::bias_field_term_count(order)) +
                           " numbers for order " + std::to_string(order));
  }
  const auto count = static_cast<size_t>(dims.count());
  require_length(env, out, count, "out");
  if (!field_only) require_length(env, in, count, "input");
  const bool finite_only = !field_only && bool_field_or(o, "rejectNonFinite", false);
  auto task = [=] {
    if (finite_only) ms::require_finite(in.data, static_cast<int64_t>(count), "input");
    ms::bias_field(field_only ? nullptr : in.data, out.data, dims.z, dims.y, dims.x, order,
                   coefficients.data(), static_cast<int64_t>(coefficients.size()));
  };
  // Only objects can be kept alive (a reference to null is an error).
  return field_only ? queue_task(env, task, {info[1]}) : queue_task(env, task, {info[0], info[1]});
}

}  // namespace

void register_field(Napi::Env env, Napi::Object exports) {
  exports.Set("biasField", Napi::Function::New(env, bias_field));
}

}  // namespace msb
