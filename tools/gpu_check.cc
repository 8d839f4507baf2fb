// medsynth_gpu_check: the CUDA twins against the CPU kernels, without Node.
//
//   medsynth_gpu_check [--only GROUP]  correctness: every kernel and whole samples on random
//                                      inputs, in place and not, two concurrent samples, the
//                                      out-of-memory paths (groups: intensity, blur, bias, noise,
//                                      rasterize, sample, concurrent, errors, memory). Exit 0 when
//                                      all pass, 1 on any mismatch or error, 77 when there is no
//                                      usable CUDA device.
//   medsynth_gpu_check --bench [--markdown FILE] [--repeats N] [--sizes small|large|all]
//                                      timings at 128×256×256 and 256×512×512 (CUDA events for
//                                      device time), as a table; FILE gets it as Markdown.
//
// Tolerances (the issue's): Gaussian blur and bias field <= 1e-5 relative; noise: the same Philox
// draws, values within 1e-6; rasterize: identical labels and coverage, intensities within 1e-6;
// intensity steps within 1e-6 (casts exact, or off by one where a fused multiply-add moves a
// value across a rounding tie). "Relative" is to max(|value|, a floor of the sum's scale): where
// a sum cancels (in·scale + offset near 0, in + σ·N near 0, a blend near 0) one rounding of a
// term is the error.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cuda/device.h"
#include "core/error.h"
#include "core/simd.h"
#include "core/thread_pool.h"
#include "field/bias_field.h"
#include "filter/gaussian_blur.h"
#include "noise/noise.h"
#include "render/volume_sample.h"
#include "volume/intensity.h"
#include "volume/rasterize.h"

namespace {

namespace mc = ms::cuda;

// ---- reporting -----------------------------------------------------------------------------------

int g_failures = 0;

void report(bool ok, const std::string& name, const std::string& detail) {
  std::printf("%s  %-48s %s\n", ok ? "ok  " : "FAIL", name.c_str(), detail.c_str());
  std::fflush(stdout);
  if (!ok) ++g_failures;
}

std::string fmt(const char* format, double a, double b = 0, double c = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, format, a, b, c);
  return buf;
}

// Largest |a - b| / max(|b|, floor) over the arrays (NaN must match NaN).
double max_relative_error(const float* a, const float* b, size_t n, double floor) {
  double worst = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      if (std::isnan(a[i]) != std::isnan(b[i])) return std::numeric_limits<double>::infinity();
      continue;
    }
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]) / std::max(std::fabs(static_cast<double>(b[i])), floor);
    worst = std::max(worst, d);
  }
  return worst;
}

double max_abs(const float* a, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(a[i])) m = std::max(m, std::fabs(static_cast<double>(a[i])));
  return m;
}

void compare_floats(const std::string& name, const std::vector<float>& gpu, const std::vector<float>& cpu,
                    double tolerance, double floor) {
  const double err = max_relative_error(gpu.data(), cpu.data(), cpu.size(), floor);
  report(err <= tolerance, name, fmt("max rel err %.3g (tol %.0e)", err, tolerance));
}

template <typename T>
size_t count_different(const std::vector<T>& a, const std::vector<T>& b) {
  size_t d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += a[i] != b[i];
  return d;
}

template <typename T>
int64_t max_int_difference(const std::vector<T>& a, const std::vector<T>& b) {
  int64_t d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max<int64_t>(d, std::llabs(int64_t{a[i]} - int64_t{b[i]}));
  return d;
}

// Runs fn; a thrown ms::Error is a failure of `name`.
bool guarded(const std::string& name, const std::function<void()>& fn) {
  try {
    fn();
    return true;
  } catch (const ms::Error& e) {
    report(false, name, "threw " + e.code() + ": " + e.what());
  } catch (const std::exception& e) {
    report(false, name, std::string("threw: ") + e.what());
  }
  return false;
}

// ---- random inputs -------------------------------------------------------------------------------

struct Rng {
  std::mt19937_64 engine;
  explicit Rng(uint64_t seed) : engine(seed) {}
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(engine); }
  int integer(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(engine); }
};

std::vector<float> random_volume(Rng& rng, size_t n, double lo, double hi) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.uniform(lo, hi));
  return v;
}

struct Dims {
  int64_t z, y, x;
  int64_t count() const { return z * y * x; }
  std::string str() const {
    return std::to_string(z) + "x" + std::to_string(y) + "x" + std::to_string(x);
  }
};

// R = Rz(a) Ry(b) Rx(c), row-major on [z, y, x] vectors (lib/ops/rasterize.ts, eulerZYXToMatrix).
void euler_rotation(double a, double b, double c, double* R) {
  const double rz[9] = {1, 0, 0, 0, std::cos(a), std::sin(a), 0, -std::sin(a), std::cos(a)};
  const double ry[9] = {std::cos(b), 0, -std::sin(b), 0, 1, 0, std::sin(b), 0, std::cos(b)};
  const double rx[9] = {std::cos(c), std::sin(c), 0, -std::sin(c), std::cos(c), 0, 0, 0, 1};
  double t[9] = {};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) t[i * 3 + j] += rz[i * 3 + k] * ry[k * 3 + j];
  for (int i = 0; i < 9; ++i) R[i] = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) R[i * 3 + j] += t[i * 3 + k] * rx[k * 3 + j];
}

void random_unit(Rng& rng, double* v) {
  double n = 0;
  do {
    for (int i = 0; i < 3; ++i) v[i] = rng.uniform(-1, 1);
    n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  } while (n < 0.1);
  for (int i = 0; i < 3; ++i) v[i] /= n;
}

// Every kind, blend and label rule, some shapes in plane mode, some partly outside the volume.
std::vector<ms::RasterShape> random_shapes(Rng& rng, const Dims& d, int count, bool planes) {
  std::vector<ms::RasterShape> shapes;
  const double extent[3] = {static_cast<double>(d.z), static_cast<double>(d.y), static_cast<double>(d.x)};
  const double scale = std::min({extent[0], extent[1], extent[2]});
  for (int i = 0; i < count; ++i) {
    ms::RasterShape s;
    ms::ShapeParams& g = s.geometry;
    g.kind = i % 5;
    for (int k = 0; k < 3; ++k) g.center[k] = rng.uniform(-0.1, 1.1) * extent[k];
    for (int k = 0; k < 3; ++k) g.radii[k] = rng.uniform(0.05, 0.35) * scale + 0.6;
    euler_rotation(rng.uniform(-3.2, 3.2), rng.uniform(-3.2, 3.2), rng.uniform(-3.2, 3.2), g.rotation);
    for (int k = 0; k < 3; ++k) {
      g.a[k] = rng.uniform(0.0, 1.0) * extent[k];
      g.b[k] = rng.uniform(0.0, 1.0) * extent[k];
    }
    g.radius = rng.uniform(0.05, 0.25) * scale + 0.6;
    g.hilum_depth = rng.uniform(0.0, 0.6);
    g.hilum_width = rng.uniform(0.2, 1.5);
    if (g.kind == ms::kLobulated) {
      g.n_harmonics = rng.integer(0, 4);
      double budget = 0.9;
      for (int m = 0; m < g.n_harmonics; ++m) {
        const double amplitude = rng.uniform(-1, 1) * budget * 0.5;
        budget -= std::fabs(amplitude);
        g.harmonics[m].amplitude = amplitude;
        g.harmonics[m].degree = rng.integer(0, 8);
        random_unit(rng, g.harmonics[m].axis);
      }
      // Spicules longer than wide: a tip inside the base sphere makes round_cone_sdf no distance.
      g.n_spicules = rng.integer(0, 4);
      for (int j = 0; j < g.n_spicules; ++j) {
        random_unit(rng, g.spicules[j].direction);
        g.spicules[j].width = rng.uniform(0.5, 2.0);
        g.spicules[j].length = g.spicules[j].width + rng.uniform(0.0, 0.5 * scale);
      }
    }
    s.intensity = static_cast<float>(rng.uniform(-200, 800));
    s.label = rng.integer(-1, 12);
    s.priority = rng.integer(0, 5);
    s.blend = rng.integer(0, 2);
    s.plane = planes && rng.integer(0, 3) == 0 ? rng.integer(0, static_cast<int>(d.z - 1)) : -1;
    shapes.push_back(s);
  }
  return shapes;
}

std::vector<double> priority_table(const std::vector<ms::RasterShape>& shapes) {
  std::vector<double> table(256, 0.0);
  for (const auto& s : shapes)
    if (s.label >= 0) table[s.label] = std::max(table[s.label], s.priority);
  table[0] = -std::numeric_limits<double>::infinity();
  return table;
}

// ---- the CPU whole sample ------------------------------------------------------------------------

ms::VolumeSampleSpec sample_spec(Rng& rng, const Dims& d, int shapes, ms::NoiseKind noise, ms::ImageType type) {
  ms::VolumeSampleSpec spec;
  spec.z = d.z;
  spec.y = d.y;
  spec.x = d.x;
  spec.shapes = random_shapes(rng, d, shapes, false);
  for (auto& s : spec.shapes) s.intensity = static_cast<float>(rng.uniform(20, 230));
  spec.label_priority = priority_table(spec.shapes);
  spec.blur = true;
  spec.blur_sigma[0] = 0.9;
  spec.blur_sigma[1] = 0.75;
  spec.blur_sigma[2] = 0.75;
  spec.bias_order = 3;
  for (int t = 0; t < ms::bias_field_term_count(3); ++t) spec.bias_coefficients.push_back(rng.uniform(-0.1, 0.1));
  spec.noise = noise;
  spec.noise_sigma = 4.0f;
  spec.poisson_scale = 2.0;
  spec.noise_key = ms::NoiseKey{42, 7, 3};
  spec.image_type = type;
  return spec;
}


// ---- correctness ---------------------------------------------------------------------------------

void check_intensity(Rng& rng, const Dims& d) {
  const size_t n = static_cast<size_t>(d.count());
  std::vector<float> in = random_volume(rng, n, -1500, 1500);
  in[0] = std::numeric_limits<float>::quiet_NaN();
  in[1] = 0.5f;
  in[2] = -0.5f;
  in[3] = 254.5f;
  std::vector<float> cpu(n), gpu(n);
  const std::string size = " " + d.str();
  ms::window_level(in.data(), cpu.data(), n, 40.0f, 400.0f, 0.0f, 255.0f);
  if (guarded("window_level" + size, [&] { mc::window_level(in.data(), gpu.data(), n, 40.0f, 400.0f, 0.0f, 255.0f); })) {
    compare_floats("window_level" + size, gpu, cpu, 1e-6, 255.0);
  }
  ms::affine(in.data(), cpu.data(), n, 0.37f, -12.5f);
  if (guarded("affine" + size, [&] { mc::affine(in.data(), gpu.data(), n, 0.37f, -12.5f); })) {
    compare_floats("affine" + size, gpu, cpu, 1e-6, max_abs(cpu.data(), n));
  }
  ms::clamp(in.data(), cpu.data(), n, -100.0f, 300.0f);
  if (guarded("clamp" + size, [&] { mc::clamp(in.data(), gpu.data(), n, -100.0f, 300.0f); })) {
    compare_floats("clamp" + size, gpu, cpu, 0, 1e-3);
  }
  std::vector<uint8_t> cu(n), gu(n);
  ms::cast_u8(in.data(), cu.data(), n, 1.0f, 0.0f);
  if (guarded("cast_u8" + size, [&] { mc::cast_u8(in.data(), gu.data(), n, 1.0f, 0.0f); })) {
    report(count_different(gu, cu) == 0, "cast_u8 (identity map)" + size, fmt("%.0f differ", count_different(gu, cu)));
  }
  ms::cast_u8(in.data(), cu.data(), n, 0.1f, 100.0f);
  if (guarded("cast_u8" + size, [&] { mc::cast_u8(in.data(), gu.data(), n, 0.1f, 100.0f); })) {
    report(max_int_difference(gu, cu) <= 1, "cast_u8 (scaled)" + size,
           fmt("max diff %.0f, %.0f differ", max_int_difference(gu, cu), count_different(gu, cu)));
  }
  std::vector<int16_t> ci(n), gi(n);
  ms::cast_i16(in.data(), ci.data(), n, 30.0f, 0.0f);
  if (guarded("cast_i16" + size, [&] { mc::cast_i16(in.data(), gi.data(), n, 30.0f, 0.0f); })) {
    report(max_int_difference(gi, ci) <= 1, "cast_i16 (saturating)" + size,
           fmt("max diff %.0f, %.0f differ", max_int_difference(gi, ci), count_different(gi, ci)));
  }
}

void check_blur(Rng& rng, const Dims& d, double sz, double sy, double sx, double truncate) {
  const size_t n = static_cast<size_t>(d.count());
  const std::vector<float> in = random_volume(rng, n, 0, 1000);
  const double sigma[3] = {sz, sy, sx};
  std::vector<float> cpu(n), gpu(n);
  ms::gaussian_blur(in.data(), cpu.data(), d.z, d.y, d.x, sigma, truncate);
  const std::string name = "gaussian_blur " + d.str() + fmt(" sigma %.2g,%.2g,%.2g", sz, sy, sx);
  if (guarded(name, [&] { mc::gaussian_blur(in.data(), gpu.data(), d.z, d.y, d.x, sigma, truncate); })) {
    compare_floats(name, gpu, cpu, 1e-5, 1e-3 * max_abs(cpu.data(), n));
  }
  std::vector<float> same = in;  // in place
  if (guarded(name + " in place", [&] { mc::gaussian_blur(same.data(), same.data(), d.z, d.y, d.x, sigma, truncate); })) {
    report(same == gpu, name + " in place", "equals out of place");
  }
}

void check_bias(Rng& rng, const Dims& d, int order) {
  const size_t n = static_cast<size_t>(d.count());
  const std::vector<float> in = random_volume(rng, n, 0, 1000);
  std::vector<double> c;
  for (int t = 0; t < ms::bias_field_term_count(order); ++t) c.push_back(rng.uniform(-0.6, 0.6));
  std::vector<float> cpu(n), gpu(n);
  const std::string name = "bias_field " + d.str() + " order " + std::to_string(order);
  ms::bias_field(in.data(), cpu.data(), d.z, d.y, d.x, order, c.data(), static_cast<int64_t>(c.size()));
  if (guarded(name, [&] { mc::bias_field(in.data(), gpu.data(), d.z, d.y, d.x, order, c.data(), c.size()); })) {
    compare_floats(name, gpu, cpu, 1e-5, 1e-3 * max_abs(cpu.data(), n));
  }
  ms::bias_field(nullptr, cpu.data(), d.z, d.y, d.x, order, c.data(), static_cast<int64_t>(c.size()));
  if (guarded(name + " (field)", [&] { mc::bias_field(nullptr, gpu.data(), d.z, d.y, d.x, order, c.data(), c.size()); })) {
    compare_floats(name + " (field)", gpu, cpu, 1e-5, 1e-6);
  }
}

void check_noise(Rng& rng, int64_t n) {
  const size_t count = static_cast<size_t>(n);
  const ms::NoiseKey key{0x123456789abcdefULL, 17, 5};
  const std::string size = " n=" + std::to_string(n);
  std::vector<float> cpu(count), gpu(count);
  ms::normal_noise(key, cpu.data(), n);
  if (guarded("normal_noise" + size, [&] { mc::normal_noise(key, gpu.data(), n); })) {
    compare_floats("normal_noise" + size, gpu, cpu, 1e-6, 1.0);
  }
  const std::vector<float> in = random_volume(rng, count, -50, 400);
  ms::gaussian_noise(in.data(), cpu.data(), n, 12.5f, key);
  if (guarded("gaussian_noise" + size, [&] { mc::gaussian_noise(in.data(), gpu.data(), n, 12.5f, key); })) {
    compare_floats("gaussian_noise" + size, gpu, cpu, 1e-6, 6 * 12.5);
  }
  ms::rician_noise(in.data(), cpu.data(), n, 20.0f, key);
  if (guarded("rician_noise" + size, [&] { mc::rician_noise(in.data(), gpu.data(), n, 20.0f, key); })) {
    compare_floats("rician_noise" + size, gpu, cpu, 1e-6, 6 * 20.0);
  }
  std::vector<float> counts = random_volume(rng, count, -2, 60);  // both samplers (λ < 10 and >= 10)
  counts[0] = std::numeric_limits<float>::quiet_NaN();
  ms::poisson_noise(counts.data(), cpu.data(), n, 1.5, key);
  if (guarded("poisson_noise" + size, [&] { mc::poisson_noise(counts.data(), gpu.data(), n, 1.5, key); })) {
    compare_floats("poisson_noise" + size, gpu, cpu, 1e-6, 1.0);
  }
  std::vector<float> same = in;
  if (guarded("gaussian_noise in place" + size, [&] { mc::gaussian_noise(same.data(), same.data(), n, 12.5f, key); })) {
    std::vector<float> ref(count);
    ms::gaussian_noise(in.data(), ref.data(), n, 12.5f, key);
    compare_floats("gaussian_noise in place" + size, same, ref, 1e-6, 6 * 12.5);
  }
}

void check_rasterize(Rng& rng, const Dims& d, int count, bool planes) {
  const size_t n = static_cast<size_t>(d.count());
  const std::vector<ms::RasterShape> shapes = random_shapes(rng, d, count, planes);
  const std::vector<double> priority = priority_table(shapes);
  const std::vector<float> base = random_volume(rng, n, 0, 50);
  std::vector<uint8_t> base_labels(n);
  for (auto& l : base_labels) l = static_cast<uint8_t>(rng.integer(0, 3));
  std::vector<float> ci = base, gi = base;
  std::vector<uint8_t> cl = base_labels, gl = base_labels;
  std::vector<double> cc(shapes.size()), gc(shapes.size());
  ms::RasterTargets t;
  t.z = d.z;
  t.y = d.y;
  t.x = d.x;
  t.label_priority = priority.data();
  t.intensity = ci.data();
  t.labels = cl.data();
  ms::rasterize(shapes, t, cc.data());
  const std::string name = "rasterize " + d.str() + " " + std::to_string(count) + " shapes" + (planes ? " +planes" : "");
  t.intensity = gi.data();
  t.labels = gl.data();
  if (!guarded(name, [&] { mc::rasterize(shapes, t, gc.data()); })) return;
  report(count_different(gl, cl) == 0, name + " labels", fmt("%.0f of %.0f differ", count_different(gl, cl), n));
  // Blends fuse multiply-adds on AVX2/AVX-512 CPUs, not here: one rounding of the terms apart.
  compare_floats(name + " intensity", gi, ci, 1e-6, max_abs(ci.data(), n));
  report(gc == cc, name + " coverage", gc == cc ? "identical" : "differs");
}

void check_sample(Rng& rng, const Dims& d, ms::NoiseKind noise, ms::ImageType type, const char* what) {
  const ms::VolumeSampleSpec spec = sample_spec(rng, d, 14, noise, type);
  const size_t n = static_cast<size_t>(d.count()), bytes = n * static_cast<size_t>(ms::image_element_size(type));
  std::vector<uint8_t> ci(bytes), gi(bytes), cl(n), gl(n);
  std::vector<double> cc(spec.shapes.size()), gc(spec.shapes.size());
  ms::render_volume_sample(spec, ms::VolumeSampleTargets{ci.data(), cl.data(), cc.data()});
  const std::string name = std::string("whole sample ") + d.str() + " " + what;
  if (!guarded(name, [&] { mc::render_volume_sample(spec, ms::VolumeSampleTargets{gi.data(), gl.data(), gc.data()}); })) return;
  report(count_different(gl, cl) == 0 && gc == cc, name + " labels+coverage",
         fmt("%.0f labels differ", count_different(gl, cl)));
  if (type == ms::ImageType::kFloat32) {
    std::vector<float> a(n), b(n);
    std::memcpy(a.data(), gi.data(), bytes);
    std::memcpy(b.data(), ci.data(), bytes);
    // Poisson draws may flip where the blurred input differs in its last bits: a few voxels.
    const double err = max_relative_error(a.data(), b.data(), n, 1e-3 * max_abs(b.data(), n));
    size_t off = 0;
    for (size_t i = 0; i < n; ++i) off += std::fabs(a[i] - b[i]) > 1e-4 * std::max(1.0f, std::fabs(b[i]));
    const bool ok = noise == ms::NoiseKind::kPoisson ? off <= n / 1000 + 1 : err <= 1e-4;
    report(ok, name + " image", fmt("max rel err %.3g, %.0f voxels off by > 1e-4", err, off));
  } else {
    std::vector<int64_t> a(n), b(n);
    for (size_t i = 0; i < n; ++i) {
      a[i] = type == ms::ImageType::kUint8 ? gi[i] : reinterpret_cast<const int16_t*>(gi.data())[i];
      b[i] = type == ms::ImageType::kUint8 ? ci[i] : reinterpret_cast<const int16_t*>(ci.data())[i];
    }
    const size_t differ = count_different(a, b);
    const int64_t worst = max_int_difference(a, b);
    // A value within float rounding of a .5 tie may round either way: rare, and off by one.
    const bool ok = (noise == ms::NoiseKind::kPoisson || worst <= 1) && differ <= n / 1000 + 1;
    report(ok, name + " image", fmt("max diff %.0f, %.0f of %.0f differ", worst, differ, n));
  }
  // Deterministic: again gives the same bytes.
  std::vector<uint8_t> again(bytes), again_labels(n);
  if (guarded(name + " repeat", [&] { mc::render_volume_sample(spec, ms::VolumeSampleTargets{again.data(), again_labels.data(), nullptr}); })) {
    report(again == gi && again_labels == gl, name + " repeat", "identical bytes");
  }
}

void check_concurrent(Rng& rng, const Dims& d) {
  const ms::VolumeSampleSpec s1 = sample_spec(rng, d, 10, ms::NoiseKind::kGaussian, ms::ImageType::kUint8);
  const ms::VolumeSampleSpec s2 = sample_spec(rng, d, 10, ms::NoiseKind::kRician, ms::ImageType::kFloat32);
  const size_t n = static_cast<size_t>(d.count());
  std::vector<uint8_t> a1(n), l1(n), a2(4 * n), l2(n), b1(n), m1(n), b2(4 * n), m2(n);
  bool ok = guarded("two samples at once", [&] {
    mc::render_volume_sample(s1, ms::VolumeSampleTargets{a1.data(), l1.data(), nullptr});
    mc::render_volume_sample(s2, ms::VolumeSampleTargets{a2.data(), l2.data(), nullptr});
  });
  if (!ok) return;
  std::string error;
  auto run = [&](const ms::VolumeSampleSpec& s, uint8_t* image, uint8_t* labels) {
    for (int i = 0; i < 3; ++i) {
      try {
        mc::render_volume_sample(s, ms::VolumeSampleTargets{image, labels, nullptr});
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
  };
  std::thread t1(run, std::cref(s1), b1.data(), m1.data());
  std::thread t2(run, std::cref(s2), b2.data(), m2.data());
  t1.join();
  t2.join();
  report(error.empty() && a1 == b1 && l1 == m1 && a2 == b2 && l2 == m2, "two samples at once (two slots)",
         error.empty() ? "same bytes as one at a time" : error);
}

void check_out_of_memory() {
  const mc::CudaInfo info = mc::cuda_info();
  // A real allocation failure: two buffers of the device's whole memory.
  try {
    mc::measure_copy_bandwidth(info.total_memory, 1);
    report(false, "out of device memory", "no error");
  } catch (const ms::Error& e) {
    report(e.code() == "OUT_OF_MEMORY" && std::string(e.what()).find("out of memory") != std::string::npos,
           "out of device memory", e.code() + ": " + e.what());
  }
  // The memory limit: 1 MiB is below one allocation granule.
  mc::release_cached_memory();
  mc::set_memory_limit(1u << 20);
  const Dims d{64, 128, 128};
  std::vector<float> v(static_cast<size_t>(d.count()), 1.0f);
  const double sigma[3] = {1, 1, 1};
  try {
    mc::gaussian_blur(v.data(), v.data(), d.z, d.y, d.x, sigma, 4.0);
    report(false, "memory limit", "no error");
  } catch (const ms::Error& e) {
    report(e.code() == "OUT_OF_MEMORY" && std::string(e.what()).find("limit") != std::string::npos, "memory limit",
           e.code() + ": " + e.what());
  }
  mc::set_memory_limit(0);
  // The device still works after both.
  std::vector<float> cpu(v.size()), gpu(v.size());
  ms::gaussian_blur(v.data(), cpu.data(), d.z, d.y, d.x, sigma, 4.0);
  if (guarded("usable after out-of-memory", [&] { mc::gaussian_blur(v.data(), gpu.data(), d.z, d.y, d.x, sigma, 4.0); })) {
    compare_floats("usable after out-of-memory", gpu, cpu, 1e-5, 1e-3);
  }
}

void check_errors() {
  std::vector<float> v(8);
  const double bad_sigma[3] = {-1, 0, 0};
  try {
    mc::gaussian_blur(v.data(), v.data(), 2, 2, 2, bad_sigma, 4.0);
    report(false, "invalid argument", "no error");
  } catch (const ms::Error& e) {
    report(e.code() == "INVALID_ARGUMENT", "invalid argument", e.code() + ": " + e.what());
  }
}

// Groups of checks, by name (--only selects those whose name contains a string).
int run_checks(const std::string& only) {
  Rng rng(20240601);
  const Dims sample{48, 64, 64};
  const std::vector<std::pair<const char*, std::function<void()>>> groups = {
      {"intensity", [&] {
         check_intensity(rng, Dims{3, 5, 7});
         check_intensity(rng, Dims{17, 64, 129});
       }},
      {"blur", [&] {
         check_blur(rng, Dims{9, 17, 23}, 1.0, 1.5, 2.0, 4.0);
         check_blur(rng, Dims{16, 40, 70}, 2.5, 0.0, 3.0, 4.0);
         check_blur(rng, Dims{3, 4, 5}, 3.0, 3.0, 3.0, 4.0);      // radius > axis: repeated reflection
         check_blur(rng, Dims{1, 37, 300}, 0.0, 40.0, 0.7, 4.0);  // y radius 160: the direct kernel
         check_blur(rng, Dims{200, 3, 2}, 60.0, 1.0, 0.0, 3.0);   // z radius 180, thin inner axis
         check_blur(rng, Dims{2, 3, 600}, 0.0, 0.0, 300.0, 4.0);  // x radius 1200: the direct kernel
         check_blur(rng, Dims{32, 64, 64}, 0.0, 0.0, 0.0, 4.0);   // nothing to do: a copy
       }},
      {"bias", [&] {
         for (int order = 0; order <= 3; ++order) check_bias(rng, Dims{5, 33, 47}, order);
         check_bias(rng, Dims{1, 64, 65}, 3);
         check_bias(rng, Dims{7, 1, 1}, 2);
       }},
      {"noise", [&] {
         for (int64_t n : {int64_t{1}, int64_t{3}, int64_t{4}, int64_t{4099}, int64_t{1} << 20}) check_noise(rng, n);
       }},
      {"rasterize", [&] {
         check_rasterize(rng, Dims{24, 40, 48}, 25, false);
         check_rasterize(rng, Dims{32, 64, 64}, 40, true);
         check_rasterize(rng, Dims{1, 128, 96}, 15, true);
       }},
      {"sample", [&] {
         check_sample(rng, sample, ms::NoiseKind::kGaussian, ms::ImageType::kFloat32, "gaussian float32");
         check_sample(rng, sample, ms::NoiseKind::kGaussian, ms::ImageType::kUint8, "gaussian uint8");
         check_sample(rng, sample, ms::NoiseKind::kRician, ms::ImageType::kInt16, "rician int16");
         check_sample(rng, sample, ms::NoiseKind::kPoisson, ms::ImageType::kFloat32, "poisson float32");
         check_sample(rng, sample, ms::NoiseKind::kNone, ms::ImageType::kUint8, "no noise uint8");
       }},
      {"concurrent", [&] { check_concurrent(rng, Dims{40, 96, 80}); }},
      {"errors", [&] { check_errors(); }},
      {"memory", [&] { check_out_of_memory(); }},
  };
  int ran = 0;
  for (const auto& [name, run] : groups) {
    if (!only.empty() && std::string(name).find(only) == std::string::npos) continue;
    run();
    ++ran;
  }
  if (ran == 0) {
    std::printf("no check group matches '%s'\n", only.c_str());
    return 2;
  }
  std::printf("\n%d failure(s)\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}

// ---- benchmark -----------------------------------------------------------------------------------

struct BenchRow {
  std::string name, size;
  double device_ms, total_ms, cpu_ms, bytes;
};

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Best of `repeats` after one warm-up: {device ms, total ms} of a CUDA call.
std::pair<double, double> time_cuda(int repeats, const std::function<void()>& fn) {
  fn();
  double device = 1e300, total = 1e300;
  for (int i = 0; i < repeats; ++i) {
    fn();
    const mc::CallTiming t = mc::last_call_timing();
    device = std::min(device, t.device_ms);
    total = std::min(total, t.total_ms);
  }
  return {device, total};
}

double time_cpu(int repeats, const std::function<void()>& fn) {
  fn();
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const double t0 = now_ms();
    fn();
    best = std::min(best, now_ms() - t0);
  }
  return best;
}

void bench_size(const Dims& d, int repeats, std::vector<BenchRow>& rows) {
  Rng rng(7);
  const size_t n = static_cast<size_t>(d.count());
  const double vox = static_cast<double>(n);
  const std::string size = std::to_string(d.z) + "×" + std::to_string(d.y) + "×" + std::to_string(d.x);
  std::vector<float> in = random_volume(rng, n, 0, 255), out(n);
  std::vector<uint8_t> out8(n), labels(n);
  auto add = [&](const std::string& name, double bytes_per_voxel, const std::function<void()>& gpu,
                 const std::function<void()>& cpu) {
    const auto [device, total] = time_cuda(repeats, gpu);
    const double cpu_ms = time_cpu(std::max(1, repeats / 2), cpu);
    rows.push_back({name, size, device, total, cpu_ms, bytes_per_voxel * vox});
    const BenchRow& r = rows.back();
    std::printf("%-30s %-13s device %9.3f ms  with copies %9.3f ms  cpu %9.2f ms\n", r.name.c_str(), size.c_str(),
                r.device_ms, r.total_ms, r.cpu_ms);
    std::fflush(stdout);
  };
  const int64_t c = d.count();
  add("window_level", 8, [&] { mc::window_level(in.data(), out.data(), c, 40, 400, 0, 255); },
      [&] { ms::window_level(in.data(), out.data(), c, 40, 400, 0, 255); });
  add("cast_u8", 5, [&] { mc::cast_u8(in.data(), out8.data(), c, 1, 0); },
      [&] { ms::cast_u8(in.data(), out8.data(), c, 1, 0); });
  const double sigma[3] = {1.5, 1.5, 1.5};
  add("gaussian_blur σ=1.5", 24, [&] { mc::gaussian_blur(in.data(), out.data(), d.z, d.y, d.x, sigma, 4.0); },
      [&] { ms::gaussian_blur(in.data(), out.data(), d.z, d.y, d.x, sigma, 4.0); });
  std::vector<double> coef;
  for (int t = 0; t < 20; ++t) coef.push_back(rng.uniform(-0.3, 0.3));
  add("bias_field order 3", 8, [&] { mc::bias_field(in.data(), out.data(), d.z, d.y, d.x, 3, coef.data(), 20); },
      [&] { ms::bias_field(in.data(), out.data(), d.z, d.y, d.x, 3, coef.data(), 20); });
  const ms::NoiseKey key{1, 2, 3};
  add("gaussian_noise", 8, [&] { mc::gaussian_noise(in.data(), out.data(), c, 5, key); },
      [&] { ms::gaussian_noise(in.data(), out.data(), c, 5, key); });
  add("rician_noise", 8, [&] { mc::rician_noise(in.data(), out.data(), c, 5, key); },
      [&] { ms::rician_noise(in.data(), out.data(), c, 5, key); });
  add("poisson_noise", 8, [&] { mc::poisson_noise(in.data(), out.data(), c, 1.0, key); },
      [&] { ms::poisson_noise(in.data(), out.data(), c, 1.0, key); });
  const ms::VolumeSampleSpec spec = sample_spec(rng, d, 14, ms::NoiseKind::kGaussian, ms::ImageType::kUint8);
  ms::RasterTargets t;
  t.z = d.z;
  t.y = d.y;
  t.x = d.x;
  t.intensity = out.data();
  t.labels = labels.data();
  t.label_priority = spec.label_priority.data();
  std::vector<double> coverage(spec.shapes.size());
  add("rasterize 14 shapes", 10, [&] { mc::rasterize(spec.shapes, t, coverage.data()); },
      [&] { ms::rasterize(spec.shapes, t, coverage.data()); });
  // Bytes: zero 5, rasterize 10, blur 24, bias 8, noise 8, cast 5 per voxel. The CPU reuses `out`
  // as its intensity buffer, as the renderer does.
  const ms::VolumeSampleTargets targets{out8.data(), labels.data(), coverage.data(), out.data()};
  add("whole sample (uint8)", 60, [&] { mc::render_volume_sample(spec, targets); },
      [&] { ms::render_volume_sample(spec, targets); });
}

std::string bench_table(const std::vector<BenchRow>& rows, double copy_gbs) {
  std::ostringstream s;
  s << "| kernel | size | device ms | GB/s | % of copy | with copies ms | CPU ms | CPU / device | CPU / with copies |\n";
  s << "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  char buf[256];
  for (const BenchRow& r : rows) {
    const double gbs = r.bytes / (r.device_ms * 1e-3) / 1e9;
    std::snprintf(buf, sizeof buf, "| %s | %s | %.3f | %.0f | %.0f%% | %.2f | %.2f | %.1f× | %.1f× |\n", r.name.c_str(),
                  r.size.c_str(), r.device_ms, gbs, 100.0 * gbs / copy_gbs, r.total_ms, r.cpu_ms, r.cpu_ms / r.device_ms,
                  r.cpu_ms / r.total_ms);
    s << buf;
  }
  return s.str();
}

int run_bench(int repeats, const std::string& sizes, const std::string& markdown) {
  const mc::CudaInfo info = mc::cuda_info();
  const double copy_gbs = mc::measure_copy_bandwidth(uint64_t{1} << 30, 10);
  char head[512];
  std::snprintf(head, sizeof head,
                "GPU: %s (compute capability %d.%d, %d SMs, %.1f GiB), CUDA runtime %d, driver %d\n"
                "Measured device copy bandwidth (1 GiB, read + write): %.0f GB/s\n"
                "CPU: %d threads, SIMD %s. Times are the best of %d runs after a warm-up.\n",
                info.name.c_str(), info.cc_major, info.cc_minor, info.multiprocessors,
                static_cast<double>(info.total_memory) / (1u << 30), info.runtime_version, info.driver_version, copy_gbs,
                ms::thread_count(), ms::simd_level(), repeats);
  std::printf("%s\n", head);
  std::vector<BenchRow> rows;
  if (sizes != "large") bench_size(Dims{128, 256, 256}, repeats, rows);
  if (sizes != "small") bench_size(Dims{256, 512, 512}, repeats, rows);
  const std::string table = bench_table(rows, copy_gbs);
  std::printf("\n%s", table.c_str());
  if (!markdown.empty()) {
    std::ofstream f(markdown);
    f << "# medsynth GPU benchmark\n\nWritten by `medsynth_gpu_check --bench` (tools/gpu_check.cc).\n\n"
      << head << "\n"
      << "device ms: the kernels alone (CUDA events). GB/s: the bytes a kernel must read and write per voxel "
         "(elementwise 8, cast 5, blur 3 passes × 8, rasterize 10, whole sample 60) over the device time; % of copy: "
         "against the measured device copy bandwidth. with copies ms: the whole call from host memory to host "
         "memory (pinned staging, overlapped). CPU ms: the CPU kernels on the same machine.\n\n"
      << table;
    if (!f) {
      std::fprintf(stderr, "cannot write %s\n", markdown.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool bench = false;
  int repeats = 5;
  std::string markdown, sizes = "all", only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--bench") {
      bench = true;
    } else if (a == "--markdown" && i + 1 < argc) {
      markdown = argv[++i];
    } else if (a == "--repeats" && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--sizes" && i + 1 < argc) {
      sizes = argv[++i];
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--only GROUP] | --bench [--markdown FILE] [--repeats N] [--sizes small|large|all]\n",
                   argv[0]);
      return 2;
    }
  }
  const mc::CudaInfo info = mc::cuda_info();
  if (!info.available) {
    std::printf("SKIP: CUDA is unavailable: %s\n", info.reason.c_str());
    return 77;
  }
  std::printf("CUDA device: %s (compute capability %d.%d, %d SMs); CPU threads: %d\n\n", info.name.c_str(),
              info.cc_major, info.cc_minor, info.multiprocessors, ms::thread_count());
  try {
    return bench ? run_bench(repeats, sizes, markdown) : run_checks(only);
  } catch (const std::exception& e) {
    std::printf("FAIL  unexpected error: %s\n", e.what());
    return 1;
  }
}
