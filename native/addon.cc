// The N-API surface. This file only checks arguments and converts C++ results to JS values;
// every fact is gathered in native/inspect/, and naming errnos is left to TypeScript.
// Errors never throw across into Node for a failed syscall: they come back as data.
#include <napi.h>

#include "engine/engine.h"
#include "engine/options.h"
#include "inspect/inspect.h"
#include "platform/membarrier.h"

namespace {

// Bumped whenever the shape returned to probe/native.ts changes, so a stale build is detected.
constexpr int kAbiVersion = 5;

Napi::Object Sys(Napi::Env env, const mbp::SysResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ok", r.ok);
  if (r.ok) o.Set("value", double(r.value));
  else o.Set("errno", r.err);
  return o;
}

Napi::Value MaybeNumber(Napi::Env env, const std::optional<uint64_t>& v) {
  return v ? Napi::Value(Napi::Number::New(env, double(*v))) : env.Null();
}

bool NumberArgs(const Napi::CallbackInfo& info, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (info.Length() <= i || !info[i].IsNumber()) {
      Napi::TypeError::New(info.Env(), "expected " + std::to_string(n) + " number argument(s)")
          .ThrowAsJavaScriptException();
      return false;
    }
  }
  return true;
}

Napi::Value Cpuid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!NumberArgs(info, 2)) return env.Null();
  auto r = mbp::Cpuid(info[0].As<Napi::Number>().Uint32Value(), info[1].As<Napi::Number>().Uint32Value());
  if (!r) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("eax", r->eax);
  o.Set("ebx", r->ebx);
  o.Set("ecx", r->ecx);
  o.Set("edx", r->edx);
  return o;
}

Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int> cpus;
  mbp::SysResult r = mbp::GetAffinity(cpus);
  Napi::Object o = Sys(env, r);
  Napi::Array list = Napi::Array::New(env, cpus.size());
  for (size_t i = 0; i < cpus.size(); ++i) list.Set(uint32_t(i), cpus[i]);
  o.Set("cpus", list);
  return o;
}

void SetChildEnd(Napi::Object& o, const mbp::ChildEnd& end) {
  o.Set("end", mbp::ChildEndName(end.kind));
  o.Set("exitCode", end.exit_code);
  o.Set("signal", end.signal);
  o.Set("forkErrno", end.fork_errno);
}

Napi::Value ProbeMembarrierInChild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!NumberArgs(info, 1)) return env.Null();
  int timeout = info[0].As<Napi::Number>().Int32Value();
  if (timeout < 1 || timeout > 60000) {
    Napi::RangeError::New(env, "timeoutMs must be 1..60000").ThrowAsJavaScriptException();
    return env.Null();
  }
  mbp::MembarrierChildReport rep = mbp::ProbeMembarrierInChild(timeout);
  Napi::Object o = Napi::Object::New(env);
  SetChildEnd(o, rep.end);
  // A call the child never reported stays absent (undefined), distinct from a failed call.
  Napi::Array regs = Napi::Array::New(env);
  for (size_t i = 0; i < rep.registrations.size(); ++i) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("cmd", rep.registrations[i].cmd);
    e.Set("result", Sys(env, rep.registrations[i].result));
    regs.Set(uint32_t(i), e);
  }
  if (rep.query) o.Set("query", Sys(env, *rep.query));
  if (rep.get_registrations) o.Set("getRegistrations", Sys(env, *rep.get_registrations));
  o.Set("registrations", regs);
  return o;
}

Napi::Value ProbeMemlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  mbp::MemlockReport rep = mbp::ProbeMemlock();
  Napi::Object o = Napi::Object::New(env);
  o.Set("soft", MaybeNumber(env, rep.soft));
  o.Set("hard", MaybeNumber(env, rep.hard));
  o.Set("rlimitErrno", rep.rlimit_errno);
  o.Set("lockOnePage", Sys(env, rep.lock_one_page));
  return o;
}

Napi::Object Sample(Napi::Env env, const mbp::RegistrationSample& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ok", r.ok);
  if (r.ok) o.Set("ns", double(r.ns));
  else o.Set("errno", r.err);
  if (!r.note.empty()) o.Set("note", r.note);
  if (!r.code.empty()) o.Set("code", r.code);
  return o;
}

Napi::Value MeasureRegistrationCost(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!NumberArgs(info, 1)) return env.Null();
  const double timeout = info[0].As<Napi::Number>().DoubleValue();
  if (!(timeout >= 1 && timeout <= 60000) || timeout != double(int(timeout))) {
    Napi::RangeError::New(env, "timeoutMs must be a whole number in 1..60000").ThrowAsJavaScriptException();
    return env.Null();
  }
  mbp::RegistrationCost c = mbp::MeasureRegistrationCost(int(timeout));
  Napi::Object o = Napi::Object::New(env);
  o.Set("fresh", Sample(env, c.fresh));
  o.Set("threaded", Sample(env, c.threaded));
  return o;
}

Napi::Value SampleFieldInChild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  mbp::FieldSampleParams p;
  double writer = 0, reader = 0, calls = 0, budget = 0, timeout = 0;
  if (!mbp::IntArg(info, 0, "writerCpu", -1, 4095, &writer) || !mbp::IntArg(info, 1, "readerCpu", -1, 4095, &reader) ||
      !mbp::IntArg(info, 2, "calls", 1, 100000, &calls) ||
      !mbp::IntArg(info, 3, "contentionBudgetMs", 1, 10000, &budget) ||
      !mbp::IntArg(info, 4, "timeoutMs", 1, 60000, &timeout))
    return env.Null();
  p.writer_cpu = int(writer), p.reader_cpu = int(reader), p.calls = int(calls);
  p.contention_budget_ms = int(budget), p.timeout_ms = int(timeout);
  const mbp::FieldSample s = mbp::SampleFieldInChild(p);
  Napi::Object o = Napi::Object::New(env);
  SetChildEnd(o, s.end);
  // A stage the child never reported stays absent: it was killed or ran out of time before it.
  if (s.threaded) {
    Napi::Object t = Sample(env, *s.threaded);
    t.Set("threads", s.threads);
    o.Set("threaded", t);
  }
  if (s.effect) {
    auto kind = [&](const mbp::EffectKind& k) {
      Napi::Object x = Napi::Object::New(env);
      x.Set("calls", double(k.calls));
      x.Set("onCpuCalls", double(k.on_cpu_calls));
      x.Set("interrupted", double(k.interrupted));
      x.Set("p50Ns", k.p50_ns);
      return x;
    };
    Napi::Object e = Napi::Object::New(env);
    e.Set("errno", s.effect->err);
    e.Set("what", s.effect->what);
    e.Set("membarrier", kind(s.effect->membarrier));
    e.Set("nullSyscall", kind(s.effect->null_syscall));
    e.Set("gapThresholdNs", s.effect->gap_threshold_ns);
    o.Set("effect", e);
  }
  Napi::Array c = Napi::Array::New(env, s.contention.size());
  for (size_t i = 0; i < s.contention.size(); ++i) {
    const mbp::ContentionSample& x = s.contention[i];
    Napi::Object e = Napi::Object::New(env);
    e.Set("writers", x.writers);
    e.Set("status", x.status);
    e.Set("errno", x.err);
    e.Set("p50Ns", x.p50_ns);
    e.Set("p99Ns", x.p99_ns);
    e.Set("maxNs", x.max_ns);
    e.Set("calls", double(x.calls));
    e.Set("descheduledCalls", double(x.descheduled_calls));
    c.Set(uint32_t(i), e);
  }
  o.Set("contention", c);
  if (s.signals_self_test) o.Set("signalsSelfTest", *s.signals_self_test);
  return o;
}

Napi::Value SampleRegistrationOrder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  mbp::RegistrationOrderParams p;
  double writer = 0, reader = 0, calls = 0, min_rounds = 0, max_rounds = 0, budget = 0, timeout = 0;
  if (!mbp::IntArg(info, 0, "writerCpu", 0, 4095, &writer) || !mbp::IntArg(info, 1, "readerCpu", 0, 4095, &reader) ||
      !mbp::IntArg(info, 2, "calls", 1, 100000, &calls) || !mbp::IntArg(info, 3, "minRounds", 1, 100, &min_rounds) ||
      !mbp::IntArg(info, 4, "maxRounds", 1, 100, &max_rounds) || !mbp::IntArg(info, 5, "budgetMs", 1, 60000, &budget) ||
      !mbp::IntArg(info, 6, "timeoutMs", 1, 60000, &timeout))
    return env.Null();
  if (writer == reader) {
    Napi::RangeError::New(env, "writerCpu and readerCpu must differ").ThrowAsJavaScriptException();
    return env.Null();
  }
  p.writer_cpu = int(writer), p.reader_cpu = int(reader), p.calls = int(calls);
  p.min_rounds = int(min_rounds), p.max_rounds = int(max_rounds), p.budget_ms = int(budget),
  p.timeout_ms = int(timeout);
  const std::vector<mbp::RegistrationOrderAttempt> all = mbp::SampleRegistrationOrder(p);
  Napi::Array out = Napi::Array::New(env, all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const mbp::RegistrationOrderAttempt& a = all[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("pattern", mbp::RegistrationOrderPatternName(a.pattern));
    SetChildEnd(o, a.end);
    o.Set("reported", a.reported);
    o.Set("errno", a.err);
    o.Set("step", a.step);
    o.Set("calls", double(a.calls));
    o.Set("onCpuCalls", double(a.on_cpu_calls));
    o.Set("reached", double(a.reached));
    o.Set("p50Ns", a.p50_ns);
    o.Set("gapThresholdNs", a.gap_threshold_ns);
    o.Set("registerNs", a.register_ns);
    out.Set(uint32_t(i), o);
  }
  return out;
}

Napi::Value MeasureFreshRegistration(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double timeout = 0;
  if (!mbp::IntArg(info, 0, "timeoutMs", 1, 60000, &timeout)) return env.Null();
  return Sample(env, mbp::MeasureFreshRegistration(int(timeout)));
}

Napi::Value SignalsSelfTest(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), mbp::SignalsSelfTest());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", kAbiVersion);
#if defined(__x86_64__)
  exports.Set("arch", "x86_64");
#elif defined(__aarch64__)
  exports.Set("arch", "aarch64");
#else
  exports.Set("arch", "other");
#endif
  Napi::Array seq = Napi::Array::New(env, size_t(mbp::kMembarrierChildSequenceLength));
  for (int i = 0; i < mbp::kMembarrierChildSequenceLength; ++i) seq.Set(uint32_t(i), mbp::kMembarrierChildSequence[i]);
  exports.Set("membarrierChildSequence", seq);
  exports.Set("cpuid", Napi::Function::New(env, Cpuid));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity));
  exports.Set("probeMembarrierInChild", Napi::Function::New(env, ProbeMembarrierInChild));
  exports.Set("probeMemlock", Napi::Function::New(env, ProbeMemlock));
  exports.Set("measureRegistrationCost", Napi::Function::New(env, MeasureRegistrationCost));
  exports.Set("signalsSelfTest", Napi::Function::New(env, SignalsSelfTest));
  exports.Set("measureFreshRegistration", Napi::Function::New(env, MeasureFreshRegistration));
  exports.Set("sampleFieldInChild", Napi::Function::New(env, SampleFieldInChild));
  exports.Set("sampleRegistrationOrder", Napi::Function::New(env, SampleRegistrationOrder));
  mbp::RegisterEngine(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(membarrier_probe, Init)
