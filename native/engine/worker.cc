#include "engine/worker.h"

#include <atomic>

#include "harness/deadline.h"

namespace mbp {

TickRate g_engine_rate;

namespace {
std::atomic<bool> g_busy{false};
}  // namespace

bool ClaimExperiment(Napi::Env env) {
  bool expected = false;
  if (!g_busy.compare_exchange_strong(expected, true)) {
    Napi::Error::New(env, "an experiment is already running").ThrowAsJavaScriptException();
    return false;
  }
  // A cancel() meant for an earlier experiment must not stop this one; between experiments the
  // caller checks its own abort signal.
  g_cancel.store(false);
  return true;
}

void ReleaseExperiment() { g_busy.store(false); }

bool ExperimentRunning() { return g_busy.load(); }

Napi::Object LatencyObject(Napi::Env env, const Latency& l) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("p50", l.p50);
  o.Set("p90", l.p90);
  o.Set("p99", l.p99);
  o.Set("max", l.max);
  o.Set("calls", double(l.calls));
  return o;
}

Napi::Array Notes(Napi::Env env, const std::vector<Note>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("code", v[i].code);
    o.Set("text", v[i].text);
    a.Set(uint32_t(i), o);
  }
  return a;
}

}  // namespace mbp
