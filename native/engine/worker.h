// What every engine entry point shares: the clock's calibrated rate, the one-experiment-at-a-time
// claim, and the AsyncWorker base that releases the claim and settles the promise.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "harness/interruption.h"
#include "harness/timebase.h"
#include "strategy.h"

namespace mbp {

// Set by selectTimebase(); every ns<->tick conversion of the engine uses it.
extern TickRate g_engine_rate;

// Claims the engine for one experiment; false with a JS error pending when one is running.
bool ClaimExperiment(Napi::Env env);
void ReleaseExperiment();
bool ExperimentRunning();

Napi::Object LatencyObject(Napi::Env env, const Latency& l);
// Notes as [{code, text}] (probe/codes.ts Finding).
Napi::Array Notes(Napi::Env env, const std::vector<Note>& v);

// Base for the engine's workers: owns the claim and the promise.
class EngineWorker : public Napi::AsyncWorker {
 public:
  explicit EngineWorker(Napi::Env env) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}
  ~EngineWorker() override { ReleaseExperiment(); }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void OnOK() override { deferred_.Resolve(Result(Env())); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }
  virtual Napi::Value Result(Napi::Env env) = 0;

 protected:
  Napi::Promise::Deferred deferred_;
};

// Hands a claimed experiment to the thread pool and gives JS its promise.
inline Napi::Value Launch(EngineWorker* w) {
  Napi::Promise promise = w->Promise();
  w->Queue();
  return promise;
}

// engine.runContention(options), in contention_addon.cc.
Napi::Value RunContentionJs(const Napi::CallbackInfo& info);

// engine.strategies(), in catalogue_addon.cc.
Napi::Value StrategiesJs(const Napi::CallbackInfo& info);

}  // namespace mbp
