// delay-matched: the writer spins for a strategy's measured median latency instead of calling it.
// A broken barrier that merely takes as long finds no SB violation either, and a long spin is hit
// by timer ticks as often as a long call: this control measures both, so neither can pass for
// evidence of a working mechanism.
#include "platform/arch.h"
#include "strategy.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"delay-matched", true, ReaderSide::kCompilerBarrier, true, "spin for the strategy's median latency"};
class DelayMatched : public Strategy {
 public:
  explicit DelayMatched(uint64_t ticks) : ticks_(ticks) {}
  const StrategyInfo& info() const override { return kInfo; }
  int Heavy() override {
    // Deadline: the spin itself is the bounded delay (capped by the engine).
    const uint64_t end = ReadCycles() + ticks_;
    while (ReadCycles() < end) CpuRelax();
    return 0;
  }

 private:
  uint64_t ticks_;
};
std::unique_ptr<Strategy> Make(const StrategyParams& p) { return std::make_unique<DelayMatched>(p.delay_ticks); }
}  // namespace
extern const RegistryEntry kDelayMatched{kInfo, Make};
}  // namespace mbp
