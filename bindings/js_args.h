// Reading JS arguments into plain C++ values. Every reader checks type and range and throws a
// MedsynthError-shaped JS error (code INVALID_ARGUMENT) naming the argument: the binding never
// trusts what TypeScript already validated.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "async_task.h"
#include "buffer_staging.h"

namespace msb {

template <typename T>
struct TypedArrayKind;
template <>
struct TypedArrayKind<float> {
  static constexpr napi_typedarray_type value = napi_float32_array;
  static constexpr const char* name = "Float32Array";
};
template <>
struct TypedArrayKind<double> {
  static constexpr napi_typedarray_type value = napi_float64_array;
  static constexpr const char* name = "Float64Array";
};
template <>
struct TypedArrayKind<uint8_t> {
  static constexpr napi_typedarray_type value = napi_uint8_array;
  static constexpr const char* name = "Uint8Array";
};
template <>
struct TypedArrayKind<int16_t> {
  static constexpr napi_typedarray_type value = napi_int16_array;
  static constexpr const char* name = "Int16Array";
};
template <>
struct TypedArrayKind<uint16_t> {
  static constexpr napi_typedarray_type value = napi_uint16_array;
  static constexpr const char* name = "Uint16Array";
};
template <>
struct TypedArrayKind<int32_t> {
  static constexpr napi_typedarray_type value = napi_int32_array;
  static constexpr const char* name = "Int32Array";
};
template <>
struct TypedArrayKind<uint32_t> {
  static constexpr napi_typedarray_type value = napi_uint32_array;
  static constexpr const char* name = "Uint32Array";
};

[[noreturn]] inline void throw_invalid(Napi::Env env, const std::string& message) {
  throw make_error(env, "INVALID_ARGUMENT", message);
}

// A non-owning view of a TypedArray's elements: the array's own memory when JS cannot take it
// away (SharedArrayBuffer), else a native copy that the call owns (see buffer_staging.h).
template <typename T>
struct View {
  T* data = nullptr;
  size_t length = 0;
};

// `access` says whether the call writes the array (its results go back to JS) or only reads it.
template <typename T>
View<T> typed_view(const Napi::Value& value, const char* name, Access access = Access::kRead) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8, "element size");
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != TypedArrayKind<T>::value) {
    throw_invalid(value.Env(), std::string(name) + " must be a " + TypedArrayKind<T>::name);
  }
  auto array = value.As<Napi::TypedArrayOf<T>>();
  return View<T>{static_cast<T*>(stage_typed_array(array, name, access)), array.ElementLength()};
}

template <typename T>
void require_length(Napi::Env env, const View<T>& v, size_t expected, const char* name) {
  if (v.length != expected) {
    throw_invalid(env, std::string(name) + " has " + std::to_string(v.length) +
                           " elements but the shape needs " + std::to_string(expected));
  }
}

Napi::Object object_arg(const Napi::CallbackInfo& info, size_t index, const char* name);
double number_field(const Napi::Object& o, const char* key);
double number_field_or(const Napi::Object& o, const char* key, double fallback);
int64_t integer_field(const Napi::Object& o, const char* key, int64_t min, int64_t max);
int64_t integer_field_or(const Napi::Object& o, const char* key, int64_t min, int64_t max,
                         int64_t fallback);
std::string string_field(const Napi::Object& o, const char* key);
std::vector<double> number_array_field(const Napi::Object& o, const char* key);
// A seed: a non-negative safe integer Number or a BigInt below 2^64.
uint64_t seed_field(const Napi::Object& o, const char* key);

bool bool_field_or(const Napi::Object& o, const char* key, bool fallback);

inline bool is_array_of(const Napi::Value& v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}

// Calls fn(View<float>) or fn(View<double>) for a Float32Array or Float64Array.
template <typename Fn>
auto with_real_view(const Napi::Value& v, const char* name, Fn&& fn) {
  if (is_array_of(v, napi_float64_array)) return fn(typed_view<double>(v, name));
  if (!is_array_of(v, napi_float32_array)) {
    throw_invalid(v.Env(), std::string(name) + " must be a Float32Array or Float64Array");
  }
  return fn(typed_view<float>(v, name));
}

// Calls fn(View<float>) or fn(View<uint8_t>) for a Float32Array (probabilities) or a Uint8Array (mask).
template <typename Fn>
auto with_float_or_u8_view(const Napi::Value& v, const char* name, Fn&& fn) {
  if (is_array_of(v, napi_uint8_array)) return fn(typed_view<uint8_t>(v, name));
  if (!is_array_of(v, napi_float32_array)) {
    throw_invalid(v.Env(), std::string(name) + " must be a Float32Array or Uint8Array");
  }
  return fn(typed_view<float>(v, name));
}

// Volume dims [Z, Y, X] (or [Y, X] as Z = 1) with every dim >= 1 and a product that fits.
struct Dims3 {
  int64_t z = 1, y = 1, x = 1;
  int64_t count() const { return z * y * x; }
};
Dims3 dims_field(const Napi::Object& o, const char* key);

}  // namespace msb
