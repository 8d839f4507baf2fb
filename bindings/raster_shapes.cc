#include "raster_shapes.h"

#include <cmath>
#include <string>

namespace msb {
namespace {

// Offsets into one packed shape; keep in step with lib/ops/rasterize.ts.
constexpr size_t kType = 0, kBlend = 1, kIntensity = 2, kLabel = 3, kPriority = 4, kPlane = 5;
constexpr size_t kCenter = 6, kRadii = 9, kA = 12, kB = 15, kRadius = 18, kRotation = 19;
constexpr size_t kHilumDepth = 28, kHilumWidth = 29, kNHarmonics = 30, kNSpicules = 31;
constexpr size_t kHarmonics = 32, kHarmonicStride = 5;  // amplitude, degree, axis z, y, x
constexpr size_t kSpicules = kHarmonics + ms::kMaxHarmonics * kHarmonicStride;
constexpr size_t kSpiculeStride = 5;  // direction z, y, x, length, width
constexpr size_t kPackStride = kSpicules + ms::kMaxSpicules * kSpiculeStride;
static_assert(kPackStride == 112, "the packed layout is part of the TS contract");

int32_t packed_int(Napi::Env env, double v, double lo, double hi, size_t shape, const char* what) {
  if (!(v >= lo && v <= hi) || v != std::floor(v)) {
    throw_invalid(env, "shape " + std::to_string(shape) + ": " + what + " must be an integer in [" +
                           std::to_string(static_cast<int64_t>(lo)) + ", " +
                           std::to_string(static_cast<int64_t>(hi)) + "]");
  }
  return static_cast<int32_t>(v);
}

}  // namespace

std::vector<ms::RasterShape> unpack_shapes(Napi::Env env, const View<double>& packed, int64_t slices) {
  if (packed.length % kPackStride != 0) {
    throw_invalid(env, "packed shapes must hold a multiple of " + std::to_string(kPackStride) + " numbers");
  }
  const size_t n = packed.length / kPackStride;
  std::vector<ms::RasterShape> shapes(n);
  for (size_t i = 0; i < n; ++i) {
    const double* s = packed.data + i * kPackStride;
    ms::RasterShape& r = shapes[i];
    ms::ShapeParams& g = r.geometry;
    g.kind = packed_int(env, s[kType], 0, 4, i, "type");
    r.blend = packed_int(env, s[kBlend], 0, 2, i, "blend");
    r.intensity = static_cast<float>(s[kIntensity]);
    r.label = packed_int(env, s[kLabel], -1, 255, i, "label");
    r.priority = s[kPriority];
    r.plane = packed_int(env, s[kPlane], -1, static_cast<double>(slices - 1), i, "plane");
    for (int k = 0; k < 3; ++k) {
      g.center[k] = s[kCenter + k];
      g.radii[k] = s[kRadii + k];
      g.a[k] = s[kA + k];
      g.b[k] = s[kB + k];
    }
    g.radius = s[kRadius];
    for (int k = 0; k < 9; ++k) g.rotation[k] = s[kRotation + k];
    g.hilum_depth = s[kHilumDepth];
    g.hilum_width = s[kHilumWidth];
    g.n_harmonics = packed_int(env, s[kNHarmonics], 0, ms::kMaxHarmonics, i, "harmonic count");
    g.n_spicules = packed_int(env, s[kNSpicules], 0, ms::kMaxSpicules, i, "spicule count");
    for (int m = 0; m < g.n_harmonics; ++m) {
      const double* h = s + kHarmonics + m * kHarmonicStride;
      g.harmonics[m].amplitude = h[0];
      g.harmonics[m].degree = packed_int(env, h[1], 0, ms::kMaxHarmonicDegree, i, "harmonic degree");
      for (int k = 0; k < 3; ++k) g.harmonics[m].axis[k] = h[2 + k];
    }
    for (int j = 0; j < g.n_spicules; ++j) {
      const double* p = s + kSpicules + j * kSpiculeStride;
      for (int k = 0; k < 3; ++k) g.spicules[j].direction[k] = p[k];
      g.spicules[j].length = p[3];
      g.spicules[j].width = p[4];
    }
  }
  return shapes;
}

View<double> label_priority_arg(const Napi::CallbackInfo& info, size_t index) {
  const View<double> priority = typed_view<double>(info[index], "labelPriority");
  require_length(info.Env(), priority, 256, "labelPriority");
  for (size_t i = 0; i < 256; ++i) {
    if (std::isnan(priority.data[i])) throw_invalid(info.Env(), "labelPriority must hold numbers");
  }
  return priority;
}

RasterArgs raster_args(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<double> packed = typed_view<double>(info[0], "packed shapes");
  RasterArgs a{object_arg(info, 3, "options"), Device::kCpu, {}, {}, label_priority_arg(info, 1), {}};
  a.device = device_field(a.options);
  a.dims = dims_field(a.options, "dims");
  a.shapes = unpack_shapes(env, packed, a.dims.z);
  a.coverage = typed_view<double>(info[2], "coverage", Access::kReadWrite);
  require_length(env, a.coverage, a.shapes.size(), "coverage");
  return a;
}

}  // namespace msb
