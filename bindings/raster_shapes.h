// Reading the rasterizer's arguments: the packed shape table (one shape per kPackStride float64s,
// in the layout lib/ops/rasterize.ts documents and writes) and the 256-entry label priority
// table. Shared by bind_volume.cc and bind_render.cc.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

#include "device_task.h"
#include "js_args.h"
#include "volume/rasterize.h"

namespace msb {

// Checks the table's length and its integer fields; the kernel checks the geometry.
std::vector<ms::RasterShape> unpack_shapes(Napi::Env env, const View<double>& packed, int64_t slices);

// info[index] as the 256 label priorities (no NaN).
View<double> label_priority_arg(const Napi::CallbackInfo& info, size_t index);

// The four arguments every rasterizing call starts with:
//   (packed: Float64Array, labelPriority: Float64Array(256), coverage: Float64Array(shapes),
//    options: {dims, device?, ...})
struct RasterArgs {
  Napi::Object options;
  Device device;
  Dims3 dims;
  std::vector<ms::RasterShape> shapes;
  View<double> priority;
  View<double> coverage;  // one per shape
};
RasterArgs raster_args(const Napi::CallbackInfo& info);

}  // namespace msb
