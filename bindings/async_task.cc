#include "async_task.h"

#include <new>
#include <string>
#include <vector>

#include "buffer_staging.h"
#include "core/error.h"

namespace msb {
namespace {

class TaskWorker : public Napi::AsyncWorker {
 public:
  TaskWorker(Napi::Env env, NativeTask task, std::initializer_list<Napi::Value> keep_alive,
             ResultBuilder result)
      : Napi::AsyncWorker(env, "medsynth"),
        deferred_(Napi::Promise::Deferred::New(env)),
        task_(std::move(task)),
        result_(std::move(result)),
        staged_(take_pending_buffers()) {
    for (const Napi::Value& v : keep_alive) keep_alive_.push_back(Napi::Persistent(v));
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      task_();
    } catch (const ms::Error& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      code_ = "OUT_OF_MEMORY";
      SetError("native allocation failed (out of memory)");
    } catch (const std::exception& e) {
      code_ = "NATIVE_ERROR";
      SetError(e.what());
    } catch (...) {
      code_ = "NATIVE_ERROR";
      SetError("unknown native error");
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    const std::string lost = write_back(env, staged_);
    if (!lost.empty()) {
      deferred_.Reject(make_error(env, "BUFFER_DETACHED", lost).Value());
      return;
    }
    deferred_.Resolve(result_ ? result_(env) : env.Undefined());
  }

  void OnError(const Napi::Error& e) override {
    deferred_.Reject(make_error(Env(), code_, e.Message()).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  NativeTask task_;
  ResultBuilder result_;
  std::vector<Napi::Reference<Napi::Value>> keep_alive_;
  std::string code_ = "NATIVE_ERROR";
  StagedBuffers staged_;  // native copies of ordinary buffers, written back in OnOK
};

}  // namespace

Napi::Value queue_task(Napi::Env env, NativeTask task, std::initializer_list<Napi::Value> keep_alive,
                       ResultBuilder result) {
  auto* worker = new TaskWorker(env, std::move(task), keep_alive, std::move(result));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Value().Set("code", Napi::String::New(env, code));
  error.Value().Set("medsynthNative", Napi::Boolean::New(env, true));
  return error;
}

}  // namespace msb
