// N-API surface of the engine: argument checks, ns<->tick conversion, and one AsyncWorker per
// experiment so that it runs on the engine's own pinned threads while Node's loop stays free.
// Only one experiment runs at a time (they would steal each other's CPUs); a second is refused.
#include <napi.h>

#include <malloc.h>

#include <atomic>

#include "engine/engine.h"
#include "engine/options.h"
#include "engine/worker.h"
#include "harness/deadline.h"
#include "harness/interruption.h"
#include "harness/reader_cost.h"
#include "harness/sb_litmus.h"
#include "harness/stuffing.h"
#include "harness/timebase.h"

namespace mbp {
namespace {

const char* StatusName(SbEvidence::Status s) {
  switch (s) {
    case SbEvidence::Status::kOk: return "ok";
    case SbEvidence::Status::kUnavailable: return "unavailable";
    case SbEvidence::Status::kError: return "error";
    case SbEvidence::Status::kTimeout: return "timeout";
    case SbEvidence::Status::kCancelled: return "cancelled";
    case SbEvidence::Status::kPinFailed: return "pin-failed";
  }
  return "error";
}

class PhaseWorker : public EngineWorker {
 public:
  PhaseWorker(Napi::Env env, const RegistryEntry* entry, StrategyParams sp, SbParams p, bool evidence, uint64_t margin)
      : EngineWorker(env), entry_(entry), sp_(sp), p_(std::move(p)), evidence_(evidence), margin_(margin) {}
  void Execute() override {
    ev_ = RunSb(*entry_, sp_, p_);
    if (evidence_) {
      mech_ = AnalyseInterruption(ev_.windows, ev_.readers, margin_, g_engine_rate);
      const PhaseLatency l = ConsumeLatencies(ev_.windows, mech_.on_cpu, g_engine_rate);
      lat_ = l.all, lat_on_cpu_ = l.on_cpu;
    }
  }
  Napi::Value Result(Napi::Env env) override { return PhaseObject(env); }

 private:
  Napi::Object PhaseObject(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("status", StatusName(ev_.status));
    o.Set("errno", ev_.err);
    o.Set("what", ev_.what);
    o.Set("notes", Notes(env, ev_.notes));
    o.Set("trials", double(ev_.trials));
    o.Set("elapsedNs", g_engine_rate.ToNs(double(ev_.elapsed_ticks)));
    Napi::Array readers = Napi::Array::New(env, ev_.readers.size());
    for (size_t r = 0; r < ev_.readers.size(); ++r) {
      const ReaderEvidence& re = ev_.readers[r];
      Napi::Object ro = Napi::Object::New(env);
      ro.Set("cpu", re.cpu);
      Napi::Object h = Napi::Object::New(env);
      h.Set("00", double(re.outcomes[0]));
      h.Set("01", double(re.outcomes[1]));
      h.Set("10", double(re.outcomes[2]));
      h.Set("11", double(re.outcomes[3]));
      ro.Set("histogram", h);
      ro.Set("missed", double(re.missed));
      ro.Set("gapOverflow", double(re.gap_overflow));
      ro.Set("spinStepP50Ns", g_engine_rate.ToNs(double(re.spin_steps.Quantile(0.5))));
      ro.Set("spinStepP9999Ns", g_engine_rate.ToNs(double(re.spin_steps.Quantile(0.9999))));
      ro.Set("trialStepP50Ns", g_engine_rate.ToNs(double(re.trial_steps.Quantile(0.5))));
      ro.Set("trialStepP9999Ns", g_engine_rate.ToNs(double(re.trial_steps.Quantile(0.9999))));
      if (evidence_ && r < mech_.readers.size()) {
        const ReaderMechanism& rm = mech_.readers[r];
        ro.Set("onCpuCalls", double(rm.on_cpu_calls));
        ro.Set("interruptedCalls", double(rm.interrupted));
        ro.Set("rawInterruptedCalls", double(rm.raw_interrupted));
        ro.Set("gaps", double(rm.gaps));
        ro.Set("descheduledGaps", double(rm.descheduled_gaps));
        ro.Set("medianInterruptionNs", rm.median_interruption_ns);
      }
      readers.Set(uint32_t(r), ro);
    }
    o.Set("readers", readers);
    if (evidence_) {
      o.Set("latency", LatencyObject(env, lat_));
      o.Set("latencyOnCpu", LatencyObject(env, lat_on_cpu_));
      Napi::Object m = Napi::Object::New(env);
      m.Set("calls", double(mech_.calls));
      m.Set("onCpuCalls", double(mech_.on_cpu_calls));
      m.Set("descheduledCalls", double(mech_.descheduled_calls));
      m.Set("unobservedCalls", double(mech_.unobserved_calls));
      m.Set("allInterruptedCalls", double(mech_.all_interrupted));
      m.Set("rawAllInterruptedCalls", double(mech_.raw_all_interrupted));
      o.Set("mechanism", m);
    }
    return o;
  }

  const RegistryEntry* entry_;
  StrategyParams sp_;
  SbParams p_;
  bool evidence_;
  uint64_t margin_;
  SbEvidence ev_;
  Mechanism mech_;
  Latency lat_, lat_on_cpu_;
};

class SkewWorker : public EngineWorker {
 public:
  SkewWorker(Napi::Env env, int a, int b) : EngineWorker(env), a_(a), b_(b) {}
  void Execute() override { skew_ = MeasureSkew(a_, b_, g_engine_rate, 2000); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("errno", skew_.err);
    o.Set("offsetNs", skew_.offset_ns);
    o.Set("uncertaintyNs", skew_.uncertainty_ns);
    return o;
  }

 private:
  int a_, b_;
  Skew skew_;
};

class ReaderCostWorker : public EngineWorker {
 public:
  ReaderCostWorker(Napi::Env env, int cpu, uint64_t n) : EngineWorker(env), cpu_(cpu), n_(n) {}
  void Execute() override { cost_ = MeasureReaderCost(cpu_, n_, g_engine_rate); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("errno", cost_.err);
    o.Set("compilerBarrierNs", cost_.compiler_barrier_ns);
    o.Set("fullFenceNs", cost_.full_fence_ns);
    return o;
  }

 private:
  int cpu_;
  uint64_t n_;
  ReaderCost cost_;
};

Napi::Value RunPhase(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PhaseOptions o;
  if (!ParsePhaseOptions(info.Length() ? info[0] : env.Undefined(), g_engine_rate, &o)) return env.Null();
  if (!ClaimExperiment(env)) return env.Null();
  o.sb.hard_ticks = Tick() + g_engine_rate.ToTicks(o.hard_ms * 1e6);
  // The watchdog's grace after the hard deadline: every loop has stopped by then unless a heavy
  // call is blocked in the kernel.
  o.sb.abandon_ticks = o.sb.hard_ticks + g_engine_rate.ToTicks(1e9);
  return Launch(new PhaseWorker(env, o.entry, o.strategy, std::move(o.sb), o.evidence, o.margin_ticks));
}

// Checks an options object exactly as runPhase() does, without running anything (for tests and
// for callers that want to validate first). Returns true, or throws the same error runPhase would.
Napi::Value CheckPhaseOptions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PhaseOptions o;
  if (!ParsePhaseOptions(info.Length() ? info[0] : env.Undefined(), g_engine_rate, &o)) return env.Null();
  return Napi::Boolean::New(env, true);
}

Napi::Value MeasureSkewJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double a = 0, b = 0;
  if (!IntArg(info, 0, "measureSkew: cpuA", 0, 1048575, &a) || !IntArg(info, 1, "measureSkew: cpuB", 0, 1048575, &b))
    return env.Null();
  if (!ClaimExperiment(env)) return env.Null();
  return Launch(new SkewWorker(env, int(a), int(b)));
}

Napi::Value ReaderCostJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double cpu = 0, n = 0;
  if (!IntArg(info, 0, "readerCost: cpu", 0, 1048575, &cpu) || !IntArg(info, 1, "readerCost: iterations", 1, 1e9, &n))
    return env.Null();
  if (!ClaimExperiment(env)) return env.Null();
  return Launch(new ReaderCostWorker(env, int(cpu), uint64_t(n)));
}

Napi::Value SelectTimebaseJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool cycles = info.Length() > 0 && info[0].ToBoolean().Value();
  if (ExperimentRunning()) {
    Napi::Error::New(env, "an experiment is running").ThrowAsJavaScriptException();
    return env.Null();
  }
  g_engine_rate = SelectTimebase(cycles, 20);
  Napi::Object o = Napi::Object::New(env);
  o.Set("source", g_use_cycles.load() ? "cycles" : "clock_gettime");
  o.Set("ticksPerNs", g_engine_rate.ticks_per_ns);
  return o;
}

Napi::Value Cancel(const Napi::CallbackInfo& info) {
  g_cancel.store(true);
  return info.Env().Undefined();
}

// The end of a run: the stuffing buffer kept between its phases goes back to the kernel.
Napi::Value ReleaseBuffers(const Napi::CallbackInfo& info) {
  ReleaseStuffing();
  return info.Env().Undefined();
}

Napi::Value BuffersHeld(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(StuffingHeld()));
}

}  // namespace

void RegisterEngine(Napi::Env env, Napi::Object exports) {
#if defined(__GLIBC__)
  // A phase allocates and frees megabytes at a time (call windows, gap stores, latency copies), on
  // threads of its own. glibc raises its mmap threshold after the first such free, so the next ones
  // come from per-thread arenas that keep freed memory: a one-reader default run peaked at 137 MB.
  // A fixed threshold keeps large blocks in mmap and returns them on free (90 MB, 58 MB after the
  // run). It applies to the whole process, which only ever gets its memory back sooner.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
  Napi::Object e = Napi::Object::New(env);
  e.Set("strategies", Napi::Function::New(env, StrategiesJs));
  e.Set("selectTimebase", Napi::Function::New(env, SelectTimebaseJs));
  e.Set("measureSkew", Napi::Function::New(env, MeasureSkewJs));
  e.Set("runPhase", Napi::Function::New(env, RunPhase));
  e.Set("runContention", Napi::Function::New(env, RunContentionJs));
  e.Set("checkPhaseOptions", Napi::Function::New(env, CheckPhaseOptions));
  e.Set("readerCost", Napi::Function::New(env, ReaderCostJs));
  e.Set("cancel", Napi::Function::New(env, Cancel));
  e.Set("releaseBuffers", Napi::Function::New(env, ReleaseBuffers));
  e.Set("buffersHeld", Napi::Function::New(env, BuffersHeld));
  exports.Set("engine", e);
}

}  // namespace mbp
