// engine.runContention(): W writer threads issuing one heavy barrier at once (harness/contention.h),
// as an AsyncWorker like every other experiment.
#include <napi.h>

#include "engine/options.h"
#include "engine/worker.h"
#include "harness/contention.h"

namespace mbp {
namespace {

// W writers issuing the heavy barrier at once (harness/contention.h).
class ContentionWorker : public EngineWorker {
 public:
  ContentionWorker(Napi::Env env, const RegistryEntry* entry, ContentionParams p)
      : EngineWorker(env), entry_(entry), p_(std::move(p)) {}
  void Execute() override { res_ = RunContention(*entry_, p_, g_engine_rate); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("status", ContentionStatusName(res_.status));
    o.Set("errno", res_.err);
    o.Set("what", res_.what);
    o.Set("notes", Notes(env, res_.notes));
    o.Set("writers", p_.writers);
    o.Set("latency", LatencyObject(env, res_.latency));
    o.Set("descheduledCalls", double(res_.descheduled_calls));
    o.Set("elapsedNs", g_engine_rate.ToNs(double(res_.elapsed_ticks)));
    return o;
  }

 private:
  const RegistryEntry* entry_;
  ContentionParams p_;
  ContentionResult res_;
};

}  // namespace

Napi::Value RunContentionJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ContentionOptions o;
  if (!ParseContentionOptions(info.Length() ? info[0] : env.Undefined(), g_engine_rate, &o)) return env.Null();
  if (!ClaimExperiment(env)) return env.Null();
  o.p.hard_ticks = Tick() + g_engine_rate.ToTicks(o.hard_ms * 1e6);
  o.p.abandon_ticks = o.p.hard_ticks + g_engine_rate.ToTicks(1e9);  // the watchdog's grace, as for phases
  return Launch(new ContentionWorker(env, o.entry, std::move(o.p)));
}

}  // namespace mbp
