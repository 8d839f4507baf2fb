// The one exception type kernels throw. Its code is one of the stable MedsynthError codes the
// TypeScript layer documents; the binding turns it into a rejected Promise, never an abort.
#pragma once

#include <stdexcept>
#include <string>

namespace ms {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

inline void require(bool ok, const std::string& message) {
  if (!ok) throw Error("INVALID_ARGUMENT", message);
}

}  // namespace ms
