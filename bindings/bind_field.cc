#include "js_args.h"
#include "registry.h"

namespace msb {

void register_field(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace msb
