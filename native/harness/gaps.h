// The reader's side of the mechanism evidence. A reader reads the shared clock on every step of
// its loop; a step that took far longer than its calibrated ceiling means the reader was not
// executing: it took an interrupt (a few microseconds: the mechanism under test, or noise) or it
// was descheduled (a context switch, a barrier of its own but not the mechanism under test).
// The two are told apart by the thread's context-switch count (getrusage), read only after a gap
// so the loop itself stays a few loads long.
#pragma once
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "harness/timebase.h"

namespace mbp {

struct Gap {
  uint64_t from, to;  // clock before and after the missing time
  bool descheduled;
};

// log2 histogram of loop-step lengths, in ticks: calibration reads the normal loop from it.
struct StepHistogram {
  uint64_t bucket[64] = {};
  void Add(uint64_t ticks) { ++bucket[ticks ? 63 - __builtin_clzll(ticks) : 0]; }
  // The smallest power of two at or above the given quantile of steps.
  uint64_t Quantile(double q) const;
};

// For a reader without the engine's calibration: spins 1 ms and returns a threshold well above
// this CPU's normal loop step and at least floor_ns, below the microseconds an interrupt costs.
uint64_t SelfCalibratedThreshold(const TickRate& rate, double floor_ns);

class GapWatcher {
 public:
  // descheduled_only: keep only the gaps during which the thread was switched out (a reader that
  // only needs to know when it was off its CPU then stores a handful, not one per interrupt).
  GapWatcher(size_t capacity, uint64_t spin_threshold, uint64_t trial_threshold, bool descheduled_only = false)
      : spin_threshold_(spin_threshold), trial_threshold_(trial_threshold), descheduled_only_(descheduled_only) {
    gaps_.reserve(capacity);
    capacity_ = capacity;
    switches_ = ContextSwitches();
    // What one getrusage costs here: the step that contains it may take this much longer.
    uint64_t d[9];
    for (uint64_t& x : d) {
      const uint64_t t = Tick();
      ContextSwitches();
      x = Tick() - t;
    }
    std::sort(d, d + 9);
    allowance_ = 2 * d[4];
  }
  void Start(uint64_t now) { prev_ = now; }
  // A step of the waiting loop.
  inline void Spin(uint64_t now) { Step(now, spin_threshold_, spin_steps_); }
  // The step that contained a trial (stores to cold lines, the SB accesses).
  inline void Trial(uint64_t now) { Step(now, trial_threshold_, trial_steps_); }
  // Closes the last gap when the run stops: a reader descheduled at the end would otherwise hide
  // its final gap and make the last calls look uninterrupted.
  void Close(uint64_t now) { Step(now, spin_threshold_, spin_steps_); }
  // A reader that only watches: spins until stop(now) says so (its deadline lives there), then closes.
  template <class Stop>
  void WatchUntil(Stop stop) {
    uint64_t now = Tick();
    Start(now);
    while (!stop(now)) {
      now = Tick();
      Spin(now);
    }
    Close(Tick());
  }

  std::vector<Gap> TakeGaps() { return std::move(gaps_); }
  uint64_t overflow() const { return overflow_; }
  uint64_t overflow_at() const { return overflow_at_; }
  const StepHistogram& spin_steps() const { return spin_steps_; }
  const StepHistogram& trial_steps() const { return trial_steps_; }

 private:
  static uint64_t ContextSwitches() {
    struct rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return uint64_t(ru.ru_nvcsw) + uint64_t(ru.ru_nivcsw);
  }
  inline void Step(uint64_t now, uint64_t threshold, StepHistogram& h) {
    const uint64_t d = now - prev_;
    prev_ = now;
    if (__builtin_expect(extra_ != 0, 0)) {
      threshold += extra_;  // this step contains the getrusage of the last gap
      extra_ = 0;
    } else {
      h.Add(d);
    }
    if (__builtin_expect(d > threshold, 0)) Record(now - d, now);
  }
  // The time spent in getrusage stays observed: the next step starts where this gap ended and is
  // allowed the syscall's own cost, so an interrupt that lands inside the syscall still shows.
  void Record(uint64_t from, uint64_t to) {
    const uint64_t sw = ContextSwitches();
    const bool descheduled = sw != switches_;
    switches_ = sw;
    if (descheduled_only_ && !descheduled) {
      // not kept
    } else if (gaps_.size() < capacity_) {
      gaps_.push_back({from, to, descheduled});
    } else {
      if (!overflow_++) overflow_at_ = from;
    }
    extra_ = allowance_;
  }

  uint64_t spin_threshold_, trial_threshold_;
  bool descheduled_only_;
  uint64_t prev_ = 0, switches_ = 0, overflow_ = 0, overflow_at_ = 0, allowance_ = 0, extra_ = 0;
  size_t capacity_ = 0;
  std::vector<Gap> gaps_;
  StepHistogram spin_steps_, trial_steps_;
};

}  // namespace mbp
