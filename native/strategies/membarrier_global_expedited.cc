// membarrier-global-expedited
// Why it orders every CPU: IPIs every CPU running a thread of any process that registered with
//   REGISTER_GLOBAL_EXPEDITED (we register), for barriers shared across processes.
// Breaks when: the process whose threads must be ordered did not register; kernel < 4.16;
//   seccomp.
// Evidence: the interruption test on our own readers (a registered process).
#include "strategies/membarrier_common.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"membarrier-global-expedited", false, ReaderSide::kCompilerBarrier, true,
                             "membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)",
                             MembarrierCaps({"MEMBARRIER_CMD_GLOBAL_EXPEDITED", "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED", 4, 16},
                                            /*cross_process=*/true, /*slow=*/false)};
std::unique_ptr<Strategy> Make(const StrategyParams&) {
  return std::make_unique<MembarrierStrategy>(kInfo, kRegisterGlobalExpedited, kGlobalExpedited);
}
}  // namespace
extern const RegistryEntry kMembarrierGlobalExpedited{kInfo, Make};
}  // namespace mbp
