// Every spin loop in the engine ends by its deadline or by cancellation, whichever comes first.
// g_cancel is set by cancel() from JavaScript (Ctrl-C). What no loop can bound, a heavy call
// blocked in the kernel, is the watchdog's in RunSb (sb_litmus.cc): past the phase's abandon
// tick the writer thread is left behind and the phase ends as a timeout.
#pragma once
#include <atomic>
#include <cstdint>

#include "harness/timebase.h"

namespace mbp {

extern std::atomic<bool> g_cancel;

struct Deadline {
  uint64_t end_tick;
  bool Passed(uint64_t now) const { return now >= end_tick || g_cancel.load(std::memory_order_relaxed); }
  bool Passed() const { return Passed(Tick()); }
};

}  // namespace mbp
