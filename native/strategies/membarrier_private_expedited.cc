// membarrier-private-expedited
// Why it orders every CPU: the kernel sends an IPI to each CPU currently running a thread of this
//   process and waits until each has executed a full barrier (kernel/sched/membarrier.c,
//   ipi_mb); CPUs not running us pass a scheduler barrier instead.
// Breaks when: not registered (EPERM), kernel < 4.14 (EINVAL), seccomp denies it; under
//   nohz_full it still works (only GLOBAL is refused).
// Evidence: every reader interrupted in every call (gap test, CAL row), against null-syscall.
#include "strategies/membarrier_common.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{
    "membarrier-private-expedited",
    false,
    ReaderSide::kCompilerBarrier,
    true,
    "membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)",
    MembarrierCaps({"MEMBARRIER_CMD_PRIVATE_EXPEDITED", "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED", 4, 14},
                   /*cross_process=*/false, /*slow=*/false)};
std::unique_ptr<Strategy> Make(const StrategyParams&) {
  return std::make_unique<MembarrierStrategy>(kInfo, kRegisterPrivateExpedited, kPrivateExpedited);
}
}  // namespace
extern const RegistryEntry kMembarrierPrivateExpedited{kInfo, Make};
}  // namespace mbp
