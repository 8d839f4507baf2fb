// Argument readers shared by the engine's synchronous bindings (bind_nn*.cc): the engine calls
// ops one after another from a worker thread, so they run on the calling thread and throw
// instead of returning Promises. Lengths are always checked against the shapes given.
#pragma once

#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <new>
#include <string>

#include "core/error.h"
#include "js_args.h"

namespace msb::nn_args {

constexpr int64_t kMaxElements = (int64_t{1} << 32) - 1;

// Runs a kernel on the JS thread; its ms::Error becomes a JS error with the same code.
template <typename Fn>
void run_kernel(Napi::Env env, Fn&& fn) {
  try {
    fn();
  } catch (const ms::Error& e) {
    throw make_error(env, e.code(), e.what());
  } catch (const std::bad_alloc&) {
    throw make_error(env, "OUT_OF_MEMORY", "out of memory in an nn kernel");
  }
}

inline double number_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsNumber()) throw_invalid(info.Env(), std::string(name) + " must be a number");
  return info[index].As<Napi::Number>().DoubleValue();
}

inline int64_t integer_arg(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t min, int64_t max) {
  const double v = number_arg(info, index, name);
  if (!(v >= static_cast<double>(min) && v <= static_cast<double>(max)) || v != static_cast<double>(static_cast<int64_t>(v))) {
    throw_invalid(info.Env(), std::string(name) + " must be an integer in [" + std::to_string(min) + ", " +
                                  std::to_string(max) + "]");
  }
  return static_cast<int64_t>(v);
}

inline float float_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<float>(number_arg(info, index, name));
}

// A typed array of exactly `count` elements.
template <typename T>
T* array_arg(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t count) {
  View<T> v = typed_view<T>(info[index], name);
  require_length(info.Env(), v, static_cast<size_t>(count), name);
  return v.data;
}

inline float* floats(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t count) {
  return array_arg<float>(info, index, name, count);
}

// null/undefined, or a Float32Array of `count` elements.
inline float* optional_floats(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t count) {
  if (info[index].IsNull() || info[index].IsUndefined()) return nullptr;
  return floats(info, index, name, count);
}

inline int64_t checked_product(Napi::Env env, std::initializer_list<int64_t> factors, const char* what) {
  int64_t p = 1;
  for (int64_t f : factors) {
    if (f < 0 || (f > 0 && p > kMaxElements / f)) throw_invalid(env, std::string(what) + " has too many elements");
    p *= f;
  }
  return p;
}

}  // namespace msb::nn_args
