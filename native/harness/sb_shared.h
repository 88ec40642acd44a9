// What the threads of one SB phase share (harness/sb_litmus.cc runs the reader and writer loops on it,
// harness/sb_phase.cc starts those threads and turns their end into the phase's status). Internal to
// the harness: nothing outside those two files includes it.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "harness/sb_litmus.h"
#include "harness/stuffing.h"
#include "strategy.h"

namespace mbp {
namespace sb {

constexpr uint8_t kMissed = 0xff;

struct alignas(64) Line {
  std::atomic<uint32_t> v{0};
};
struct alignas(64) Announce {
  std::atomic<uint64_t> seq{0};  // last announced trial (1-based); its start is in start[slot]
  std::atomic<uint32_t> stop{0};
};
struct alignas(64) ReaderSync {
  std::atomic<uint64_t> done{0};  // last trial this reader finished or skipped
};

// Everything the threads of one phase share. Trials are run in batches of `n` slots so that no
// SB variable is reused (and so needs no reset) until the whole batch is tallied.
struct Shared {
  Shared(size_t readers, size_t n)
      : n(n), y(n), x(readers * n), r0(readers * n, kMissed), r1(readers * n, 0), start(n), sync(readers) {}
  size_t n;
  Announce ann;
  std::vector<Line> y, x;  // x[r * n + slot]
  std::vector<uint8_t> r0, r1;
  std::vector<uint64_t> start;  // per slot, written before the slot is announced
  std::vector<ReaderSync> sync;
  std::atomic<int> ready{0};
  std::atomic<int> pin_failed_cpu{-1};
  std::atomic<int> attach_err{0};
  std::atomic<bool> timed_out{false};
};

inline size_t SlotsFor(size_t readers) {
  size_t n = 65536 / (readers + 1);
  return n < 64 ? 64 : n > 4096 ? 4096 : n;
}

// One reader thread's loop: pinned to reader_cpus[r], it runs the trials the writer announces and keeps its
// outcomes in `sh` and its gaps in `ev` (instantiated for both reader sides in sb_litmus.cc).
template <ReaderSide kSide>
void ReaderLoop(Strategy& s, const SbParams& p, Shared& sh, const StuffBuffer* buf, size_t r, ReaderEvidence& ev);

// The writer's loop: announces trials until the budget, max_trials, the hard deadline or a failure, and tallies
// the readers' outcomes into `out`.
void WriterLoop(Strategy& s, const SbParams& p, Shared& sh, SbEvidence& out);

}  // namespace sb
}  // namespace mbp
