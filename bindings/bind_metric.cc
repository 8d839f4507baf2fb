// Metric kernels:
//   confusionCounts(pred: Float32Array | Uint8Array, target: Float32Array | Uint8Array,
//                   counts: Float64Array [batch × 4: tp, fp, fn, tn], {batch, size, threshold})
//       -> Promise<void>
//   concordance(risk, time: Float32Array | Float64Array, event: Uint8Array)
//       -> Promise<{concordant, discordant, tiedRisk, comparable}>
//   calibration(prob: Float32Array, label: Uint8Array, count, meanConfidence, accuracy:
//               Float64Array [bins], {bins, mode: 'confidence' | 'positive'}) -> Promise<{ece, mce}>
//   correlation(x, y: Float32Array | Float64Array) -> Promise<{pearson, spearman}>
//   mcPixelSummary(passes: Float32Array [T·n], mean, variance, entropy, mutualInformation:
//                  Float32Array [n], {passes: T, size: n}) -> Promise<void> (metric/mc_summary.h)
//   segmentationErrorMap(prob: Float32Array, truth: Float32Array | Uint8Array, label: Uint8Array,
//                        error: Float32Array, either: Uint8Array [n], {threshold}) -> Promise<void>
//       (metric/segmentation_error.h)
//   sliceSums(x: Float32Array [S·plane], mask: Uint8Array [S·plane] | null, sum: Float64Array [S],
//             maskedSum, maskedCount: Float64Array [S] | null, {slices, plane}) -> Promise<void>
//       (metric/slice_sums.h)
#include <cmath>
#include <memory>
#include <string>
#include <type_traits>

#include "js_args.h"
#include "metric/c_index.h"
#include "metric/calibration.h"
#include "metric/correlation.h"
#include "metric/mc_summary.h"
#include "metric/radiomics.h"
#include "metric/segmentation.h"
#include "metric/segmentation_error.h"
#include "metric/slice_sums.h"
#include "registry.h"

namespace msb {
namespace {

constexpr int64_t kMaxElements = (int64_t{1} << 31) - 1;

Napi::Value confusion_counts(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 3, "params");
  const int64_t batch = integer_field(o, "batch", 1, kMaxElements);
  const int64_t size = integer_field(o, "size", 1, kMaxElements);
  if (batch * size > kMaxElements) throw_invalid(info.Env(), "batch × size describes too many elements");
  const auto threshold = static_cast<float>(number_field(o, "threshold"));
  const View<double> counts = typed_view<double>(info[2], "counts", Access::kReadWrite);
  require_length(info.Env(), counts, static_cast<size_t>(batch * 4), "counts");
  const auto n = static_cast<size_t>(batch * size);
  return with_float_or_u8_view(info[0], "pred", [&](auto pred) {
    require_length(info.Env(), pred, n, "pred");
    return with_float_or_u8_view(info[1], "target", [&](auto target) {
      require_length(info.Env(), target, n, "target");
      return queue_task(info.Env(), [=] {
        std::unique_ptr<ms::ConfusionCounts[]> c(new ms::ConfusionCounts[static_cast<size_t>(batch)]);
        ms::confusion_counts(pred.data, target.data, batch, size, threshold, c.get());
        for (int64_t b = 0; b < batch; ++b) {
          counts.data[4 * b] = static_cast<double>(c[b].tp);
          counts.data[4 * b + 1] = static_cast<double>(c[b].fp);
          counts.data[4 * b + 2] = static_cast<double>(c[b].fn);
          counts.data[4 * b + 3] = static_cast<double>(c[b].tn);
        }
      }, {info[0], info[1], info[2]});
    });
  });
}

Napi::Value concordance(const Napi::CallbackInfo& info) {
  const View<uint8_t> event = typed_view<uint8_t>(info[2], "event");
  if (event.length == 0) throw_invalid(info.Env(), "event must hold at least one element");
  return with_real_view(info[0], "risk", [&](auto risk) {
    require_length(info.Env(), risk, event.length, "risk");
    return with_real_view(info[1], "time", [&](auto time) {
      require_length(info.Env(), time, event.length, "time");
      auto result = std::make_shared<ms::ConcordanceCounts>();
      return queue_task(
          info.Env(),
          [=] { *result = ms::concordance(risk.data, time.data, event.data, static_cast<int64_t>(event.length)); },
          {info[0], info[1], info[2]},
          [result](Napi::Env env) {
            Napi::Object r = Napi::Object::New(env);
            r.Set("concordant", Napi::Number::New(env, static_cast<double>(result->concordant)));
            r.Set("discordant", Napi::Number::New(env, static_cast<double>(result->discordant)));
            r.Set("tiedRisk", Napi::Number::New(env, static_cast<double>(result->tied_risk)));
            r.Set("comparable", Napi::Number::New(env, static_cast<double>(result->comparable())));
            return r;
          });
    });
  });
}

Napi::Value calibration(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(info, 5, "params");
  const int bins = static_cast<int>(integer_field(o, "bins", 1, 100000));
  const std::string mode_name = string_field(o, "mode");
  if (mode_name != "confidence" && mode_name != "positive") {
    throw_invalid(info.Env(), "mode must be 'confidence' or 'positive'");
  }
  const ms::CalibrationMode mode =
      mode_name == "positive" ? ms::CalibrationMode::kPositive : ms::CalibrationMode::kConfidence;
  const View<float> prob = typed_view<float>(info[0], "prob");
  const View<uint8_t> label = typed_view<uint8_t>(info[1], "label");
  if (prob.length == 0) throw_invalid(info.Env(), "prob must hold at least one element");
  require_length(info.Env(), label, prob.length, "label");
  const View<double> count = typed_view<double>(info[2], "count", Access::kReadWrite);
  const View<double> confidence = typed_view<double>(info[3], "meanConfidence", Access::kReadWrite);
  const View<double> accuracy = typed_view<double>(info[4], "accuracy", Access::kReadWrite);
  require_length(info.Env(), count, static_cast<size_t>(bins), "count");
  require_length(info.Env(), confidence, static_cast<size_t>(bins), "meanConfidence");
  require_length(info.Env(), accuracy, static_cast<size_t>(bins), "accuracy");
  auto result = std::make_shared<ms::CalibrationSummary>();
  return queue_task(
      info.Env(),
      [=] {
        *result = ms::calibration_bins(prob.data, label.data, static_cast<int64_t>(prob.length), bins, mode,
                                       count.data, confidence.data, accuracy.data);
      },
      {info[0], info[1], info[2], info[3], info[4]},
      [result](Napi::Env env) {
        Napi::Object r = Napi::Object::New(env);
        r.Set("ece", Napi::Number::New(env, result->ece));
        r.Set("mce", Napi::Number::New(env, result->mce));
        return r;
      });
}

Napi::Value correlation(const Napi::CallbackInfo& info) {
  return with_real_view(info[0], "uncertainty", [&](auto x) {
    if (x.length < 2) throw_invalid(info.Env(), "uncertainty must hold at least 2 elements");
    return with_real_view(info[1], "error", [&](auto y) {
      require_length(info.Env(), y, x.length, "error");
      auto result = std::make_shared<ms::Correlation>();
      return queue_task(
          info.Env(), [=] { *result = ms::correlation(x.data, y.data, static_cast<int64_t>(x.length)); },
          {info[0], info[1]},
          [result](Napi::Env env) {
            Napi::Object r = Napi::Object::New(env);
            r.Set("pearson", Napi::Number::New(env, result->pearson));
            r.Set("spearman", Napi::Number::New(env, result->spearman));
            return r;
          });
    });
  });
}

Napi::Value mc_pixel_summary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = object_arg(info, 5, "params");
  const int64_t T = integer_field(o, "passes", 1, 1 << 20);
  const int64_t n = integer_field(o, "size", 1, kMaxElements);
  if (T * n > kMaxElements) throw_invalid(env, "passes × size describes too many elements");
  const View<float> passes = typed_view<float>(info[0], "passes");
  require_length(env, passes, static_cast<size_t>(T * n), "passes");
  const char* names[4] = {"mean", "variance", "entropy", "mutualInformation"};
  View<float> out[4];
  for (int k = 0; k < 4; ++k) {
    out[k] = typed_view<float>(info[1 + k], names[k], Access::kReadWrite);
    require_length(env, out[k], static_cast<size_t>(n), names[k]);
  }
  return queue_task(env, [=] {
    ms::mc_pixel_summary(passes.data, T, n, out[0].data, out[1].data, out[2].data, out[3].data);
  }, {info[0], info[1], info[2], info[3], info[4]});
}

Napi::Value radiomics_sums(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> images = typed_view<float>(info[0], "images");
  const bool has_mask = !info[1].IsNull() && !info[1].IsUndefined();
  const View<uint8_t> masks = has_mask ? typed_view<uint8_t>(info[1], "masks") : View<uint8_t>{};
  const View<double> out = typed_view<double>(info[2], "out", Access::kReadWrite);
  const Napi::Object o = object_arg(info, 3, "params");
  const int64_t n = integer_field(o, "n", 0, 1LL << 40);
  const Dims3 d = dims_field(o, "dims");
  const int levels = static_cast<int>(integer_field(o, "levels", 2, 256));
  const double threshold = number_field(o, "threshold"), lo = number_field(o, "lo"), hi = number_field(o, "hi");
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo)) throw_invalid(env, "lo and hi must be finite with lo < hi");
  if (std::isnan(threshold)) throw_invalid(env, "threshold must be a number");
  const size_t voxels = static_cast<size_t>(n * d.count());
  require_length(env, images, voxels, "images");
  if (has_mask) require_length(env, masks, voxels, "masks");
  require_length(env, out, static_cast<size_t>(n * (ms::kRadiomicsHeader + levels * levels)), "out");
  const float t = static_cast<float>(threshold);
  return queue_task(env, [=] {
    ms::radiomics_sums(images.data, has_mask ? masks.data : nullptr, n, d.z, d.y, d.x, t, lo, hi, levels, out.data);
  }, {info[0], info[2], has_mask ? info[1] : info[0]});
}

Napi::Value segmentation_error_map(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const View<float> prob = typed_view<float>(info[0], "prob");
  const View<uint8_t> label = typed_view<uint8_t>(info[2], "label", Access::kReadWrite);
  const View<float> error = typed_view<float>(info[3], "error", Access::kReadWrite);
  const View<uint8_t> either = typed_view<uint8_t>(info[4], "either", Access::kReadWrite);
  Napi::Object o = object_arg(info, 5, "params");
  const double threshold = number_field(o, "threshold");
  if (std::isnan(threshold)) throw_invalid(env, "threshold must be a number");
  const size_t n = prob.length;
  require_length(env, label, n, "label");
  require_length(env, error, n, "error");
  require_length(env, either, n, "either");
  const auto t = static_cast<float>(threshold);
  return with_float_or_u8_view(info[1], "truth", [&](auto truth) {
    require_length(env, truth, n, "truth");
    return queue_task(env, [=] {
      ms::segmentation_error_map(prob.data, truth.data, static_cast<int64_t>(n), t, label.data, error.data, either.data);
    }, {info[0], info[1], info[2], info[3], info[4]});
  });
}

Napi::Value slice_sums(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = object_arg(info, 5, "params");
  const int64_t slices = integer_field(o, "slices", 0, kMaxElements);
  const int64_t plane = integer_field(o, "plane", 1, kMaxElements);
  if (slices * plane > kMaxElements) throw_invalid(env, "slices × plane describes too many elements");
  const View<float> x = typed_view<float>(info[0], "x");
  require_length(env, x, static_cast<size_t>(slices * plane), "x");
  const View<double> sum = typed_view<double>(info[2], "sum", Access::kReadWrite);
  require_length(env, sum, static_cast<size_t>(slices), "sum");
  const bool has_mask = !info[1].IsNull() && !info[1].IsUndefined();
  View<uint8_t> mask;
  View<double> masked_sum, masked_count;
  if (has_mask) {
    mask = typed_view<uint8_t>(info[1], "mask");
    require_length(env, mask, static_cast<size_t>(slices * plane), "mask");
    masked_sum = typed_view<double>(info[3], "maskedSum", Access::kReadWrite);
    masked_count = typed_view<double>(info[4], "maskedCount", Access::kReadWrite);
    require_length(env, masked_sum, static_cast<size_t>(slices), "maskedSum");
    require_length(env, masked_count, static_cast<size_t>(slices), "maskedCount");
  }
  return queue_task(env, [=] {
    ms::slice_sums(x.data, mask.data, slices, plane, sum.data, masked_sum.data, masked_count.data);
  }, {info[0], info[2], has_mask ? info[1] : info[0], has_mask ? info[3] : info[0], has_mask ? info[4] : info[0]});
}

}  // namespace

void register_metric(Napi::Env env, Napi::Object exports) {
  exports.Set("confusionCounts", Napi::Function::New(env, confusion_counts));
  exports.Set("concordance", Napi::Function::New(env, concordance));
  exports.Set("calibration", Napi::Function::New(env, calibration));
  exports.Set("correlation", Napi::Function::New(env, correlation));
  exports.Set("mcPixelSummary", Napi::Function::New(env, mc_pixel_summary));
  exports.Set("radiomicsSums", Napi::Function::New(env, radiomics_sums));
  exports.Set("segmentationErrorMap", Napi::Function::New(env, segmentation_error_map));
  exports.Set("sliceSums", Napi::Function::New(env, slice_sums));
}

}  // namespace msb
