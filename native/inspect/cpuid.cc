// CPUID is how a guest learns which hypervisor it runs on and what that hypervisor promises
// (KVM's PV TLB flush, Hyper-V's hypercall flush): exactly the facts that decide whether a TLB
// shootdown, and so the mprotect trick, still sends an IPI. /proc does not expose these leaves.
#include "inspect/inspect.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace mbp {

std::optional<CpuidRegs> Cpuid(uint32_t leaf, uint32_t subleaf) {
#if defined(__x86_64__) || defined(__i386__)
  CpuidRegs r{};
  // Hypervisor leaves (0x4000xxxx) are not range-checked by __get_cpuid_count, which only knows
  // the basic and extended ranges; the caller checks the hypervisor's own max leaf instead.
  if ((leaf & 0xF0000000u) == 0x40000000u) {
    __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
    return r;
  }
  if (!__get_cpuid_count(leaf, subleaf, &r.eax, &r.ebx, &r.ecx, &r.edx)) return std::nullopt;
  return r;
#else
  (void)leaf;
  (void)subleaf;
  return std::nullopt;
#endif
}

}  // namespace mbp
