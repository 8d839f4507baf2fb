// The addon's table of contents: each domain registers its own functions.
#include <napi.h>

#include "registry.h"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  msb::register_core(env, exports);
  msb::register_intensity(env, exports);
  msb::register_filter(env, exports);
  msb::register_field(env, exports);
  msb::register_noise(env, exports);
  msb::register_rasterize(env, exports);
  msb::register_loss(env, exports);
  msb::register_metric(env, exports);
  msb::register_labels(env, exports);
  msb::register_clinical2d(env, exports);
  msb::register_oct(env, exports);
  msb::register_cuda(env, exports);
  msb::register_warp(env, exports);
  msb::register_radiomics(env, exports);
  msb::register_warp2d(env, exports);
  msb::register_mc_summary(env, exports);
  msb::register_nn_conv(env, exports);
  msb::register_nn_layers(env, exports);
  msb::register_nn(env, exports);
  msb::register_nn_optim(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(medsynth, init)
