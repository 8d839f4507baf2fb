#include "js_args.h"
#include "registry.h"

namespace msb {

void register_filter(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace msb
