// Volume (native/volume/): the intensity steps, the rasterizer and the label-map utilities.
//
// windowLevel, affine, clamp, castU8, castI16. Signature of each:
// (input: Float32Array, out: <typed array of the same length>, {..., device?}) -> Promise
// (device_task.h: CPU or its CUDA twin).
// rasterize(packed: Float64Array, labelPriority: Float64Array(256), coverage: Float64Array(n),
//           options: {dims, device?}, intensity: Float32Array | null, labels: Uint8Array | null)
//   -> Promise (device_task.h)
// `packed` holds one shape per 112 numbers in the layout lib/ops/rasterize.ts documents;
// raster_shapes.cc unpacks it (shared with bind_render.cc). The kernel checks the geometry.
// labelBounds, labelMaskBox, labelChunkOccupancy, cropBox: label-map utilities (volume/label_ops.h).
#include <vector>

#include "cuda/device.h"
#include "device_task.h"
#include "js_args.h"
#include "kernel_args.h"
#include "raster_shapes.h"
#include "registry.h"
#include "volume/intensity.h"
#include "volume/label_ops.h"
#include "volume/masked_gather.h"
#include "volume/rasterize.h"

namespace msb {
namespace {

Napi::Value window_level(const Napi::CallbackInfo& info) {
  const FloatPair p = float_pair(info, Access::kWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const float center = static_cast<float>(number_field(o, "center"));
  const float width = static_cast<float>(number_field(o, "width"));
  const float out_min = static_cast<float>(number_field(o, "outMin"));
  const float out_max = static_cast<float>(number_field(o, "outMax"));
  if (!(width > 0)) throw_invalid(info.Env(), "width must be > 0");
  const Device device = device_field(o);
  auto kernel = on_device(device, ms::window_level, ms::cuda::window_level);
  return queue_on(info.Env(), device, [=] { kernel(p.in.data, p.out.data, static_cast<int64_t>(p.in.length), center, width, out_min, out_max); }, {info[0], info[1]});
}

Napi::Value affine(const Napi::CallbackInfo& info) {
  const FloatPair p = float_pair(info, Access::kWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const float scale = static_cast<float>(number_field(o, "scale"));
  const float offset = static_cast<float>(number_field(o, "offset"));
  const Device device = device_field(o);
  auto kernel = on_device(device, ms::affine, ms::cuda::affine);
  return queue_on(info.Env(), device, [=] { kernel(p.in.data, p.out.data, static_cast<int64_t>(p.in.length), scale, offset); }, {info[0], info[1]});
}

Napi::Value clamp(const Napi::CallbackInfo& info) {
  const FloatPair p = float_pair(info, Access::kWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const float lo = static_cast<float>(number_field(o, "lo"));
  const float hi = static_cast<float>(number_field(o, "hi"));
  if (!(lo <= hi)) throw_invalid(info.Env(), "lo must be <= hi");
  const Device device = device_field(o);
  auto kernel = on_device(device, ms::clamp, ms::cuda::clamp);
  return queue_on(info.Env(), device, [=] { kernel(p.in.data, p.out.data, static_cast<int64_t>(p.in.length), lo, hi); }, {info[0], info[1]});
}

template <typename T, void (*Cast)(const float*, T*, int64_t, float, float),
          void (*CudaCast)(const float*, T*, int64_t, float, float)>
Napi::Value cast(const Napi::CallbackInfo& info) {
  const View<float> in = typed_view<float>(info[0], "input");
  const View<T> out = typed_view<T>(info[1], "out", Access::kWrite);
  require_length(info.Env(), out, in.length, "out");
  Napi::Object o = object_arg(info, 2, "params");
  const float scale = static_cast<float>(number_field(o, "scale"));
  const float offset = static_cast<float>(number_field(o, "offset"));
  const Device device = device_field(o);
  auto kernel = on_device(device, Cast, CudaCast);
  return queue_on(info.Env(), device, [=] { kernel(in.data, out.data, static_cast<int64_t>(in.length), scale, offset); },
                  {info[0], info[1]});
}

Napi::Value rasterize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RasterArgs a = raster_args(info);
  const Dims3 dims = a.dims;
  const size_t count = static_cast<size_t>(dims.count());

  ms::RasterTargets targets;
  targets.z = dims.z;
  targets.y = dims.y;
  targets.x = dims.x;
  targets.intensity = optional_target<float>(info, 4, "intensity", count);
  targets.labels = optional_target<uint8_t>(info, 5, "labels", count);
  targets.label_priority = a.priority.data;

  // The task only sees plain data; the holder keeps the optional targets alive.
  Napi::Array holder = Napi::Array::New(env);
  if (targets.intensity != nullptr) holder.Set(0u, info[4]);
  if (targets.labels != nullptr) holder.Set(1u, info[5]);
  double* out = a.coverage.data;
  auto paint = on_device(a.device, ms::rasterize, ms::cuda::rasterize);
  return queue_on(env, a.device, [paint, shapes = std::move(a.shapes), targets, out] { paint(shapes, targets, out); },
                  {info[0], info[1], info[2], holder});
}

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

// labelsFromOneHot(masks: Uint8Array(structures · voxels), out: Uint8Array(voxels), {structures}) -> Promise<void>
Napi::Value labels_from_one_hot(const Napi::CallbackInfo& info) {
  const View<uint8_t> masks = typed_view<uint8_t>(info[0], "masks");
  const View<uint8_t> out = typed_view<uint8_t>(info[1], "out", Access::kReadWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const int64_t structures = integer_field(o, "structures", 1, 255);
  require_length(info.Env(), masks, out.length * static_cast<size_t>(structures), "masks");
  return queue_task(info.Env(), [=] {
    ms::labels_from_one_hot(masks.data, structures, static_cast<int64_t>(out.length), out.data);
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

// maskedGather(x: Float32Array [n], mask: Uint8Array [n], out: Float32Array [set mask bytes])
//     -> Promise<void> (volume/masked_gather.h)
Napi::Value masked_gather(const Napi::CallbackInfo& info) {
  const View<float> x = typed_view<float>(info[0], "x");
  const View<uint8_t> mask = typed_view<uint8_t>(info[1], "mask");
  const View<float> out = typed_view<float>(info[2], "out", Access::kReadWrite);
  require_length(info.Env(), mask, x.length, "mask");
  if (out.length > x.length) throw_invalid(info.Env(), "out must not be longer than x");
  return queue_task(info.Env(), [=] {
    ms::masked_gather(x.data, mask.data, static_cast<int64_t>(x.length), out.data, static_cast<int64_t>(out.length));
  }, {info[0], info[1], info[2]});
}

}  // namespace

void register_volume(Napi::Env env, Napi::Object exports) {
  exports.Set("windowLevel", Napi::Function::New(env, window_level));
  exports.Set("affine", Napi::Function::New(env, affine));
  exports.Set("clamp", Napi::Function::New(env, clamp));
  exports.Set("castU8", Napi::Function::New(env, cast<uint8_t, ms::cast_u8, ms::cuda::cast_u8>));
  exports.Set("castI16", Napi::Function::New(env, cast<int16_t, ms::cast_i16, ms::cuda::cast_i16>));
  exports.Set("rasterize", Napi::Function::New(env, rasterize));
  exports.Set("labelBounds", Napi::Function::New(env, label_bounds));
  exports.Set("labelMaskBox", Napi::Function::New(env, label_mask_box));
  exports.Set("labelsFromOneHot", Napi::Function::New(env, labels_from_one_hot));
  exports.Set("labelChunkOccupancy", Napi::Function::New(env, label_chunk_occupancy));
  exports.Set("cropBox", Napi::Function::New(env, crop_box));
  exports.Set("maskedGather", Napi::Function::New(env, masked_gather));
}

}  // namespace msb
