// delay-matched: the writer spins for a strategy's measured median latency instead of calling it.
// A broken barrier that merely takes as long finds no SB violation either, and a long spin is hit
// by timer ticks as often as a long call: this control measures both, so neither can pass for
// evidence of a working mechanism.
#include "harness/deadline.h"
#include "harness/timebase.h"
#include "platform/arch.h"
#include "strategy.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"delay-matched",
                             true,
                             ReaderSide::kCompilerBarrier,
                             true,
                             "spin for the strategy's median latency",
                             ControlCaps(ControlKind::kDelayMatched)};
class DelayMatched : public Strategy {
 public:
  explicit DelayMatched(uint64_t ticks) : ticks_(ticks) {}
  const StrategyInfo& info() const override { return kInfo; }
  int Heavy() override {
    // The delay is in the engine's ticks (options convert it with the engine's rate), so it is
    // spun on the engine's clock: where the engine runs on clock_gettime nanoseconds, ReadCycles()
    // would end the spin early by the cycle counter's rate (a third of the delay at 3 GHz), and
    // where the arch has no cycle counter it reads 0 and only cancellation would end it.
    // Deadline: the delay itself (capped at 100 ms by the options), or cancellation.
    const uint64_t end = Tick() + ticks_;
    while (Tick() < end && !g_cancel.load(std::memory_order_relaxed)) CpuRelax();
    return 0;
  }

 private:
  uint64_t ticks_;
};
std::unique_ptr<Strategy> Make(const StrategyParams& p) { return std::make_unique<DelayMatched>(p.delay_ticks); }
}  // namespace
extern const RegistryEntry kDelayMatched{kInfo, Make};
}  // namespace mbp
