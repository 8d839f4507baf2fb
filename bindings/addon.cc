// The addon's table of contents: each domain registers its own functions.
#include <napi.h>

#include "buffer_staging.h"
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
  msb::register_cuda(env, exports);
  msb::register_finite(env, exports);
  msb::wrap_exports(env, exports);  // last: buffer lifetime around every function above
  return exports;
}

}  // namespace

NODE_API_MODULE(medsynth, init)
