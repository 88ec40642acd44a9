// What the read side costs: ns per (store; reader-side operation; load) with a compiler barrier
// against the same with a full fence. This is the price symmetric-fence makes every reader pay.
#pragma once
#include <cstdint>

#include "harness/timebase.h"

namespace mbp {
struct ReaderCost {
  int err = 0;
  double compiler_barrier_ns = 0, full_fence_ns = 0;
};
ReaderCost MeasureReaderCost(int cpu, uint64_t iterations, const TickRate& rate);
}  // namespace mbp
