#include "engine/options.h"

#include <cmath>

namespace mbp {
namespace {

std::string Range(double lo, double hi) {
  auto fmt = [](double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  return "[" + fmt(lo) + ", " + fmt(hi) + "]";
}

// Reads o[key]; absent (undefined) leaves *out at its default. Throws on a getter's exception.
bool Field(const Napi::Object& o, const char* key, Napi::Value* v) {
  *v = o.Get(key);
  return !o.Env().IsExceptionPending();
}

// `fn` names the entry point in messages ("runPhase", "runContention").
bool Number(const Napi::Object& o, const char* key, double lo, double hi, bool integer, double* out,
            const char* fn = "runPhase") {
  Napi::Env env = o.Env();
  Napi::Value v;
  if (!Field(o, key, &v)) return false;
  if (v.IsUndefined()) return true;
  if (!v.IsNumber()) {
    Napi::TypeError::New(env, std::string(fn) + ": options." + key + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < lo || d > hi || (integer && d != std::floor(d))) {
    Napi::RangeError::New(env, std::string(fn) + ": options." + key + " must be " +
                                   (integer ? "a whole number" : "a finite number") + " in " + Range(lo, hi))
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = d;
  return true;
}

// o[key] as a list of 1..1024 CPU numbers.
bool CpuList(const Napi::Object& o, const char* key, const char* fn, std::vector<int>* out) {
  Napi::Env env = o.Env();
  Napi::Value cpus;
  if (!Field(o, key, &cpus)) return false;
  if (!cpus.IsArray() || cpus.As<Napi::Array>().Length() < 1 || cpus.As<Napi::Array>().Length() > 1024) {
    Napi::RangeError::New(env, std::string(fn) + ": options." + key + " must list 1..1024 CPUs")
        .ThrowAsJavaScriptException();
    return false;
  }
  Napi::Array a = cpus.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value c = a.Get(i);
    if (env.IsExceptionPending()) return false;
    const double d = c.IsNumber() ? c.As<Napi::Number>().DoubleValue() : -1;
    if (!std::isfinite(d) || d < 0 || d > 1048575 || d != std::floor(d)) {
      Napi::RangeError::New(env, std::string(fn) + ": options." + key + " must hold CPU numbers in [0, 1048575]")
          .ThrowAsJavaScriptException();
      return false;
    }
    out->push_back(int(d));
  }
  return true;
}

const RegistryEntry* StrategyField(const Napi::Object& o, const char* fn) {
  Napi::Env env = o.Env();
  Napi::Value s;
  if (!Field(o, "strategy", &s)) return nullptr;
  if (!s.IsString()) {
    Napi::TypeError::New(env, std::string(fn) + ": options.strategy must be a strategy id (string)")
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  const std::string id = s.As<Napi::String>().Utf8Value();
  const RegistryEntry* e = FindStrategy(id);
  if (!e) Napi::RangeError::New(env, "unknown strategy: " + id.substr(0, 80)).ThrowAsJavaScriptException();
  return e;
}

}  // namespace

bool IntArg(const Napi::CallbackInfo& info, size_t i, const char* name, double lo, double hi, double* out) {
  Napi::Env env = info.Env();
  if (info.Length() <= i || !info[i].IsNumber()) {
    Napi::TypeError::New(env, std::string(name) + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  const double d = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < lo || d > hi || d != std::floor(d)) {
    Napi::RangeError::New(env, std::string(name) + " must be a whole number in " + Range(lo, hi))
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = d;
  return true;
}

bool ParsePhaseOptions(const Napi::Value& value, const TickRate& rate, PhaseOptions* out) {
  Napi::Env env = value.Env();
  if (!value.IsObject() || value.IsArray() || value.IsFunction()) {
    Napi::TypeError::New(env, "runPhase(options) expects a plain object").ThrowAsJavaScriptException();
    return false;
  }
  Napi::Object o = value.As<Napi::Object>();
  if (!(out->entry = StrategyField(o, "runPhase"))) return false;
  if (!CpuList(o, "readerCpus", "runPhase", &out->sb.reader_cpus)) return false;
  double writer = 0, stuff = 0, offset = 0, jitter = 0, lead = 1000, wdelay = 0, delay = 0, trials = 1e6, budget = 500,
         hard = -1, gap_spin = 1e12, gap_trial = 1e12, margin = 0, seed = 1, stall = 0;
  if (!Number(o, "writerCpu", 0, 1048575, true, &writer) || !Number(o, "stuffLines", 0, 1024, true, &stuff) ||
      !Number(o, "offsetNs", -1e7, 1e7, false, &offset) || !Number(o, "jitterNs", 0, 1e7, false, &jitter) ||
      !Number(o, "leadNs", 0, 1e8, false, &lead) || !Number(o, "writerDelayNs", 0, 1e9, false, &wdelay) ||
      !Number(o, "delayNs", 0, 1e8, false, &delay) || !Number(o, "maxTrials", 1, 1e9, true, &trials) ||
      !Number(o, "budgetMs", 0, 3.6e6, false, &budget) || !Number(o, "hardMs", 1, 7.2e6, false, &hard) ||
      !Number(o, "gapSpinNs", 1, 1e12, false, &gap_spin) || !Number(o, "gapTrialNs", 1, 1e12, false, &gap_trial) ||
      !Number(o, "marginNs", 0, 1e9, false, &margin) || !Number(o, "seed", 0, 9007199254740991.0, true, &seed) ||
      !Number(o, "debugStallMs", 0, 60000, true, &stall)) {
    return false;
  }
  Napi::Value ev;
  if (!Field(o, "evidence", &ev)) return false;
  if (!ev.IsUndefined() && !ev.IsBoolean()) {
    Napi::TypeError::New(env, "runPhase: options.evidence must be a boolean").ThrowAsJavaScriptException();
    return false;
  }
  out->evidence = ev.IsUndefined() || ev.As<Napi::Boolean>().Value();
  SbParams& p = out->sb;
  p.writer_cpu = int(writer);
  p.stuff_lines = int(stuff);
  p.offset_ticks = offset < 0 ? -int64_t(rate.ToTicks(-offset)) : int64_t(rate.ToTicks(offset));
  p.jitter_ticks = rate.ToTicks(jitter);
  p.lead_ticks = rate.ToTicks(lead);
  p.writer_delay_ticks = rate.ToTicks(wdelay);
  p.max_trials = uint64_t(trials);
  p.budget_ticks = rate.ToTicks(budget * 1e6);
  p.gap_spin_ticks = rate.ToTicks(gap_spin);
  p.gap_trial_ticks = rate.ToTicks(gap_trial);
  p.seed = uint64_t(seed);
  p.stall_ms = int(stall);
  p.record_windows = out->evidence;
  out->strategy.delay_ticks = rate.ToTicks(delay);
  out->margin_ticks = rate.ToTicks(margin);
  out->hard_ms = hard > 0 ? hard : budget * 2 + 1000;
  return true;
}

bool ParseContentionOptions(const Napi::Value& value, const TickRate& rate, ContentionOptions* out) {
  Napi::Env env = value.Env();
  if (!value.IsObject() || value.IsArray() || value.IsFunction()) {
    Napi::TypeError::New(env, "runContention(options) expects a plain object").ThrowAsJavaScriptException();
    return false;
  }
  Napi::Object o = value.As<Napi::Object>();
  if (!(out->entry = StrategyField(o, "runContention"))) return false;
  Napi::Value w;
  if (!Field(o, "writers", &w)) return false;
  if (w.IsUndefined()) {
    Napi::TypeError::New(env, "runContention: options.writers must be a number").ThrowAsJavaScriptException();
    return false;
  }
  double writers = 1, budget = 150, hard = -1;
  if (!Number(o, "writers", 1, 64, true, &writers, "runContention")) return false;
  if (!CpuList(o, "readerCpus", "runContention", &out->p.reader_cpus)) return false;
  Napi::Value wc;
  if (!Field(o, "writerCpus", &wc)) return false;
  if (!wc.IsUndefined() && !CpuList(o, "writerCpus", "runContention", &out->p.writer_cpus)) return false;
  if (!Number(o, "budgetMs", 1, 60000, false, &budget, "runContention") ||
      !Number(o, "hardMs", 1, 7.2e6, false, &hard, "runContention")) {
    return false;
  }
  // Each writer needs a CPU of its own, apart from every reader: two writers on one CPU are
  // serialised by the scheduler, and a writer on a reader's CPU finds that reader switched out on
  // every call (no IPI needed), so either would measure the wrong thing. Refused, not round-robined.
  const std::vector<int>& wcpus = out->p.writer_cpus;
  if (!wcpus.empty()) {
    std::string why;
    if (wcpus.size() < size_t(writers)) {
      why = "must list at least one CPU per writer (" + std::to_string(int(writers)) + " writers, " +
            std::to_string(wcpus.size()) + " CPUs)";
    }
    for (size_t i = 0; why.empty() && i < wcpus.size(); ++i) {
      for (size_t j = 0; why.empty() && j < i; ++j)
        if (wcpus[j] == wcpus[i]) why = "lists CPU " + std::to_string(wcpus[i]) + " twice: writers may not share a CPU";
      for (int r : out->p.reader_cpus)
        if (why.empty() && r == wcpus[i])
          why = "includes CPU " + std::to_string(r) + ", a reader's: a writer may not share a reader's CPU";
    }
    if (!why.empty()) {
      Napi::RangeError::New(env, "runContention: options.writerCpus " + why).ThrowAsJavaScriptException();
      return false;
    }
  }
  out->p.writers = int(writers);
  out->p.budget_ticks = rate.ToTicks(budget * 1e6);
  out->hard_ms = hard > 0 ? hard : budget * 2 + 2000;
  return true;
}

}  // namespace mbp
