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

struct StrategyInfo {
  const char* id;           // kebab-case, as in flags and JSON
  bool control;             // a control proves what the test can see; it is not a candidate
  ReaderSide reader;
  bool remote_interruption; // soundness rests on interrupting every reader CPU
  const char* calls;        // what one Heavy() does, for the report
};

struct PrepareResult {
  int err = 0;              // 0, or the errno that makes the strategy unavailable
  std::string what;         // which step failed, e.g. "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED"
  std::vector<std::string> notes;  // facts worth reporting, e.g. "mlock refused: page may be swapped out"
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual const StrategyInfo& info() const = 0;
  virtual PrepareResult Prepare(int readers) { (void)readers; return {}; }
  virtual int ReaderAttach(int reader) { (void)reader; return 0; }
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
