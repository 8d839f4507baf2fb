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
void register_oct(Napi::Env env, Napi::Object exports);
void register_cuda(Napi::Env env, Napi::Object exports);
void register_warp(Napi::Env env, Napi::Object exports);
void register_radiomics(Napi::Env env, Napi::Object exports);
void register_warp2d(Napi::Env env, Napi::Object exports);
void register_mc_summary(Napi::Env env, Napi::Object exports);
void register_nn_conv(Napi::Env env, Napi::Object exports);
void register_nn_layers(Napi::Env env, Napi::Object exports);
void register_nn(Napi::Env env, Napi::Object exports);
void register_nn_optim(Napi::Env env, Napi::Object exports);

}  // namespace msb
