// The registry: every strategy and control, in report order, and the pairing each states
// (StrategyInfo::reader). Integration tests loop over this list.
#include "strategy.h"

namespace mbp {

extern const RegistryEntry kMembarrierPrivateExpedited, kMembarrierPrivateExpeditedSyncCore, kMembarrierGlobalExpedited,
    kMembarrierGlobal, kMprotect, kMadviseDontneed, kSignals, kSymmetricFence, kNone, kWriterFenceOnly, kNullSyscall,
    kMprotectUntouched, kDelayMatched;

const std::vector<RegistryEntry>& Registry() {
  static const std::vector<RegistryEntry> all{
      kMembarrierPrivateExpedited,
      kMembarrierPrivateExpeditedSyncCore,
      kMembarrierGlobalExpedited,
      kMembarrierGlobal,
      kMprotect,
      kMadviseDontneed,
      kSignals,
      kSymmetricFence,
      kNone,
      kWriterFenceOnly,
      kNullSyscall,
      kMprotectUntouched,
      kDelayMatched,
  };
  return all;
}

const RegistryEntry* FindStrategy(const std::string& id) {
  for (const auto& e : Registry())
    if (id == e.info.id) return &e;
  return nullptr;
}

}  // namespace mbp
