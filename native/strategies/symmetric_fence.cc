// symmetric-fence
// Why it orders every CPU: there is nothing remote to order: readers and writer both execute a
//   full hardware fence between their store and their load, which forbids store buffering on
//   every CPU by the architecture's own rules. The always-correct baseline, paid on every read.
// Breaks when: never, given a correct fence (mfence on x86, dmb ish on arm64).
// Evidence: SB only; it has no remote mechanism to measure.
#include "platform/arch.h"
#include "strategy.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"symmetric-fence",
                             false,
                             ReaderSide::kFullFence,
                             false,
                             "full fence on writer and readers",
                             {Family::kFence, kNoMembarrier, false, false, true, false, ControlKind::kNotControl}};
class SymmetricFence : public Strategy {
 public:
  const StrategyInfo& info() const override { return kInfo; }
  int Heavy() override {
    FullFence();
    return 0;
  }
};
std::unique_ptr<Strategy> Make(const StrategyParams&) { return std::make_unique<SymmetricFence>(); }
}  // namespace
extern const RegistryEntry kSymmetricFence{kInfo, Make};
}  // namespace mbp
