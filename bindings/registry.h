// Each bind_<domain>.cc (named after the native/ folder it binds) adds its functions to the
// exports object; addon.cc lists them; lib/binding.ts declares them for TypeScript.
#pragma once

#include <napi.h>

namespace msb {

void register_core(Napi::Env env, Napi::Object exports);
void register_volume(Napi::Env env, Napi::Object exports);
void register_filter(Napi::Env env, Napi::Object exports);
void register_field(Napi::Env env, Napi::Object exports);
void register_noise(Napi::Env env, Napi::Object exports);
void register_loss(Napi::Env env, Napi::Object exports);
void register_metric(Napi::Env env, Napi::Object exports);
void register_cuda(Napi::Env env, Napi::Object exports);
void register_render(Napi::Env env, Napi::Object exports);
void register_warp(Napi::Env env, Napi::Object exports);
void register_nn_layers(Napi::Env env, Napi::Object exports);
void register_nn(Napi::Env env, Napi::Object exports);
void register_nn_conv(Napi::Env env, Napi::Object exports);
void register_nn_optim(Napi::Env env, Napi::Object exports);
void register_finite(Napi::Env env, Napi::Object exports);

}  // namespace msb
