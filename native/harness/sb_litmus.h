// The store-buffering (SB) litmus engine, with mechanism evidence gathered in the same run.
//   reader i:  [K stores to cold lines] x_i = 1; READER-SIDE; r0 = y
//   writer:    y = 1; HEAVY; r1_i = x_i  (for every reader)
// r0 = 0 and r1 = 0 together means the heavy barrier failed to order some reader.
// Each trial's start is announced by the writer on the shared clock; readers start at that
// instant plus random jitter, the writer at the calibrated offset.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "harness/gaps.h"
#include "strategy.h"

namespace mbp {

struct SbParams {
  int writer_cpu = 0;
  std::vector<int> reader_cpus;
  int stuff_lines = 0;            // K: cold-line stores before the reader's SB store
  int64_t offset_ticks = 0;       // writer start relative to the readers' (may be negative)
  uint64_t jitter_ticks = 0;      // uniform random [0, jitter) added to each reader's start per trial
  uint64_t lead_ticks = 0;        // how far ahead the writer announces a trial's start
  uint64_t writer_delay_ticks = 0;  // horizon points: spin between HEAVY and reading x_i
  uint64_t max_trials = 0;
  uint64_t budget_ticks = 0;      // stop starting trials after this long
  uint64_t hard_ticks = 0;        // every loop of the phase stops by this tick (then: timeout)
  uint64_t abandon_ticks = 0;     // watchdog: a writer still inside Heavy() by this tick is abandoned (0: never)
  int stall_ms = 0;               // test hook for the watchdog: the first call first blocks this long in poll(2)
  uint64_t gap_spin_ticks = ~0ull, gap_trial_ticks = ~0ull;
  uint64_t seed = 1;
  bool record_windows = true;
};

struct ReaderEvidence {
  int cpu = -1;
  uint64_t outcomes[4] = {};  // index r0*2 + r1: "00", "01", "10", "11"
  uint64_t missed = 0;        // trials this reader arrived too late for
  std::vector<Gap> gaps;
  uint64_t gap_overflow = 0;
  uint64_t overflow_at = 0;   // clock at the first gap that did not fit (0: none): later calls are unobserved
  StepHistogram spin_steps, trial_steps;
};

struct Window {
  uint64_t from, to;
};

struct SbEvidence {
  enum class Status { kOk, kUnavailable, kError, kTimeout, kCancelled, kPinFailed } status = Status::kOk;
  int err = 0;
  std::string what;  // which step failed
  std::vector<Note> notes;
  uint64_t trials = 0;
  uint64_t elapsed_ticks = 0;
  std::vector<ReaderEvidence> readers;
  std::vector<Window> windows;  // one per heavy call
};

SbEvidence RunSb(const RegistryEntry& entry, const StrategyParams& sp, const SbParams& p);

}  // namespace mbp
