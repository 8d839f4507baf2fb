// rasterize(packed: Float64Array, labelPriority: Float64Array(256), coverage: Float64Array(n),
//           options: {dims}, intensity: Float32Array | null, labels: Uint8Array | null)
//   -> Promise<void>
// `packed` holds one shape per 112 numbers in the layout lib/ops/rasterize.ts documents;
// raster_shapes.cc unpacks it (shared with the CUDA binding). The kernel checks the geometry.
#include <vector>

#include "js_args.h"
#include "raster_shapes.h"
#include "registry.h"
#include "volume/rasterize.h"

namespace msb {
namespace {

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
  const size_t count = static_cast<size_t>(dims.count());

  ms::RasterTargets targets;
  targets.z = dims.z;
  targets.y = dims.y;
  targets.x = dims.x;
  targets.intensity = optional_target<float>(info, 4, "intensity", count);
  targets.labels = optional_target<uint8_t>(info, 5, "labels", count);
  targets.label_priority = priority.data;

  // The task only sees plain data; the holder keeps the optional targets alive.
  Napi::Array holder = Napi::Array::New(env);
  if (targets.intensity != nullptr) holder.Set(0u, info[4]);
  if (targets.labels != nullptr) holder.Set(1u, info[5]);
  double* out = coverage.data;
  return queue_task(env, [shapes = std::move(shapes), targets, out] { ms::rasterize(shapes, targets, out); },
                    {info[0], info[1], info[2], holder});
}

}  // namespace

void register_rasterize(Napi::Env env, Napi::Object exports) {
  exports.Set("rasterize", Napi::Function::New(env, rasterize));
}

}  // namespace msb
