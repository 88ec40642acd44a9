// mprotect (the "mprotect trick", lttng-dev 2015; folly's mprotectMembarrier)
// Why it orders every CPU: downgrading the protection of a present, dirty page forces the kernel
//   to invalidate the TLB entry on every CPU that may cache it: every CPU running this process.
//   On x86 that is an IPI, and taking an interrupt is a full barrier on that CPU; the kernel
//   waits for every CPU to acknowledge before mprotect returns.
// Breaks when: no IPI is sent: arm64's broadcast TLBI, AMD INVLPGB (Linux 6.15+ may give a
//   process active on 4+ CPUs a global ASID), Hyper-V/Xen flushing by hypercall, KVM PV flush
//   for a preempted vCPU, or a page that is not present (hence mlock, and the write).
// Evidence: every reader interrupted in every call (gap test, TLB row) against the untouched-page
//   control, which makes the same calls on a page with no PTE.
#include "strategies/page.h"
#include "strategy.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{"mprotect",
                             false,
                             ReaderSide::kCompilerBarrier,
                             true,
                             "mprotect(PROT_READ|PROT_WRITE); store to the page; mprotect(PROT_READ)",
                             PageTableCaps(/*mlocked_page=*/true)};

class Mprotect : public Strategy {
 public:
  const StrategyInfo& info() const override { return kInfo; }
  PrepareResult Prepare(int) override { return page_.Prepare(/*touch=*/true, /*lock=*/true); }
  int Heavy() override {
    if (int e = page_.Protect(PROT_READ | PROT_WRITE)) return e;
    page_.Touch();  // dirty: the downgrade below must then flush a live, writable PTE
    return page_.Protect(PROT_READ);
  }

 private:
  Page page_;
};

std::unique_ptr<Strategy> Make(const StrategyParams&) { return std::make_unique<Mprotect>(); }
}  // namespace
extern const RegistryEntry kMprotect{kInfo, Make};
}  // namespace mbp
