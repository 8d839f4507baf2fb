// The addon's table of contents: each domain registers its own functions.
#include <napi.h>

#include "buffer_staging.h"
#include "registry.h"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  msb::register_synchronous(env, exports, msb::register_core);  // version, threads, philox: synchronous
  msb::register_volume(env, exports);
  msb::register_filter(env, exports);
  msb::register_field(env, exports);
  msb::register_noise(env, exports);
  msb::register_loss(env, exports);
  msb::register_metric(env, exports);
  msb::register_cuda(env, exports);
  msb::register_render(env, exports);
  msb::register_warp(env, exports);
  // The engine's ops run synchronously on the calling thread (see register_synchronous).
  msb::register_synchronous(env, exports, msb::register_nn_layers);
  msb::register_synchronous(env, exports, msb::register_nn);
  msb::register_synchronous(env, exports, msb::register_nn_conv);
  msb::register_synchronous(env, exports, msb::register_nn_optim);
  msb::register_finite(env, exports);
  msb::wrap_exports(env, exports);  // last: buffer lifetime around every function above
  return exports;
}

}  // namespace

NODE_API_MODULE(medsynth, init)
