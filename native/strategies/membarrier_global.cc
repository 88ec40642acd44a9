// membarrier-global
// Why it orders every CPU: waits for an RCU grace period (synchronize_rcu), after which every
//   CPU has passed through a full barrier. No IPI is sent, so the gap test does not apply.
// Breaks when: nohz_full is enabled (EINVAL: such CPUs may never pass a quiescent state);
//   seccomp. Milliseconds per call: for rare writers only, so its trials are budgeted by time.
// Evidence: SB alone (its latency is far beyond the detection horizon, which the report says).
#include "strategies/membarrier_common.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{
    "membarrier-global",
    false,
    ReaderSide::kCompilerBarrier,
    false,
    "membarrier(MEMBARRIER_CMD_GLOBAL)",
    MembarrierCaps({"MEMBARRIER_CMD_GLOBAL", nullptr, 4, 3}, /*cross_process=*/true, /*slow=*/true)};
std::unique_ptr<Strategy> Make(const StrategyParams&) {
  return std::make_unique<MembarrierStrategy>(kInfo, 0, kGlobal);
}
}  // namespace
extern const RegistryEntry kMembarrierGlobal{kInfo, Make};
}  // namespace mbp
