// Warps and patch insertion (native/warp/):
//   warpLinear(input: Float32Array, out: Float32Array, spec, control: Float32Array | null) -> Promise<void>
//   warpNearest(input: Uint8Array, out: Uint8Array, spec, control: Float32Array | null) -> Promise<void>
//     spec: {inDims, outDims: [Z, Y, X], affine: 12 numbers (row-major 3×4, output voxel -> input
//            voxel), fill, controlDims?: [cz, cy, cx] (with control: [3, cz, cy, cx] voxels)}
//   warpGatedLabels(labels: Uint8Array, coverage: Float32Array, out: Uint8Array,
//                   spec & {threshold, fallback}, control: Float32Array | null) -> Promise<void>
//   bsplineDisplacement(control: Float32Array, field: Float32Array, {controlDims, dims}) -> Promise<void>
//   warpIsa() -> 'avx512' | 'avx2' | 'scalar';  warpSetIsa(name) -> boolean (tests, bench)
//   warpAffine2d(src, dst, {planes, height, width, outHeight, outWidth, matrix: number[6],
//                interpolation, padding, fill, threshold}) -> Promise<void>  (see resample2d.h)
//   insertPatch(ct: Float32Array, labels: Uint8Array, patch: Float32Array, alpha: Float32Array,
//               hostOk: Uint8Array(256), result: Float64Array(2),
//               {dims, patchDims, affine, lo, hi, noduleLabel}) -> Promise<void>
#include <array>
#include <limits>
#include <cmath>
#include <vector>

#include "js_args.h"
#include "registry.h"
#include "warp/insert_patch.h"
#include "warp/resample2d.h"
#include "warp/trilinear_rows.h"
#include "warp/warp.h"

namespace msb {
namespace {

ms::WarpDims warp_dims(const Napi::Object& o, const char* key) {
  const Dims3 d = dims_field(o, key);
  return ms::WarpDims{d.z, d.y, d.x};
}

std::array<double, 12> affine_field(const Napi::Object& o) {
  const std::vector<double> a = number_array_field(o, "affine");
  if (a.size() != 12) throw_invalid(o.Env(), "affine must hold 12 numbers (row-major 3×4)");
  std::array<double, 12> out{};
  for (size_t i = 0; i < 12; ++i) {
    if (!std::isfinite(a[i])) throw_invalid(o.Env(), "affine must hold finite numbers");
    out[i] = a[i];
  }
  return out;
}

// The spec with its control grid (checked against the control array's length), if any.
ms::WarpSpec warp_spec(const Napi::CallbackInfo& info, const Napi::Object& o, size_t control_index) {
  ms::WarpSpec spec;
  const std::array<double, 12> a = affine_field(o);
  std::copy(a.begin(), a.end(), spec.affine);
  const Napi::Value c = info[control_index];
  if (!c.IsUndefined() && !c.IsNull()) {
    const View<float> control = typed_view<float>(c, "control");
    spec.control_dims = warp_dims(o, "controlDims");
    const ms::WarpDims& cd = spec.control_dims;
    if (cd.z < 4 || cd.y < 4 || cd.x < 4) throw_invalid(info.Env(), "controlDims must be >= 4 per axis");
    require_length(info.Env(), control, static_cast<size_t>(3 * cd.count()), "control");
    spec.control = control.data;
  }
  return spec;
}

template <typename T>
Napi::Value warp(const Napi::CallbackInfo& info, bool linear) {
  Napi::Env env = info.Env();
  const View<T> in = typed_view<T>(info[0], "input");
  const View<T> out = typed_view<T>(info[1], "out", Access::kReadWrite);
  const Napi::Object o = object_arg(info, 2, "spec");
  const ms::WarpDims in_dims = warp_dims(o, "inDims"), out_dims = warp_dims(o, "outDims");
  require_length(env, in, static_cast<size_t>(in_dims.count()), "input");
  require_length(env, out, static_cast<size_t>(out_dims.count()), "out");
  const bool overlap = in.data < out.data + out.length && out.data < in.data + in.length;
  if (overlap) throw_invalid(env, "out must not overlap the input");
  const ms::WarpSpec spec = warp_spec(info, o, 3);
  const double fill = number_field(o, "fill");
  if (!std::isfinite(fill)) throw_invalid(env, "fill must be finite");
  // Keep-alive list entries must be objects: the input stands in when there is no control grid.
  const Napi::Value control = spec.control != nullptr ? info[3] : info[0];
  if (linear) {
    const float f = static_cast<float>(fill);
    return queue_task(env, [=] {
      ms::warp_linear(reinterpret_cast<const float*>(in.data), in_dims, reinterpret_cast<float*>(out.data), out_dims, spec, f);
    }, {info[0], info[1], control});
  }
  if (!(fill >= 0 && fill <= 255)) throw_invalid(env, "fill must be a label 0..255");
  const auto f = static_cast<uint8_t>(fill);
  return queue_task(env, [=] {
    ms::warp_nearest(reinterpret_cast<const uint8_t*>(in.data), in_dims, reinterpret_cast<uint8_t*>(out.data), out_dims, spec, f);
  }, {info[0], info[1], control});
}

Napi::Value warp_linear(const Napi::CallbackInfo& info) { return warp<float>(info, true); }
Napi::Value warp_nearest(const Napi::CallbackInfo& info) { return warp<uint8_t>(info, false); }

Napi::Value warp_gated_labels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<uint8_t> labels = typed_view<uint8_t>(info[0], "labels");
  const View<float> coverage = typed_view<float>(info[1], "coverage");
  const View<uint8_t> out = typed_view<uint8_t>(info[2], "out", Access::kReadWrite);
  const Napi::Object o = object_arg(info, 3, "spec");
  const ms::WarpDims in_dims = warp_dims(o, "inDims"), out_dims = warp_dims(o, "outDims");
  require_length(env, labels, static_cast<size_t>(in_dims.count()), "labels");
  require_length(env, coverage, static_cast<size_t>(in_dims.count()), "coverage");
  require_length(env, out, static_cast<size_t>(out_dims.count()), "out");
  if (labels.data < out.data + out.length && out.data < labels.data + labels.length) throw_invalid(env, "out must not overlap labels");
  const ms::WarpSpec spec = warp_spec(info, o, 4);
  const double threshold = number_field(o, "threshold");
  if (!std::isfinite(threshold)) throw_invalid(env, "threshold must be finite");
  const auto fallback = static_cast<uint8_t>(integer_field(o, "fallback", 0, 255));
  const Napi::Value control = spec.control != nullptr ? info[4] : info[0];
  const auto t = static_cast<float>(threshold);
  return queue_task(env, [=] {
    ms::warp_gated_labels(labels.data, coverage.data, in_dims, out.data, out_dims, spec, t, fallback);
  }, {info[0], info[1], info[2], control});
}

Napi::Value bspline_displacement(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> control = typed_view<float>(info[0], "control");
  const View<float> field = typed_view<float>(info[1], "field", Access::kReadWrite);
  const Napi::Object o = object_arg(info, 2, "params");
  const ms::WarpDims cd = warp_dims(o, "controlDims"), dims = warp_dims(o, "dims");
  if (cd.z < 4 || cd.y < 4 || cd.x < 4) throw_invalid(env, "controlDims must be >= 4 per axis");
  require_length(env, control, static_cast<size_t>(3 * cd.count()), "control");
  require_length(env, field, static_cast<size_t>(3 * dims.count()), "field");
  return queue_task(env, [=] { ms::bspline_displacement(control.data, cd, field.data, dims); }, {info[0], info[1]});
}

Napi::Value insert_patch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> ct = typed_view<float>(info[0], "ct", Access::kReadWrite);
  const View<uint8_t> labels = typed_view<uint8_t>(info[1], "labels", Access::kReadWrite);
  const View<float> patch = typed_view<float>(info[2], "patch");
  const View<float> alpha = typed_view<float>(info[3], "alpha");
  const View<uint8_t> host_ok = typed_view<uint8_t>(info[4], "hostOk");
  const View<double> result = typed_view<double>(info[5], "result", Access::kReadWrite);
  const Napi::Object o = object_arg(info, 6, "params");
  const ms::WarpDims dims = warp_dims(o, "dims");
  ms::PatchInsert p;
  p.patch_dims = warp_dims(o, "patchDims");
  require_length(env, ct, static_cast<size_t>(dims.count()), "ct");
  require_length(env, labels, static_cast<size_t>(dims.count()), "labels");
  require_length(env, patch, static_cast<size_t>(p.patch_dims.count()), "patch");
  require_length(env, alpha, static_cast<size_t>(p.patch_dims.count()), "alpha");
  require_length(env, host_ok, 256, "hostOk");
  require_length(env, result, 2, "result");
  const std::array<double, 12> a = affine_field(o);
  std::copy(a.begin(), a.end(), p.affine);
  const std::vector<double> lo = number_array_field(o, "lo"), hi = number_array_field(o, "hi");
  if (lo.size() != 3 || hi.size() != 3) throw_invalid(env, "lo and hi must hold 3 integers");
  for (int i = 0; i < 3; ++i) {
    if (lo[i] != std::floor(lo[i]) || hi[i] != std::floor(hi[i]) || std::fabs(lo[i]) > 1e15 || std::fabs(hi[i]) > 1e15) {
      throw_invalid(env, "lo and hi must hold integers");
    }
    p.lo[i] = static_cast<int64_t>(lo[i]);
    p.hi[i] = static_cast<int64_t>(hi[i]);
  }
  p.nodule_label = static_cast<uint8_t>(integer_field(o, "noduleLabel", 0, 255));
  p.patch = patch.data;
  p.alpha = alpha.data;
  p.host_ok = host_ok.data;
  return queue_task(env, [=] {
    int64_t labelled = 0;
    ms::insert_patch(ct.data, labels.data, dims, p, result.data, &labelled);
    result.data[1] = static_cast<double>(labelled);
  }, {info[0], info[1], info[2], info[3], info[4], info[5]});
}

constexpr int64_t kMaxSide = 1 << 16;

Napi::Value warp_affine_2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> src = typed_view<float>(info[0], "src");
  const View<float> dst = typed_view<float>(info[1], "dst", Access::kReadWrite);
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

Napi::Value warp_isa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ms::warp_isa_name(ms::warp_isa()));
}

Napi::Value set_warp_isa(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw_invalid(info.Env(), "isa must be 'avx512', 'avx2' or 'scalar'");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  for (ms::WarpIsa isa : {ms::WarpIsa::avx512, ms::WarpIsa::avx2, ms::WarpIsa::scalar}) {
    if (name == ms::warp_isa_name(isa)) return Napi::Boolean::New(info.Env(), ms::set_warp_isa(isa));
  }
  throw_invalid(info.Env(), "isa must be 'avx512', 'avx2' or 'scalar'");
}

}  // namespace

void register_warp(Napi::Env env, Napi::Object exports) {
  exports.Set("warpLinear", Napi::Function::New(env, warp_linear));
  exports.Set("warpNearest", Napi::Function::New(env, warp_nearest));
  exports.Set("warpGatedLabels", Napi::Function::New(env, warp_gated_labels));
  exports.Set("bsplineDisplacement", Napi::Function::New(env, bspline_displacement));
  exports.Set("insertPatch", Napi::Function::New(env, insert_patch));
  exports.Set("warpAffine2d", Napi::Function::New(env, warp_affine_2d));
  exports.Set("warpIsa", Napi::Function::New(env, warp_isa));
  exports.Set("warpSetIsa", Napi::Function::New(env, set_warp_isa));
}

}  // namespace msb
