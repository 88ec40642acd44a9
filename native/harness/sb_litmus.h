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
  int stuff_lines = 0;              // K: cold-line stores before the reader's SB store
  int64_t offset_ticks = 0;         // writer start relative to the readers' (may be negative)
  uint64_t jitter_ticks = 0;        // uniform random [0, jitter) added to each reader's start per trial
  uint64_t lead_ticks = 0;          // how far ahead the writer announces a trial's start
  uint64_t writer_delay_ticks = 0;  // horizon points: spin between HEAVY and reading x_i
  uint64_t max_trials = 0;
  uint64_t budget_ticks = 0;   // stop starting trials after this long
  uint64_t hard_ticks = 0;     // every loop of the phase stops by this tick (then: timeout)
  uint64_t abandon_ticks = 0;  // watchdog: a writer still inside Heavy() by this tick is abandoned (0: never)
  int stall_ms = 0;            // test hook for the watchdog: the first call first blocks this long in poll(2)
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
  uint64_t overflow_at = 0;  // clock at the first gap that did not fit (0: none): later calls are unobserved
  StepHistogram spin_steps, trial_steps;
};

// One heavy call, in ticks: its start and its length. 12 B, not 16: a phase keeps one per call,
// up to 500,000, at the same time as the stuffing buffer (2 MB of a one-reader run's peak).
// Lengths below 2^31 ticks (half a second at 4 GHz) are exact; a longer one is kept in units of
// 2^16 ticks, rounded up, so that its window still covers the whole call (by 2^16 ticks more at
// most: 30 us at 2 GHz, on a call of a second or more).
#pragma pack(push, 4)
struct Window {
  uint64_t from = 0;
  uint32_t code = 0;  // the length: exact below 2^31, else (code - 2^31) units of 2^16 ticks

  Window() = default;
  Window(uint64_t start, uint64_t end) : from(start), code(Code(end - start)) {}
  uint64_t len() const { return code & kCoarse ? uint64_t(code & ~kCoarse) << kShift : code; }
  uint64_t to() const { return from + len(); }

  static constexpr uint32_t kCoarse = 1u << 31;
  static constexpr int kShift = 16;
  static uint32_t Code(uint64_t n) {
    if (n < kCoarse) return uint32_t(n);
    const uint64_t units = (n + (uint64_t(1) << kShift) - 1) >> kShift;
    return kCoarse | uint32_t(units < kCoarse ? units : kCoarse - 1);  // 2^47 ticks: beyond any phase
  }
};
#pragma pack(pop)
static_assert(sizeof(Window) == 12, "a call window is 12 bytes");

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
