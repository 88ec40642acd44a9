// null-syscall: getpid, a syscall that orders nothing on other CPUs. Its interrupted share is
// the floor that timer ticks and other noise produce; a real mechanism must stand clearly above it.
#include <sys/syscall.h>
#include <unistd.h>

#include "controls/simple_controls.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"null-syscall",
                             true,
                             ReaderSide::kCompilerBarrier,
                             true,
                             "syscall(SYS_getpid)",
                             ControlCaps(ControlKind::kNullCall)};
int Op() {
  syscall(SYS_getpid);
  return 0;
}
std::unique_ptr<Strategy> Make(const StrategyParams&) { return std::make_unique<InlineControl<kInfo, Op>>(); }
}  // namespace
extern const RegistryEntry kNullSyscall{kInfo, Make};
}  // namespace mbp
