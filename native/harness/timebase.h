// The engine's shared clock. Trial starts are synchronised on it, readers watch it for gaps and
// the writer brackets each heavy call with it, so every CPU must read the same clock: the TSC
// where inspect found it invariant, CNTVCT on arm64, otherwise CLOCK_MONOTONIC (slower to read,
// coarser evidence; the report says which was used).
#pragma once
#include <atomic>
#include <cstdint>

#include "platform/arch.h"

namespace mbp {

extern std::atomic<bool> g_use_cycles;

inline uint64_t Tick() { return g_use_cycles.load(std::memory_order_relaxed) ? ReadCycles() : MonotonicNs(); }

struct TickRate {
  double ticks_per_ns = 1.0;
  uint64_t ToTicks(double ns) const { return ns <= 0 ? 0 : uint64_t(ns * ticks_per_ns + 0.5); }
  double ToNs(double ticks) const { return ticks / ticks_per_ns; }
};

// Chooses the clock (cycles only when the caller says the counter is trustworthy and the arch
// has one) and measures its rate against CLOCK_MONOTONIC over about `ms` milliseconds.
TickRate SelectTimebase(bool use_cycles, int ms);

// Cross-CPU offset of the clock between two CPUs, by ping-pong: the offset is taken from the
// exchange with the shortest round trip, and the round trip bounds its error.
struct Skew {
  int err = 0;           // errno if a thread could not be pinned
  double offset_ns = 0;  // clock(b) - clock(a)
  double uncertainty_ns = 0;
};
Skew MeasureSkew(int cpu_a, int cpu_b, const TickRate& rate, int rounds);

}  // namespace mbp
