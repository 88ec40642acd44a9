// engine.strategies(): the registry as JS sees it, each entry with its capabilities (native/strategy.h
// StrategyCaps). Apart from engine_addon.cc, which holds the experiments' workers and entry points;
// this is a plain description of the registry that runs nothing.
#include <napi.h>

#include "engine/worker.h"
#include "strategy.h"

namespace mbp {
namespace {

const char* FamilyName(Family f) {
  switch (f) {
    case Family::kMembarrier: return "membarrier";
    case Family::kPageTable: return "page-table";
    case Family::kSignals: return "signals";
    case Family::kFence: return "fence";
    case Family::kControl: return "control";
  }
  return "control";
}

Napi::Value ControlKindValue(Napi::Env env, ControlKind k) {
  switch (k) {
    case ControlKind::kNotControl: return env.Null();
    case ControlKind::kPositive: return Napi::String::New(env, "positive");
    case ControlKind::kNegative: return Napi::String::New(env, "negative");
    case ControlKind::kNullCall: return Napi::String::New(env, "null-call");
    case ControlKind::kDelayMatched: return Napi::String::New(env, "delay-matched");
  }
  return env.Null();
}

// StrategyCapabilities in probe/records/run.ts; probe/catalogue.ts holds a copy a test keeps equal.
Napi::Object CapsObject(Napi::Env env, const StrategyCaps& c) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("family", FamilyName(c.family));
  if (c.membarrier.command) {
    Napi::Object m = Napi::Object::New(env);
    m.Set("command", c.membarrier.command);
    m.Set("register", c.membarrier.register_command ? Napi::Value(Napi::String::New(env, c.membarrier.register_command))
                                                    : env.Null());
    Napi::Array since = Napi::Array::New(env, 2);
    since.Set(0u, c.membarrier.since_major);
    since.Set(1u, c.membarrier.since_minor);
    m.Set("sinceKernel", since);
    o.Set("membarrier", m);
  } else {
    o.Set("membarrier", env.Null());
  }
  o.Set("crossProcess", c.cross_process);
  o.Set("mlockedPage", c.mlocked_page);
  o.Set("concurrentWriters", c.concurrent_writers);
  o.Set("slow", c.slow);
  o.Set("controlKind", ControlKindValue(env, c.control_kind));
  o.Set("registrationOrderSensitive", c.registration_order_sensitive);
  return o;
}

}  // namespace

Napi::Value StrategiesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& all = Registry();
  Napi::Array a = Napi::Array::New(env, all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const StrategyInfo& s = all[i].info;
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", s.id);
    o.Set("control", s.control);
    o.Set("readerSide", s.reader == ReaderSide::kFullFence ? "full-fence" : "compiler-barrier");
    o.Set("remoteInterruption", s.remote_interruption);
    o.Set("calls", s.calls);
    o.Set("caps", CapsObject(env, s.caps));
    a.Set(uint32_t(i), o);
  }
  return a;
}

}  // namespace mbp
