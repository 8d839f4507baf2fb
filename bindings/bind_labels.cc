// Label-map utilities: labelBounds, labelMaskBox, cropBox.
#include "js_args.h"
#include "registry.h"
#include "volume/label_ops.h"

namespace msb {
namespace {

ms::Box3 box_field(const Napi::Object& o, const Dims3& dims) {
  const std::vector<double> v = number_array_field(o, "box");
  if (v.size() != 6) throw_invalid(o.Env(), "box must be [z0, y0, x0, z1, y1, x1]");
  ms::Box3 b{static_cast<int32_t>(v[0]), static_cast<int32_t>(v[1]), static_cast<int32_t>(v[2]),
             static_cast<int32_t>(v[3]), static_cast<int32_t>(v[4]), static_cast<int32_t>(v[5])};
  if (b.z0 < 0 || b.y0 < 0 || b.x0 < 0 || b.z1 > dims.z || b.y1 > dims.y || b.x1 > dims.x || b.z0 >= b.z1 ||
      b.y0 >= b.y1 || b.x0 >= b.x1) {
    throw_invalid(o.Env(), "box must be non-empty and inside the volume");
  }
  return b;
}

int64_t box_count(const ms::Box3& b) {
  return static_cast<int64_t>(b.z1 - b.z0) * (b.y1 - b.y0) * (b.x1 - b.x0);
}

// labelBounds(labels, out: Int32Array(6 * nLabels), {dims}) -> Promise<void>
Napi::Value label_bounds(const Napi::CallbackInfo& info) {
  const View<uint8_t> labels = typed_view<uint8_t>(info[0], "labels");
  const View<int32_t> out = typed_view<int32_t>(info[1], "out", Access::kReadWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const Dims3 dims = dims_field(o, "dims");
  require_length(info.Env(), labels, static_cast<size_t>(dims.count()), "labels");
  if (out.length % 6 != 0 || out.length == 0 || out.length > 6 * 256) {
    throw_invalid(info.Env(), "out must hold 6 numbers per label, for 1 to 256 labels");
  }
  const int n_labels = static_cast<int>(out.length / 6);
  return queue_task(info.Env(), [=] {
    ms::label_bounds(labels.data, dims.z, dims.y, dims.x, n_labels, reinterpret_cast<ms::Box3*>(out.data));
  }, {info[0], info[1]});
}

// labelChunkOccupancy(labels, flags: Uint8Array(nLabels · gz · gy · gx),
//                     bounds: Int32Array(6 · nLabels), {dims, block}) -> Promise<void>
Napi::Value label_chunk_occupancy(const Napi::CallbackInfo& info) {
  const View<uint8_t> labels = typed_view<uint8_t>(info[0], "labels");
  const View<uint8_t> flags = typed_view<uint8_t>(info[1], "flags", Access::kReadWrite);
  const View<int32_t> bounds = typed_view<int32_t>(info[2], "bounds", Access::kReadWrite);
  Napi::Object o = object_arg(info, 3, "params");
  const Dims3 dims = dims_field(o, "dims");
  require_length(info.Env(), labels, static_cast<size_t>(dims.count()), "labels");
  const Dims3 block = dims_field(o, "block");
  if (bounds.length % 6 != 0 || bounds.length == 0 || bounds.length > 6 * 256) {
    throw_invalid(info.Env(), "bounds must hold 6 numbers per label, for 1 to 256 labels");
  }
  const int n_labels = static_cast<int>(bounds.length / 6);
  const int64_t chunks = ((dims.z + block.z - 1) / block.z) * ((dims.y + block.y - 1) / block.y) *
                         ((dims.x + block.x - 1) / block.x);
  require_length(info.Env(), flags, static_cast<size_t>(chunks * n_labels), "flags");
  return queue_task(info.Env(), [=] {
    ms::label_chunk_occupancy(labels.data, dims.z, dims.y, dims.x, block.z, block.y, block.x, n_labels, flags.data,
                              reinterpret_cast<ms::Box3*>(bounds.data));
  }, {info[0], info[1], info[2]});
}

// labelMaskBox(labels, out: Uint8Array(box volume), {dims, box, label}) -> Promise<void>
Napi::Value label_mask_box(const Napi::CallbackInfo& info) {
  const View<uint8_t> labels = typed_view<uint8_t>(info[0], "labels");
  const View<uint8_t> out = typed_view<uint8_t>(info[1], "out", Access::kReadWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const Dims3 dims = dims_field(o, "dims");
  require_length(info.Env(), labels, static_cast<size_t>(dims.count()), "labels");
  const ms::Box3 box = box_field(o, dims);
  require_length(info.Env(), out, static_cast<size_t>(box_count(box)), "out");
  const auto label = static_cast<uint8_t>(integer_field(o, "label", 0, 255));
  return queue_task(info.Env(), [=] {
    ms::label_mask_box(labels.data, dims.z, dims.y, dims.x, box, label, out.data);
  }, {info[0], info[1]});
}

// cropBox(volume, out: same type, {dims, box}) -> Promise<void>
Napi::Value crop_box(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || !info[1].IsTypedArray()) throw_invalid(info.Env(), "volume and out must be typed arrays");
  auto volume = info[0].As<Napi::TypedArray>();
  auto out = info[1].As<Napi::TypedArray>();
  if (volume.TypedArrayType() != out.TypedArrayType()) throw_invalid(info.Env(), "out must have the volume's type");
  Napi::Object o = object_arg(info, 2, "params");
  const Dims3 dims = dims_field(o, "dims");
  if (volume.ElementLength() != static_cast<size_t>(dims.count())) throw_invalid(info.Env(), "volume length does not match dims");
  const ms::Box3 box = box_field(o, dims);
  if (out.ElementLength() != static_cast<size_t>(box_count(box))) throw_invalid(info.Env(), "out length does not match the box");
  const int64_t elem = static_cast<int64_t>(volume.ElementSize());
  const void* src = stage_typed_array(volume, "volume", Access::kRead);
  void* dst = stage_typed_array(out, "out", Access::kReadWrite);
  return queue_task(info.Env(), [=] {
    ms::crop_box(src, elem, dims.z, dims.y, dims.x, box, dst);
  }, {info[0], info[1]});
}

}  // namespace

void register_labels(Napi::Env env, Napi::Object exports) {
  exports.Set("labelBounds", Napi::Function::New(env, label_bounds));
  exports.Set("labelMaskBox", Napi::Function::New(env, label_mask_box));
  exports.Set("labelChunkOccupancy", Napi::Function::New(env, label_chunk_occupancy));
  exports.Set("cropBox", Napi::Function::New(env, crop_box));
}

}  // namespace msb
