// Checks and converts the options object of runPhase() coming from JavaScript. Anything JS can
// pass is handled: wrong types, NaN, infinities, huge or negative numbers, getters that throw,
// missing and extra fields. A bad value becomes one TypeError/RangeError naming the field and
// its allowed range; nothing is ever cast out of range (that would be undefined behaviour).
#pragma once
#include <napi.h>

#include <string>

#include "harness/contention.h"
#include "harness/sb_litmus.h"
#include "harness/timebase.h"
#include "strategy.h"

namespace mbp {

struct PhaseOptions {
  const RegistryEntry* entry = nullptr;
  SbParams sb;
  StrategyParams strategy;
  bool evidence = true;
  double hard_ms = 0;
  uint64_t margin_ticks = 0;
};

// Returns false with a JS exception pending when the options are unusable.
bool ParsePhaseOptions(const Napi::Value& value, const TickRate& rate, PhaseOptions* out);

struct ContentionOptions {
  const RegistryEntry* entry = nullptr;
  ContentionParams p;  // hard_ticks is set when the experiment starts
  double hard_ms = 0;
};

// runContention()'s options, checked the same way; false with a JS exception pending.
bool ParseContentionOptions(const Napi::Value& value, const TickRate& rate, ContentionOptions* out);

// An integer argument in [lo, hi]; false with a JS exception pending otherwise.
bool IntArg(const Napi::CallbackInfo& info, size_t i, const char* name, double lo, double hi, double* out);

}  // namespace mbp
