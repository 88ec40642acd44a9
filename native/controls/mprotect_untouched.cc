// mprotect-untouched: the mprotect trick on a page that was never touched and is not locked.
// There is no PTE to invalidate, so no TLB shootdown and no IPI: a known-broken barrier that costs
// a syscall pair. If this control ever looks "interrupted", the gap test is measuring noise.
#include "strategies/page.h"
#include "strategy.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"mprotect-untouched",
                             true,
                             ReaderSide::kCompilerBarrier,
                             true,
                             "mprotect(PROT_READ|PROT_WRITE); mprotect(PROT_READ) on a never-touched page",
                             ControlCaps(ControlKind::kNegative)};
class MprotectUntouched : public Strategy {
 public:
  const StrategyInfo& info() const override { return kInfo; }
  PrepareResult Prepare(int) override { return page_.Prepare(/*touch=*/false, /*lock=*/false); }
  int Heavy() override {
    if (int e = page_.Protect(PROT_READ | PROT_WRITE)) return e;
    return page_.Protect(PROT_READ);
  }

 private:
  Page page_;
};
std::unique_ptr<Strategy> Make(const StrategyParams&) { return std::make_unique<MprotectUntouched>(); }
}  // namespace
extern const RegistryEntry kMprotectUntouched{kInfo, Make};
}  // namespace mbp
