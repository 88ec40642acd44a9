// membarrier-private-expedited-sync-core
// Why it orders every CPU: as PRIVATE_EXPEDITED, and each interrupted CPU also executes a
//   core-serialising instruction before returning to user space: what JITs use after
//   rewriting code that other threads may be running.
// Breaks when: not registered with REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (EPERM); kernel < 4.16
//   or an arch without support (EINVAL); seccomp.
// Evidence: the same interruption test as private-expedited.
#include "strategies/membarrier_common.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"membarrier-private-expedited-sync-core",
                             false,
                             ReaderSide::kCompilerBarrier,
                             true,
                             "membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE)",
                             MembarrierCaps({"MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE",
                                             "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE", 4, 16},
                                            /*cross_process=*/false, /*slow=*/false)};
std::unique_ptr<Strategy> Make(const StrategyParams&) {
  return std::make_unique<MembarrierStrategy>(kInfo, kRegisterPrivateExpeditedSyncCore, kPrivateExpeditedSyncCore);
}
}  // namespace
extern const RegistryEntry kMembarrierPrivateExpeditedSyncCore{kInfo, Make};
}  // namespace mbp
