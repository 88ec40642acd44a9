// writer-fence-only: a full fence on the writer, nothing but a compiler barrier on the readers.
// SB may still relax: the readers' own store can sit in their store buffers. A control that
// shows a one-sided fence is not a process-wide barrier.
#include "controls/simple_controls.h"
#include "platform/arch.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"writer-fence-only",
                             true,
                             ReaderSide::kCompilerBarrier,
                             false,
                             "full fence on the writer only",
                             ControlCaps(ControlKind::kNegative)};
int Op() {
  FullFence();
  return 0;
}
std::unique_ptr<Strategy> Make(const StrategyParams&) { return std::make_unique<InlineControl<kInfo, Op>>(); }
}  // namespace
extern const RegistryEntry kWriterFenceOnly{kInfo, Make};
}  // namespace mbp
