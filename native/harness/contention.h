// Several writer threads issuing the heavy barrier at once. The kernel serialises expedited
// membarrier calls (one global mutex around the IPI round: scylladb/seastar#2143), and mprotect or
// madvise take the mm's lock, so a barrier that costs microseconds alone can cost W times as much
// when W threads need it together. Readers only spin on their CPUs, so the process is active
// there and every call must reach them; there is no SB test here, only each call's duration.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "harness/interruption.h"
#include "harness/timebase.h"
#include "strategy.h"

namespace mbp {

struct ContentionParams {
  int writers = 1;
  std::vector<int> reader_cpus;
  std::vector<int> writer_cpus;  // writer i runs on writer_cpus[i % size]; empty: not pinned
  uint64_t budget_ticks = 0;     // writers stop starting calls after this long
  uint64_t hard_ticks = 0;       // absolute tick: every wait gives up here
  uint64_t abandon_ticks = 0;    // watchdog: writers still inside Heavy() by this tick are abandoned (0: never)
};

struct ContentionResult {
  enum class Status { kOk, kSkipped, kUnavailable, kError, kTimeout, kCancelled, kPinFailed } status = Status::kOk;
  int err = 0;
  std::string what;
  std::vector<Note> notes;
  Latency latency;                 // over the calls made while every reader was on its CPU
  uint64_t descheduled_calls = 0;  // calls made while a reader was switched out: no IPI needed, not in latency
  uint64_t elapsed_ticks = 0;
};

// "ok", "skipped", "unavailable", "error", "timeout", "cancelled", "pin-failed".
const char* ContentionStatusName(ContentionResult::Status s);

// Why a strategy cannot be run by several writers at once, or nullptr when it can.
const char* ContentionSkipReason(const StrategyInfo& info);

ContentionResult RunContention(const RegistryEntry& entry, const ContentionParams& p, const TickRate& rate);

}  // namespace mbp
