// CUDA: device facts and the CUDA twins of the kernels.
//   cudaInfo() -> {compiled, available, reason?, deviceCount, device?, runtimeVersion, driverVersion}
//   setCudaMemoryLimit({bytes}), cudaMemoryUsage() -> {inUse, limit}, releaseCudaMemory()
//   cudaCopyBandwidth({bytes, repeats}) -> Promise<GB/s>
// Each twin takes exactly the arguments of the CPU binding of the same name without the prefix
// (cudaGaussianBlur ~ gaussianBlur, ...) and resolves with the call's timing
// {deviceMs, uploadMs, downloadMs, totalMs}; in a build without CUDA it rejects with
// CUDA_UNAVAILABLE. cudaRenderSample(packed, labelPriority, coverage, params, image, labels)
// runs a whole sample on the device (native/core/device.h, render_sample).
#include <array>
#include <memory>
#include <string>
#include <utility>

#include "core/device.h"
#include "filter/gaussian_blur.h"
#include "field/bias_field.h"
#include "js_args.h"
#include "raster_shapes.h"
#include "registry.h"

namespace msb {
namespace {

namespace mc = ms::cuda;

Napi::Value timing_object(Napi::Env env, const mc::CallTiming& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("deviceMs", t.device_ms);
  o.Set("uploadMs", t.upload_ms);
  o.Set("downloadMs", t.download_ms);
  o.Set("totalMs", t.total_ms);
  return o;
}

// Queues a CUDA call and resolves with its timing (read on the worker thread that ran it).
template <typename Fn>
Napi::Value queue_cuda(Napi::Env env, Fn fn, std::initializer_list<Napi::Value> keep_alive) {
  auto timing = std::make_shared<mc::CallTiming>();
  return queue_task(
      env,
      [fn = std::move(fn), timing] {
        fn();
        *timing = mc::last_call_timing();
      },
      keep_alive, [timing](Napi::Env e) { return timing_object(e, *timing); });
}

// An optional object field: present (not undefined) or not; a present non-object is an error.
bool has_field(const Napi::Object& o, const char* key) { return o.Has(key) && !o.Get(key).IsUndefined(); }

Napi::Object object_field(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsObject()) throw_invalid(o.Env(), std::string(key) + " must be an object");
  return v.As<Napi::Object>();
}

// ---- device facts ------------------------------------------------------------------------------

Napi::Value cuda_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const mc::CudaInfo c = mc::cuda_info();
  Napi::Object o = Napi::Object::New(env);
  o.Set("compiled", c.compiled);
  o.Set("available", c.available);
  if (!c.available) o.Set("reason", c.reason);
  o.Set("deviceCount", c.device_count);
  o.Set("runtimeVersion", c.runtime_version);
  o.Set("driverVersion", c.driver_version);
  if (c.device >= 0 && !c.name.empty()) {
    Napi::Object d = Napi::Object::New(env);
    d.Set("index", c.device);
    d.Set("name", c.name);
    d.Set("computeCapability", std::to_string(c.cc_major) + "." + std::to_string(c.cc_minor));
    d.Set("multiprocessors", c.multiprocessors);
    d.Set("totalMemory", static_cast<double>(c.total_memory));
    d.Set("freeMemory", static_cast<double>(c.free_memory));
    o.Set("device", d);
  }
  return o;
}

Napi::Value set_memory_limit(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 0, "options");
  mc::set_memory_limit(static_cast<uint64_t>(integer_field(o, "bytes", 0, 9007199254740991LL)));
  return info.Env().Undefined();
}

Napi::Value memory_usage(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("inUse", static_cast<double>(mc::memory_in_use()));
  o.Set("limit", static_cast<double>(mc::memory_limit()));
  return o;
}

Napi::Value release_memory(const Napi::CallbackInfo& info) {
  mc::release_cached_memory();
  return info.Env().Undefined();
}

Napi::Value copy_bandwidth(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 0, "options");
  const auto bytes = static_cast<uint64_t>(integer_field(o, "bytes", 1, int64_t{1} << 40));
  const auto repeats = static_cast<int>(integer_field(o, "repeats", 1, 1000));
  auto result = std::make_shared<double>(0.0);
  return queue_task(info.Env(), [=] { *result = mc::measure_copy_bandwidth(bytes, repeats); }, {},
                    [result](Napi::Env env) { return Napi::Number::New(env, *result); });
}

// ---- intensity: (input, out, params) -------------------------------------------------------------

struct FloatPair {
  View<float> in, out;
};

FloatPair float_pair(const Napi::CallbackInfo& info) {
  FloatPair p{typed_view<float>(info[0], "input"), typed_view<float>(info[1], "out", Access::kReadWrite)};
  require_length(info.Env(), p.out, p.in.length, "out");
  return p;
}

Napi::Value window_level(const Napi::CallbackInfo& info) {
  const FloatPair p = float_pair(info);
  Napi::Object o = object_arg(info, 2, "params");
  const auto center = static_cast<float>(number_field(o, "center"));
  const auto width = static_cast<float>(number_field(o, "width"));
  const auto out_min = static_cast<float>(number_field(o, "outMin"));
  const auto out_max = static_cast<float>(number_field(o, "outMax"));
  if (!(width > 0)) throw_invalid(info.Env(), "width must be > 0");
  return queue_cuda(info.Env(), [=] {
    mc::window_level(p.in.data, p.out.data, static_cast<int64_t>(p.in.length), center, width, out_min, out_max);
  }, {info[0], info[1]});
}

Napi::Value affine(const Napi::CallbackInfo& info) {
  const FloatPair p = float_pair(info);
  Napi::Object o = object_arg(info, 2, "params");
  const auto scale = static_cast<float>(number_field(o, "scale"));
  const auto offset = static_cast<float>(number_field(o, "offset"));
  return queue_cuda(info.Env(), [=] {
    mc::affine(p.in.data, p.out.data, static_cast<int64_t>(p.in.length), scale, offset);
  }, {info[0], info[1]});
}

Napi::Value clamp(const Napi::CallbackInfo& info) {
  const FloatPair p = float_pair(info);
  Napi::Object o = object_arg(info, 2, "params");
  const auto lo = static_cast<float>(number_field(o, "lo"));
  const auto hi = static_cast<float>(number_field(o, "hi"));
  if (!(lo <= hi)) throw_invalid(info.Env(), "lo must be <= hi");
  return queue_cuda(info.Env(), [=] {
    mc::clamp(p.in.data, p.out.data, static_cast<int64_t>(p.in.length), lo, hi);
  }, {info[0], info[1]});
}

template <typename T, void (*Cast)(const float*, T*, int64_t, float, float)>
Napi::Value cast(const Napi::CallbackInfo& info) {
  const View<float> in = typed_view<float>(info[0], "input");
  const View<T> out = typed_view<T>(info[1], "out", Access::kReadWrite);
  require_length(info.Env(), out, in.length, "out");
  Napi::Object o = object_arg(info, 2, "params");
  const auto scale = static_cast<float>(number_field(o, "scale"));
  const auto offset = static_cast<float>(number_field(o, "offset"));
  return queue_cuda(info.Env(), [=] { Cast(in.data, out.data, static_cast<int64_t>(in.length), scale, offset); },
                    {info[0], info[1]});
}

// ---- filter, field, noise ------------------------------------------------------------------------

bool overlaps(const float* a, size_t na, const float* b, size_t nb) { return a != b && a < b + nb && b < a + na; }

std::array<double, 3> blur_sigma(Napi::Env env, const Napi::Object& o, double truncate) {
  const std::vector<double> s = number_array_field(o, "sigma");
  if (s.size() != 3) throw_invalid(env, "sigma must hold 3 numbers [sz, sy, sx]");
  std::array<double, 3> sigma{};
  for (size_t i = 0; i < 3; ++i) {
    if (!(s[i] >= 0)) throw_invalid(env, "sigma must hold numbers >= 0");
    if (truncate * s[i] + 0.5 > static_cast<double>(ms::kMaxGaussianRadius)) {
      throw_invalid(env, "sigma * truncate must be at most " + std::to_string(ms::kMaxGaussianRadius) + " voxels");
    }
    sigma[i] = s[i];
  }
  return sigma;
}

double truncate_field(Napi::Env env, const Napi::Object& o) {
  const double truncate = number_field(o, "truncate");
  if (!(truncate > 0)) throw_invalid(env, "truncate must be > 0");
  return truncate;
}

Napi::Value gaussian_blur(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> in = typed_view<float>(info[0], "input");
  const View<float> out = typed_view<float>(info[1], "out", Access::kReadWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const Dims3 dims = dims_field(o, "dims");
  require_length(env, in, static_cast<size_t>(dims.count()), "input");
  require_length(env, out, static_cast<size_t>(dims.count()), "out");
  const double truncate = truncate_field(env, o);
  const std::array<double, 3> sigma = blur_sigma(env, o, truncate);
  if (overlaps(in.data, in.length, out.data, out.length)) throw_invalid(env, "out must be the input itself or not overlap it");
  return queue_cuda(env, [=] { mc::gaussian_blur(in.data, out.data, dims.z, dims.y, dims.x, sigma.data(), truncate); },
                    {info[0], info[1]});
}

struct BiasParams {
  int order;
  std::vector<double> coefficients;
};

BiasParams bias_params(Napi::Env env, const Napi::Object& o) {
  BiasParams p{static_cast<int>(integer_field(o, "order", 0, ms::kMaxBiasOrder)), number_array_field(o, "coefficients")};
  if (static_cast<int64_t>(p.coefficients.size()) != ms::bias_field_term_count(p.order)) {
    throw_invalid(env, "coefficients must hold " + std::to_string(ms::bias_field_term_count(p.order)) +
                           " numbers for order " + std::to_string(p.order));
  }
  return p;
}

Napi::Value bias_field(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool field_only = info[0].IsNull() || info[0].IsUndefined();
  const View<float> in = field_only ? View<float>{} : typed_view<float>(info[0], "input");
  const View<float> out = typed_view<float>(info[1], "out", Access::kReadWrite);
  Napi::Object o = object_arg(info, 2, "params");
  const Dims3 dims = dims_field(o, "dims");
  const BiasParams p = bias_params(env, o);
  const auto count = static_cast<size_t>(dims.count());
  require_length(env, out, count, "out");
  if (!field_only) require_length(env, in, count, "input");
  auto task = [=] {
    mc::bias_field(field_only ? nullptr : in.data, out.data, dims.z, dims.y, dims.x, p.order, p.coefficients.data(),
                   static_cast<int64_t>(p.coefficients.size()));
  };
  return field_only ? queue_cuda(env, task, {info[1]}) : queue_cuda(env, task, {info[0], info[1]});
}

ms::NoiseKey noise_key(const Napi::Object& o) {
  ms::NoiseKey key;
  key.seed = seed_field(o, "seed");
  key.sample = static_cast<uint32_t>(integer_field_or(o, "sample", 0, 0xFFFFFFFFLL, 0));
  key.stream = static_cast<uint32_t>(integer_field_or(o, "stream", 0, 0xFFFFFFFFLL, 0));
  return key;
}

struct NoiseParams {
  mc::NoiseKind kind;
  float sigma = 0;
  double scale = 1;
  ms::NoiseKey key;
};

NoiseParams noise_params(Napi::Env env, const Napi::Object& o, size_t voxels) {
  NoiseParams p;
  const std::string kind = string_field(o, "kind");
  p.key = noise_key(o);
  if (kind == "gaussian" || kind == "rician") {
    const double sigma = number_field(o, "sigma");
    if (!(sigma >= 0 && sigma <= 3.4e38)) throw_invalid(env, "sigma must be >= 0 and fit a float");
    p.kind = kind == "gaussian" ? mc::NoiseKind::kGaussian : mc::NoiseKind::kRician;
    p.sigma = static_cast<float>(sigma);
  } else if (kind == "poisson") {
    p.kind = mc::NoiseKind::kPoisson;
    p.scale = number_field(o, "scale");
    if (!(p.scale > 0)) throw_invalid(env, "scale must be > 0");
    if (static_cast<uint64_t>(voxels) > (uint64_t{1} << 32)) throw_invalid(env, "poisson noise covers at most 2^32 voxels");
  } else {
    throw_invalid(env, "kind must be 'gaussian', 'rician' or 'poisson'");
  }
  return p;
}

Napi::Value add_noise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> in = typed_view<float>(info[0], "input");
  const View<float> out = typed_view<float>(info[1], "out", Access::kReadWrite);
  require_length(env, out, in.length, "out");
  const NoiseParams p = noise_params(env, object_arg(info, 2, "params"), in.length);
  const auto n = static_cast<int64_t>(in.length);
  return queue_cuda(env, [=] {
    if (p.kind == mc::NoiseKind::kGaussian) mc::gaussian_noise(in.data, out.data, n, p.sigma, p.key);
    if (p.kind == mc::NoiseKind::kRician) mc::rician_noise(in.data, out.data, n, p.sigma, p.key);
    if (p.kind == mc::NoiseKind::kPoisson) mc::poisson_noise(in.data, out.data, n, p.scale, p.key);
  }, {info[0], info[1]});
}

Napi::Value normal_noise(const Napi::CallbackInfo& info) {
  const View<float> out = typed_view<float>(info[0], "out", Access::kReadWrite);
  const ms::NoiseKey key = noise_key(object_arg(info, 1, "params"));
  return queue_cuda(info.Env(), [=] { mc::normal_noise(key, out.data, static_cast<int64_t>(out.length)); }, {info[0]});
}

// ---- rasterize and the whole sample --------------------------------------------------------------

template <typename T>
T* optional_target(const Napi::CallbackInfo& info, size_t index, const char* name, size_t count) {
  if (info.Length() <= index || info[index].IsUndefined() || info[index].IsNull()) return nullptr;
  const View<T> v = typed_view<T>(info[index], name, Access::kReadWrite);
  require_length(info.Env(), v, count, name);
  return v.data;
}

Napi::Value rasterize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<double> packed = typed_view<double>(info[0], "packed shapes");
  const View<double> priority = label_priority_arg(info, 1);
  const Dims3 dims = dims_field(object_arg(info, 3, "options"), "dims");
  std::vector<ms::RasterShape> shapes = unpack_shapes(env, packed, dims.z);
  const View<double> coverage = typed_view<double>(info[2], "coverage", Access::kReadWrite);
  require_length(env, coverage, shapes.size(), "coverage");
  const auto count = static_cast<size_t>(dims.count());
  ms::RasterTargets targets;
  targets.z = dims.z;
  targets.y = dims.y;
  targets.x = dims.x;
  targets.intensity = optional_target<float>(info, 4, "intensity", count);
  targets.labels = optional_target<uint8_t>(info, 5, "labels", count);
  targets.label_priority = priority.data;
  Napi::Array holder = Napi::Array::New(env);  // keeps the optional targets alive
  if (targets.intensity != nullptr) holder.Set(0u, info[4]);
  if (targets.labels != nullptr) holder.Set(1u, info[5]);
  double* out = coverage.data;
  return queue_cuda(env, [shapes = std::move(shapes), targets, out] { mc::rasterize(shapes, targets, out); },
                    {info[0], info[1], info[2], holder});
}

// params: {dims, blur?: {sigma: [sz, sy, sx] voxels, truncate}, bias?: {order, coefficients},
//          noise?: {kind, sigma | scale, seed, sample?, stream?}, image: 'float32' | 'uint8' | 'int16',
//          cast?: {scale, offset}}
Napi::Value render_sample(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<double> packed = typed_view<double>(info[0], "packed shapes");
  const View<double> priority = label_priority_arg(info, 1);
  Napi::Object o = object_arg(info, 3, "params");
  const Dims3 dims = dims_field(o, "dims");
  const auto count = static_cast<size_t>(dims.count());
  mc::SampleSpec spec;
  spec.z = dims.z;
  spec.y = dims.y;
  spec.x = dims.x;
  spec.shapes = unpack_shapes(env, packed, dims.z);
  spec.label_priority.assign(priority.data, priority.data + 256);
  const View<double> coverage = typed_view<double>(info[2], "coverage", Access::kReadWrite);
  require_length(env, coverage, spec.shapes.size(), "coverage");
  if (has_field(o, "blur")) {
    Napi::Object b = object_field(o, "blur");
    spec.blur = true;
    spec.blur_truncate = truncate_field(env, b);
    const std::array<double, 3> sigma = blur_sigma(env, b, spec.blur_truncate);
    for (int i = 0; i < 3; ++i) spec.blur_sigma[i] = sigma[i];
  }
  if (has_field(o, "bias")) {
    BiasParams p = bias_params(env, object_field(o, "bias"));
    spec.bias_order = p.order;
    spec.bias_coefficients = std::move(p.coefficients);
  }
  if (has_field(o, "noise")) {
    const NoiseParams p = noise_params(env, object_field(o, "noise"), count);
    spec.noise = p.kind;
    spec.noise_sigma = p.sigma;
    spec.poisson_scale = p.scale;
    spec.noise_key = p.key;
  }
  const std::string image_type = string_field(o, "image");
  void* image = nullptr;
  if (image_type == "float32") {
    spec.image_type = mc::ImageType::kFloat32;
    image = optional_target<float>(info, 4, "image", count);
  } else if (image_type == "uint8") {
    spec.image_type = mc::ImageType::kUint8;
    image = optional_target<uint8_t>(info, 4, "image", count);
  } else if (image_type == "int16") {
    spec.image_type = mc::ImageType::kInt16;
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
  mc::SampleTargets targets;
  targets.image = image;
  targets.labels = optional_target<uint8_t>(info, 5, "labels", count);
  targets.coverage_sum = coverage.data;
  Napi::Array holder = Napi::Array::New(env);
  holder.Set(0u, info[4]);
  if (targets.labels != nullptr) holder.Set(1u, info[5]);
  return queue_cuda(env, [spec = std::move(spec), targets] { mc::render_sample(spec, targets); },
                    {info[0], info[2], holder});
}

}  // namespace

void register_cuda(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaInfo", Napi::Function::New(env, cuda_info));
  exports.Set("setCudaMemoryLimit", Napi::Function::New(env, set_memory_limit));
  exports.Set("cudaMemoryUsage", Napi::Function::New(env, memory_usage));
  exports.Set("releaseCudaMemory", Napi::Function::New(env, release_memory));
  exports.Set("cudaCopyBandwidth", Napi::Function::New(env, copy_bandwidth));
  exports.Set("cudaWindowLevel", Napi::Function::New(env, window_level));
  exports.Set("cudaAffine", Napi::Function::New(env, affine));
  exports.Set("cudaClamp", Napi::Function::New(env, clamp));
  exports.Set("cudaCastU8", Napi::Function::New(env, cast<uint8_t, mc::cast_u8>));
  exports.Set("cudaCastI16", Napi::Function::New(env, cast<int16_t, mc::cast_i16>));
  exports.Set("cudaGaussianBlur", Napi::Function::New(env, gaussian_blur));
  exports.Set("cudaBiasField", Napi::Function::New(env, bias_field));
  exports.Set("cudaAddNoise", Napi::Function::New(env, add_noise));
  exports.Set("cudaNormalNoise", Napi::Function::New(env, normal_noise));
  exports.Set("cudaRasterize", Napi::Function::New(env, rasterize));
  exports.Set("cudaRenderSample", Napi::Function::New(env, render_sample));
}

}  // namespace msb
