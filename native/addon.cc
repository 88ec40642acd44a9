// The N-API surface. This file only checks arguments and converts C++ results to JS values;
// every fact is gathered in native/inspect/, and naming errnos is left to TypeScript.
// Errors never throw across into Node for a failed syscall: they come back as data.
#include <napi.h>

#include "engine/engine.h"
#include "inspect/inspect.h"
#include "platform/membarrier.h"

namespace {

// Bumped whenever the shape returned to probe/native.ts changes, so a stale build is detected.
constexpr int kAbiVersion = 3;

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

Napi::Value ProbeMembarrierInChild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!NumberArgs(info, 1)) return env.Null();
  int timeout = info[0].As<Napi::Number>().Int32Value();
  if (timeout < 1 || timeout > 60000) {
    Napi::RangeError::New(env, "timeoutMs must be 1..60000").ThrowAsJavaScriptException();
    return env.Null();
  }
  mbp::MembarrierChildReport rep = mbp::ProbeMembarrierInChild(timeout);
  using End = mbp::MembarrierChildReport::End;
  const char* end = rep.end == End::kExited ? "exited" : rep.end == End::kSignaled ? "signaled"
                    : rep.end == End::kTimeout ? "timeout" : rep.end == End::kForkFailed ? "fork-failed"
                    : "protocol-error";
  Napi::Object o = Napi::Object::New(env);
  o.Set("end", end);
  o.Set("exitCode", rep.exit_code);
  o.Set("signal", rep.signal);
  o.Set("forkErrno", rep.fork_errno);
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
  mbp::RegisterEngine(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(membarrier_probe, Init)
