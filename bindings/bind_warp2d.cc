// warpAffine2d(src: Float32Array, dst: Float32Array, params) -> Promise<void>
// params: { planes, height, width, outHeight, outWidth, matrix: number[6],
//           interpolation: 'linear' | 'nearest', padding: 'constant' | 'edge', fill, threshold }
// (threshold NaN: no binarisation). See native/warp/resample2d.h for the map's convention.
#include <cmath>
#include <limits>

#include "js_args.h"
#include "registry.h"
#include "warp/resample2d.h"

namespace msb {
namespace {

constexpr int64_t kMaxSide = 1 << 16;

Napi::Value warp_affine_2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> src = typed_view<float>(info[0], "src");
  const View<float> dst = typed_view<float>(info[1], "dst");
  Napi::Object o = object_arg(info, 2, "params");
  const int64_t planes = integer_field(o, "planes", 1, 1 << 24);
  const int64_t height = integer_field(o, "height", 1, kMaxSide);
  const int64_t width = integer_field(o, "width", 1, kMaxSide);
  const int64_t out_height = integer_field(o, "outHeight", 1, kMaxSide);
  const int64_t out_width = integer_field(o, "outWidth", 1, kMaxSide);
  require_length(env, src, static_cast<size_t>(planes * height * width), "src");
  require_length(env, dst, static_cast<size_t>(planes * out_height * out_width), "dst");
  const std::vector<double> matrix = number_array_field(o, "matrix");
  if (matrix.size() != 6) throw_invalid(env, "matrix must have 6 numbers");
  ms::Warp2dParams p{};
  for (int k = 0; k < 6; ++k) {
    if (!std::isfinite(matrix[k])) throw_invalid(env, "matrix entries must be finite");
    p.m[k] = matrix[k];
  }
  const std::string interpolation = string_field(o, "interpolation");
  if (interpolation != "linear" && interpolation != "nearest") throw_invalid(env, "interpolation must be 'linear' or 'nearest'");
  p.interpolation = interpolation == "linear" ? ms::Interpolation::kLinear : ms::Interpolation::kNearest;
  const std::string padding = string_field(o, "padding");
  if (padding != "constant" && padding != "edge") throw_invalid(env, "padding must be 'constant' or 'edge'");
  p.padding = padding == "constant" ? ms::Padding::kConstant : ms::Padding::kEdge;
  p.fill = static_cast<float>(number_field(o, "fill"));
  p.threshold = static_cast<float>(number_field_or(o, "threshold", std::numeric_limits<double>::quiet_NaN()));
  return queue_task(env, [=] {
    ms::warp_affine_2d(src.data, planes, height, width, dst.data, out_height, out_width, p);
  }, {info[0], info[1]});
}

}  // namespace

void register_warp2d(Napi::Env env, Napi::Object exports) {
  exports.Set("warpAffine2d", Napi::Function::New(env, warp_affine_2d));
}

}  // namespace msb
