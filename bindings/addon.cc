// The addon's table of contents: each domain registers its own functions.
#include <napi.h>

#include "registry.h"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  msb::register_core(env, exports);
  msb::register_volume(env, exports);
  msb::register_filter(env, exports);
  msb::register_field(env, exports);
  msb::register_noise(env, exports);
  msb::register_loss(env, exports);
  msb::register_metric(env, exports);
  msb::register_cuda(env, exports);
  msb::register_render(env, exports);
  msb::register_warp(env, exports);
  msb::register_nn_layers(env, exports);
  msb::register_nn(env, exports);
  msb::register_nn_conv(env, exports);
  msb::register_nn_optim(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(medsynth, init)
