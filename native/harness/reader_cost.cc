#include "harness/reader_cost.h"

#include <thread>

#include "harness/affinity.h"

namespace mbp {
namespace {
struct alignas(64) Vars {
  volatile uint32_t x = 0;
  char pad[60];
  volatile uint32_t y = 0;
};

template <bool kFence>
double NsPerOp(Vars& v, uint64_t n, const TickRate& rate) {
  uint32_t sink = 0;
  const uint64_t t0 = Tick();
  for (uint64_t i = 0; i < n; ++i) {  // Deadline: n iterations, bounded by the caller
    v.x = uint32_t(i);
    if (kFence) FullFence();
    else CompilerBarrier();
    sink += v.y;
  }
  const uint64_t t1 = Tick();
  v.y = sink;
  return rate.ToNs(double(t1 - t0)) / double(n);
}
}  // namespace

ReaderCost MeasureReaderCost(int cpu, uint64_t iterations, const TickRate& rate) {
  ReaderCost out;
  std::thread t([&] {
    if ((out.err = PinThisThread(cpu))) return;
    Vars v;
    NsPerOp<false>(v, iterations / 10 + 1, rate);  // warm up
    out.compiler_barrier_ns = NsPerOp<false>(v, iterations, rate);
    out.full_fence_ns = NsPerOp<true>(v, iterations, rate);
  });
  t.join();
  return out;
}
}  // namespace mbp
