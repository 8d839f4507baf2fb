// Each bind_*.cc adds its functions to the exports object; addon.cc lists them.
#pragma once

#include <napi.h>

namespace msb {

void register_core(Napi::Env env, Napi::Object exports);
void register_intensity(Napi::Env env, Napi::Object exports);
void register_filter(Napi::Env env, Napi::Object exports);
void register_field(Napi::Env env, Napi::Object exports);
void register_noise(Napi::Env env, Napi::Object exports);
void register_rasterize(Napi::Env env, Napi::Object exports);
void register_loss(Napi::Env env, Napi::Object exports);
void register_metric(Napi::Env env, Napi::Object exports);
void register_labels(Napi::Env env, Napi::Object exports);
void register_clinical2d(Napi::Env env, Napi::Object exports);
void register_cuda(Napi::Env env, Napi::Object exports);
void register_finite(Napi::Env env, Napi::Object exports);

}  // namespace msb
