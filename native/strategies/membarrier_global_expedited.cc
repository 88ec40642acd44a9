// membarrier-global-expedited
// Why it orders every CPU: IPIs every CPU running a thread of any process that registered with
//   REGISTER_GLOBAL_EXPEDITED (we register), for barriers shared across processes.
// Breaks when: the process whose threads must be ordered did not register; kernel < 4.16;
//   seccomp; and on Linux 5.4 to at least 6.18, a thread switched in straight from idle on a CPU whose
//   runqueue cached the process as unregistered (it registered while that CPU idled with its mm, or
//   a thread of it exited there since): that CPU is skipped (inspect/registration_order.cc).
// Evidence: the interruption test on our own readers (a registered process).
#include "strategies/membarrier_common.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"membarrier-global-expedited",
                             false,
                             ReaderSide::kCompilerBarrier,
                             true,
                             "membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)",
                             RegistrationOrderSensitive(MembarrierCaps(
                                 {"MEMBARRIER_CMD_GLOBAL_EXPEDITED", "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED", 4, 16},
                                 /*cross_process=*/true, /*slow=*/false))};
std::unique_ptr<Strategy> Make(const StrategyParams&) {
  return std::make_unique<MembarrierStrategy>(kInfo, kRegisterGlobalExpedited, kGlobalExpedited);
}
}  // namespace
extern const RegistryEntry kMembarrierGlobalExpedited{kInfo, Make};
}  // namespace mbp
