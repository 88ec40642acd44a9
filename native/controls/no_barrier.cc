// none: the positive control. A compiler barrier on both sides orders nothing on the CPU, so SB
// must relax (r0 = r1 = 0) on any x86 or arm64 machine. If it does not, the harness could not
// have seen a broken barrier, and every "0 violations" of the run is worthless.
#include "controls/simple_controls.h"
#include "platform/arch.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{
    "none", true, ReaderSide::kCompilerBarrier, false, "compiler barrier only", ControlCaps(ControlKind::kPositive)};
int Op() {
  CompilerBarrier();
  return 0;
}
std::unique_ptr<Strategy> Make(const StrategyParams&) { return std::make_unique<InlineControl<kInfo, Op>>(); }
}  // namespace
extern const RegistryEntry kNone{kInfo, Make};
}  // namespace mbp
