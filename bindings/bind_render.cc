// Render: a whole volume sample in one call (render/volume_sample.h), on either device.
//   renderVolumeSample(packed: Float64Array, labelPriority: Float64Array(256),
//                      coverage: Float64Array(shapes), params, image, labels | null, work | null)
//   params: {dims, blur?: {sigma: [sz, sy, sx] voxels, truncate}, bias?: {order, coefficients},
//            noise?: {kind, sigma | scale, seed, sample?, stream?}, image: 'float32' | 'uint8' | 'int16',
//            cast?: {scale, offset}, device?: 'cpu' | 'cuda'}
//   image: the image type's typed array; work: CPU only, the Float32Array intensity of an
//   integer image (allocated natively when null). -> Promise (device_task.h).
#include <string>
#include <utility>

#include "cuda/device.h"
#include "device_task.h"
#include "kernel_args.h"
#include "raster_shapes.h"
#include "registry.h"
#include "render/volume_sample.h"

namespace msb {
namespace {

bool has_field(const Napi::Object& o, const char* key) { return o.Has(key) && !o.Get(key).IsUndefined(); }

Napi::Object object_field(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsObject()) throw_invalid(o.Env(), std::string(key) + " must be an object");
  return v.As<Napi::Object>();
}

Napi::Value render_volume_sample(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RasterArgs a = raster_args(info);
  Napi::Object o = a.options;
  const Device device = a.device;
  const auto count = static_cast<size_t>(a.dims.count());
  ms::VolumeSampleSpec spec;
  spec.z = a.dims.z;
  spec.y = a.dims.y;
  spec.x = a.dims.x;
  spec.shapes = std::move(a.shapes);
  spec.label_priority.assign(a.priority.data, a.priority.data + 256);
  if (has_field(o, "blur")) {
    const BlurArgs b = blur_args(object_field(o, "blur"));
    spec.blur = true;
    spec.blur_truncate = b.truncate;
    for (int i = 0; i < 3; ++i) spec.blur_sigma[i] = b.sigma[i];
  }
  if (has_field(o, "bias")) {
    BiasArgs b = bias_args(object_field(o, "bias"));
    spec.bias_order = b.order;
    spec.bias_coefficients = std::move(b.coefficients);
  }
  if (has_field(o, "noise")) {
    const NoiseArgs n = noise_args(object_field(o, "noise"), count);
    spec.noise = n.kind;
    spec.noise_sigma = n.sigma;
    spec.poisson_scale = n.scale;
    spec.noise_key = n.key;
  }
  const std::string image_type = string_field(o, "image");
  void* image = nullptr;
  if (image_type == "float32") {
    spec.image_type = ms::ImageType::kFloat32;
    image = optional_target<float>(info, 4, "image", count);
  } else if (image_type == "uint8") {
    spec.image_type = ms::ImageType::kUint8;
    image = optional_target<uint8_t>(info, 4, "image", count);
  } else if (image_type == "int16") {
    spec.image_type = ms::ImageType::kInt16;
    image = optional_target<int16_t>(info, 4, "image", count);
  } else {
    throw_invalid(env, "image must be 'float32', 'uint8' or 'int16'");
  }
  if (image == nullptr) throw_invalid(env, "image must be a typed array for the image type");
  if (has_field(o, "cast")) {
    Napi::Object c = object_field(o, "cast");
    spec.cast_scale = static_cast<float>(number_field(c, "scale"));
    spec.cast_offset = static_cast<float>(number_field(c, "offset"));
  }
  ms::VolumeSampleTargets targets;
  targets.image = image;
  targets.labels = optional_target<uint8_t>(info, 5, "labels", count);
  targets.coverage_sum = a.coverage.data;
  targets.work = device == Device::kCpu ? optional_target<float>(info, 6, "work", count) : nullptr;
  // Only objects can be kept alive: the holder keeps the optional targets.
  Napi::Array holder = Napi::Array::New(env);
  holder.Set(0u, info[4]);
  if (targets.labels != nullptr) holder.Set(1u, info[5]);
  if (targets.work != nullptr) holder.Set(2u, info[6]);
  auto render = on_device(device, ms::render_volume_sample, ms::cuda::render_volume_sample);
  return queue_on(env, device, [render, spec = std::move(spec), targets] { render(spec, targets); },
                  {info[0], info[2], holder});
}

}  // namespace

void register_render(Napi::Env env, Napi::Object exports) {
  exports.Set("renderVolumeSample", Napi::Function::New(env, render_volume_sample));
}

}  // namespace msb
