// madvise-dontneed
// Why it orders every CPU: dropping a present page with MADV_DONTNEED zaps its PTE, and the
//   kernel must flush that entry from every CPU running this process before returning: on x86 a
//   TLB-shootdown IPI, a full barrier on each interrupted CPU.
// Breaks when: the same as mprotect (no IPI under broadcast TLBI, INVLPGB, hypercall flushes,
//   PV flush of a preempted vCPU); also if the page was not re-touched, so nothing is zapped.
// Evidence: the gap test and TLB row, against mprotect-untouched and null-syscall.
#include "strategies/page.h"
#include "strategy.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"madvise-dontneed",
                             false,
                             ReaderSide::kCompilerBarrier,
                             true,
                             "store to the page (fault it in); madvise(MADV_DONTNEED)",
                             PageTableCaps(/*mlocked_page=*/false)};

class MadviseDontneed : public Strategy {
 public:
  const StrategyInfo& info() const override { return kInfo; }
  PrepareResult Prepare(int) override { return page_.Prepare(/*touch=*/true, /*lock=*/false); }
  int Heavy() override {
    page_.Touch();  // the previous call dropped the page: fault a fresh one in to be zapped
    return page_.DontNeed();
  }

 private:
  Page page_;
};

std::unique_ptr<Strategy> Make(const StrategyParams&) { return std::make_unique<MadviseDontneed>(); }
}  // namespace
extern const RegistryEntry kMadviseDontneed{kInfo, Make};
}  // namespace mbp
