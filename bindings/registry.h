// Each bind_*.cc adds its functions to the exports object; addon.cc lists them.
#pragma once

#include <napi.h>

namespace msb {

void register_core(Napi::Env env, Napi::Object exports);
void register_intensity(Napi::Env env, Napi::Object exports);

}  // namespace msb
