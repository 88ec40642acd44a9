// The one small interface every heavy-barrier strategy and control implements, and the SB
// engine drives. A strategy differs from another only in its writer-side Heavy() and in which
// reader-side operation it pairs with (ReaderSide), as liburcu's flavours differ only in
// smp_mb_master(); the pairing is stated in the registry (registry.cc).
//
// Life cycle, all on the engine's threads:
//   Prepare(readers) on the writer thread before readers start,
//   ReaderAttach(i) once on each reader thread,
//   Heavy() per trial on the writer thread,
//   Teardown() on the writer thread after readers have stopped.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mbp {

// What a reader executes between its store and its load.
enum class ReaderSide { kCompilerBarrier, kFullFence };

// What a strategy's soundness rests on, declared once here and read by every TypeScript stage
// (risks, defects, plan, verdicts, recommendation) through the catalogue (engine.strategies()),
// as liburcu's flavour table is: no stage compares ids to decide what applies to a strategy.
enum class Family {
  kMembarrier,  // membarrier(2): the kernel orders the other CPUs
  kPageTable,   // a TLB shootdown IPI: broken where flushes need no IPI (arm64 TLBI, INVLPGB, hypercalls)
  kSignals,     // a signal handler that fences on each reader
  kFence,       // no remote mechanism: both sides fence
  kControl,     // not a candidate: shows what the test can see
};

// What a control stands for, since the analysis reads each kind differently.
enum class ControlKind {
  kNotControl,
  kPositive,      // orders nothing on either side: SB must relax, or the run had no power
  kNegative,      // a known non-barrier: must never pass as one
  kNullCall,      // a syscall that reaches no other CPU: the interrupted-share floor
  kDelayMatched,  // spins as long as a strategy's median: time alone proves nothing
};

// The membarrier(2) commands a strategy issues (names as in linux/membarrier.h).
struct MembarrierCommand {
  const char* command;           // nullptr outside the membarrier family
  const char* register_command;  // nullptr when the command needs no registration
  int since_major, since_minor;  // the kernel that introduced the command (membarrier(2), VERSIONS)
};

struct StrategyCaps {
  Family family;
  MembarrierCommand membarrier;
  bool cross_process;       // orders threads of other (registered) processes too
  bool mlocked_page;        // needs a page that stays present: refused mlock weakens it
  bool concurrent_writers;  // several threads may issue it at once (signals: one global ack counter)
  bool slow;                // milliseconds per call (an RCU grace period): for rare writers only
  ControlKind control_kind;
  // Whether the command reaches a thread depends on when the process registered and whether a thread
  // came or went since: GLOBAL_EXPEDITED targets CPUs by a per-runqueue cache of the registration that
  // an idle CPU keeps stale (inspect/registration_order.cc). The run then registers only once its
  // readers are running on their CPUs, and tests the failing orders apart, each in a fresh child.
  bool registration_order_sensitive = false;
};

constexpr MembarrierCommand kNoMembarrier{nullptr, nullptr, 0, 0};

constexpr StrategyCaps MembarrierCaps(MembarrierCommand cmd, bool cross_process, bool slow) {
  return {Family::kMembarrier, cmd, cross_process, false, true, slow, ControlKind::kNotControl};
}
constexpr StrategyCaps PageTableCaps(bool mlocked_page) {
  return {Family::kPageTable, kNoMembarrier, false, mlocked_page, true, false, ControlKind::kNotControl};
}
constexpr StrategyCaps RegistrationOrderSensitive(StrategyCaps c) {
  c.registration_order_sensitive = true;
  return c;
}
constexpr StrategyCaps ControlCaps(ControlKind kind) {
  return {Family::kControl, kNoMembarrier, false, false, true, false, kind};
}

struct StrategyInfo {
  const char* id;  // kebab-case, as in flags and JSON
  bool control;    // a control proves what the test can see; it is not a candidate
  ReaderSide reader;
  bool remote_interruption;  // soundness rests on interrupting every reader CPU
  const char* calls;         // what one Heavy() does, for the report
  StrategyCaps caps;
};

// A fact worth reporting: `code` is a stable reason code registered in probe/codes.ts (the report's
// logic keys on it), `text` the sentence shown.
struct Note {
  std::string code;
  std::string text;
};

struct PrepareResult {
  int err = 0;              // 0, or the errno that makes the strategy unavailable
  std::string what;         // which step failed, e.g. "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED"
  std::vector<Note> notes;  // facts worth reporting, e.g. mlock refused: the page may be swapped out
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual const StrategyInfo& info() const = 0;
  virtual PrepareResult Prepare(int readers) {
    (void)readers;
    return {};
  }
  virtual int ReaderAttach(int reader) {
    (void)reader;
    return 0;
  }
  // Returns 0, or an errno; the engine stops the phase at the first failure.
  virtual int Heavy() = 0;
  virtual void Teardown() {}
};

struct StrategyParams {
  uint64_t delay_ticks = 0;  // delay-matched control: how long the writer spins instead
};

using StrategyFactory = std::unique_ptr<Strategy> (*)(const StrategyParams&);

struct RegistryEntry {
  StrategyInfo info;
  StrategyFactory make;
};

// Every strategy and control, in report order.
const std::vector<RegistryEntry>& Registry();
const RegistryEntry* FindStrategy(const std::string& id);

}  // namespace mbp
