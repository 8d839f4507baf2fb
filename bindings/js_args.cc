#include "js_args.h"

#include <cmath>

namespace msb {

Napi::Object object_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !info[index].IsObject()) {
    throw_invalid(info.Env(), std::string(name) + " must be an object");
  }
  return info[index].As<Napi::Object>();
}

double number_field(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw_invalid(o.Env(), std::string(key) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) throw_invalid(o.Env(), std::string(key) + " must be finite");
  return d;
}

double number_field_or(const Napi::Object& o, const char* key, double fallback) {
  return o.Has(key) && !o.Get(key).IsUndefined() ? number_field(o, key) : fallback;
}

int64_t integer_field(const Napi::Object& o, const char* key, int64_t min, int64_t max) {
  const double d = number_field(o, key);
  if (d != std::floor(d) || d < static_cast<double>(min) || d > static_cast<double>(max)) {
    throw_invalid(o.Env(), std::string(key) + " must be an integer in [" + std::to_string(min) +
                               ", " + std::to_string(max) + "]");
  }
  return static_cast<int64_t>(d);
}

int64_t integer_field_or(const Napi::Object& o, const char* key, int64_t min, int64_t max,
                         int64_t fallback) {
  return o.Has(key) && !o.Get(key).IsUndefined() ? integer_field(o, key, min, max) : fallback;
}

bool bool_field_or(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsBoolean()) throw_invalid(o.Env(), std::string(key) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string string_field(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throw_invalid(o.Env(), std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

std::vector<double> number_array_field(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  std::vector<double> out;
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float64_array) {
    auto a = v.As<Napi::Float64Array>();
    out.assign(a.Data(), a.Data() + a.ElementLength());
  } else if (v.IsArray()) {
    auto a = v.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Value e = a.Get(i);
      if (!e.IsNumber()) throw_invalid(o.Env(), std::string(key) + " must hold numbers");
      out.push_back(e.As<Napi::Number>().DoubleValue());
    }
  } else {
    throw_invalid(o.Env(), std::string(key) + " must be an array of numbers");
  }
  for (double d : out) {
    if (!std::isfinite(d)) throw_invalid(o.Env(), std::string(key) + " must hold finite numbers");
  }
  return out;
}

uint64_t seed_field(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (v.IsBigInt()) {
    bool lossless = false;
    const uint64_t s = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw_invalid(o.Env(), std::string(key) + " must be a BigInt in [0, 2^64)");
    return s;
  }
  return static_cast<uint64_t>(integer_field(o, key, 0, 9007199254740991LL));
}

Dims3 dims_field(const Napi::Object& o, const char* key) {
  const std::vector<double> d = number_array_field(o, key);
  if (d.size() != 2 && d.size() != 3) {
    throw_invalid(o.Env(), std::string(key) + " must be [Z, Y, X] or [Y, X]");
  }
  const double limit = 1LL << 40;
  double product = 1;
  for (double v : d) {
    if (v < 1 || v != std::floor(v)) {
      throw_invalid(o.Env(), std::string(key) + " must hold positive integers");
    }
    product *= v;
  }
  if (product > limit) throw_invalid(o.Env(), std::string(key) + " describes too many voxels");
  Dims3 dims;
  if (d.size() == 3) {
    dims.z = static_cast<int64_t>(d[0]);
    dims.y = static_cast<int64_t>(d[1]);
    dims.x = static_cast<int64_t>(d[2]);
  } else {
    dims.y = static_cast<int64_t>(d[0]);
    dims.x = static_cast<int64_t>(d[1]);
  }
  return dims;
}

}  // namespace msb
