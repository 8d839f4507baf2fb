#include "js_args.h"
#include "registry.h"

namespace msb {

void register_metric(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace msb
