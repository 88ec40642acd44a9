// The few instructions the engine needs, per arch. Why each one:
// - CompilerBarrier: the read side of an asymmetric fence; stops the compiler, not the CPU.
// - FullFence: orders earlier stores before later loads on this CPU (x86 mfence, arm64 dmb ish),
//   the only fence that forbids store buffering.
// - CpuRelax: keeps spin loops polite to an SMT sibling and to the hypervisor.
// - ReadCycles: the raw timebase (TSC / CNTVCT); converted to ns by timebase.cc's calibration.
#pragma once
#include <cstdint>
#include <ctime>

namespace mbp {

inline void CompilerBarrier() { asm volatile("" ::: "memory"); }

#if defined(__x86_64__)
inline void FullFence() { asm volatile("mfence" ::: "memory"); }
inline void CpuRelax() { asm volatile("pause" ::: "memory"); }
inline uint64_t ReadCycles() {
  uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (uint64_t(hi) << 32) | lo;
}
constexpr bool kHasCycleCounter = true;
#elif defined(__aarch64__)
inline void FullFence() { asm volatile("dmb ish" ::: "memory"); }
inline void CpuRelax() { asm volatile("yield" ::: "memory"); }
inline uint64_t ReadCycles() {
  uint64_t v;
  // isb: CNTVCT reads may otherwise be taken early, out of program order.
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
  return v;
}
constexpr bool kHasCycleCounter = true;
#else
inline void FullFence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void CpuRelax() {}
inline uint64_t ReadCycles() { return 0; }
constexpr bool kHasCycleCounter = false;
#endif

inline uint64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

}  // namespace mbp
