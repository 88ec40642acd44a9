#include "harness/timebase.h"

#include <thread>

#include "harness/affinity.h"
#include "harness/deadline.h"

namespace mbp {

std::atomic<bool> g_use_cycles{false};
std::atomic<bool> g_cancel{false};

TickRate SelectTimebase(bool use_cycles, int ms) {
  g_use_cycles.store(use_cycles && kHasCycleCounter);
  TickRate rate;
  if (!g_use_cycles.load()) return rate;  // CLOCK_MONOTONIC ticks are nanoseconds
  const uint64_t ns0 = MonotonicNs(), t0 = ReadCycles();
  // Deadline: the calibration interval itself.
  while (MonotonicNs() - ns0 < uint64_t(ms) * 1000000ull) CpuRelax();
  const uint64_t ns1 = MonotonicNs(), t1 = ReadCycles();
  rate.ticks_per_ns = double(t1 - t0) / double(ns1 - ns0);
  return rate;
}

namespace {
struct alignas(64) PingPong {
  std::atomic<uint64_t> ping{0};
  char pad1[56];
  std::atomic<uint64_t> pong{0};
  char pad2[56];
  std::atomic<uint64_t> pong_tick{0};
};
}  // namespace

Skew MeasureSkew(int cpu_a, int cpu_b, const TickRate& rate, int rounds) {
  Skew out;
  PingPong pp;
  int err_b = 0;
  const Deadline deadline{Tick() + rate.ToTicks(500e6)};  // half a second at most
  std::thread b([&] {
    if ((err_b = PinThisThread(cpu_b))) {
      pp.pong.store(~0ull);
      return;
    }
    for (int i = 1; i <= rounds; ++i) {
      uint64_t want;
      while ((want = pp.ping.load(std::memory_order_acquire)) != uint64_t(i))
        if (want == ~0ull || deadline.Passed()) return;
      pp.pong_tick.store(Tick(), std::memory_order_relaxed);
      pp.pong.store(uint64_t(i), std::memory_order_release);
    }
  });
  int err_a = 0;
  // Side A runs on a thread of its own too: the caller's thread keeps its affinity.
  std::thread a([&] {
    err_a = PinThisThread(cpu_a);
    double best_rtt = 1e300;
    for (int i = 1; i <= rounds && !err_a; ++i) {
      const uint64_t t1 = Tick();
      pp.ping.store(uint64_t(i), std::memory_order_release);
      uint64_t got;
      while ((got = pp.pong.load(std::memory_order_acquire)) != uint64_t(i)) {
        if (got == ~0ull || deadline.Passed()) break;
        CpuRelax();
      }
      if (got != uint64_t(i)) break;
      const uint64_t t3 = Tick();
      const double rtt = double(t3 - t1);
      if (rtt < best_rtt) {
        best_rtt = rtt;
        out.offset_ns = rate.ToNs(double(pp.pong_tick.load()) - (double(t1) + double(t3)) / 2);
        out.uncertainty_ns = rate.ToNs(rtt / 2);
      }
    }
    pp.ping.store(~0ull);  // release b if we stopped early
  });
  a.join();
  b.join();
  out.err = err_a ? err_a : err_b;
  return out;
}

}  // namespace mbp
