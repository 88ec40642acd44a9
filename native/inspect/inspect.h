// Plain C++ facts that only native code can read. No N-API here: addon.cc converts, so the same
// functions can be driven by a sanitizer or fuzz harness without Node.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inspect/child.h"

namespace mbp {

// A syscall outcome: value when ok, else the errno (positive).
struct SysResult {
  bool ok = false;
  long value = 0;
  int err = 0;
  static SysResult From(long r) { return r < 0 ? SysResult{false, 0, int(-r)} : SysResult{true, r, 0}; }
};

struct CpuidRegs {
  uint32_t eax, ebx, ecx, edx;
};
// nullopt off x86 or when the leaf is above the range this CPU (or hypervisor) reports.
std::optional<CpuidRegs> Cpuid(uint32_t leaf, uint32_t subleaf);

// CPUs the calling thread may run on (sched_getaffinity), sized for any CPU count.
SysResult GetAffinity(std::vector<int>& cpus);

// How a short-lived child that issued the membarrier calls ended.
struct MembarrierChildReport {
  ChildEnd end;
  std::optional<SysResult> query;  // absent: the child ended before reporting it
  struct Registration {
    int cmd;
    SysResult result;
  };
  std::vector<Registration> registrations;
  std::optional<SysResult> get_registrations;  // read back after registering
};
// Forks a single-threaded child that calls QUERY, each REGISTER, then GET_REGISTRATIONS, and
// reports each result through a pipe. A child killed by seccomp (SIGSYS) or stuck past
// timeout_ms is reported as such; this process is never at risk.
MembarrierChildReport ProbeMembarrierInChild(int timeout_ms);
// The order of the child's calls: the first one missing from a killed child's report killed it.
extern const int kMembarrierChildSequence[];
extern const int kMembarrierChildSequenceLength;

// What MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED costs. Registering a process that already has
// other threads (mm_users > 1) waits for an RCU grace period (synchronize_rcu in the kernel's
// sync_runqueues_membarrier_state), milliseconds; a single-threaded process takes the fast path.
// That is why runtimes should register before their first thread starts (dotnet/runtime#106722).
struct RegistrationSample {
  bool ok = false;
  uint64_t ns = 0;   // when ok
  int err = 0;       // the REGISTER's errno, or 0 when it failed for another reason (note says)
  std::string note;  // empty, or what qualifies the figure
  std::string code;  // the note's reason code (probe/codes.ts), set with it: logic keys on this, not the note
};
struct RegistrationCost {
  RegistrationSample fresh;     // first REGISTER in a forked, single-threaded child
  RegistrationSample threaded;  // first REGISTER in this (multi-threaded) process, if not yet registered
};
// The child is killed when it outlives timeout_ms. Registers this process as a side effect.
RegistrationCost MeasureRegistrationCost(int timeout_ms);
// Only the fresh half: leaves this process unregistered.
RegistrationSample MeasureFreshRegistration(int timeout_ms);

// A short sample, in one forked child, of what a run measures at length, so that `inspect` can
// answer a maintainer's first questions in well under a second (field_child.cc):
//  - threaded: the first REGISTER_PRIVATE_EXPEDITED with a second thread alive (the RCU wait);
//  - effect: does PRIVATE_EXPEDITED reach the other CPU at all, against getpid, judged by a
//    reader that watches its clock for gaps (a call that "succeeds" and does nothing shows here);
//  - contention: 1, 2 and 4 threads issuing it at once (the kernel serialises them);
//  - signals_self_test: the signals strategy's writer, itself a registered thread, returns.
// The child never touches this process: no registration, signal handler or thread leaks back.
struct FieldSampleParams {
  int writer_cpu = -1, reader_cpu = -1;  // two distinct CPUs we may run on; -1: none to spare
  int calls = 200;                       // per kind (membarrier, getpid) in the effect sample
  int contention_budget_ms = 3;          // per writer count
  int timeout_ms = 3000;                 // the whole child, then SIGKILL
};
struct EffectKind {
  uint64_t calls = 0, on_cpu_calls = 0, interrupted = 0;
  double p50_ns = 0;
};
struct EffectSample {
  int err = 0;       // a failed pin or call: its errno; the shares are then partial
  std::string what;  // which step failed
  EffectKind membarrier, null_syscall;
  double gap_threshold_ns = 0;
};
struct ContentionSample {
  int writers = 0;
  std::string status;  // ContentionStatusName
  int err = 0;
  double p50_ns = 0, p99_ns = 0, max_ns = 0;
  uint64_t calls = 0;
  uint64_t descheduled_calls = 0;  // made while the reader was switched out: not in the figures
};
struct FieldSample {
  ChildEnd end;
  std::optional<RegistrationSample> threaded;
  int threads = 0;  // threads alive in the child when it registered
  std::optional<EffectSample> effect;
  std::vector<ContentionSample> contention;
  std::optional<int> signals_self_test;  // 0 or an errno
};
FieldSample SampleFieldInChild(const FieldSampleParams& p);

// Whether MEMBARRIER_CMD_GLOBAL_EXPEDITED reaches a reader whatever the order of registration and
// thread start (registration_order.cc says why it may not). Each attempt is one fresh forked child,
// killed when it outlives timeout_ms; the patterns are interleaved, one round holding one of each.
// The failing orders need the reader's CPU idle, which a busy machine seldom leaves it, so rounds go
// on until a failing order missed kShownMissedCalls calls (after min_rounds), max_rounds, or budget_ms (which also
// shortens the last children's timeouts).
enum class RegistrationOrderPattern : int32_t { kTrigger = 1, kAvoid = 2, kChurn = 3 };
const char* RegistrationOrderPatternName(RegistrationOrderPattern p);
struct RegistrationOrderParams {
  int writer_cpu = -1, reader_cpu = -1;  // two distinct CPUs we may run on
  int calls = 400;                       // GLOBAL_EXPEDITED calls per attempt, 20 us apart
  int min_rounds = 2, max_rounds = 12;
  int budget_ms = 1500;   // no child starts after this, and none runs much past it
  int timeout_ms = 1000;  // per child, then SIGKILL
};
constexpr uint64_t kShownMissedCalls = 10;
struct RegistrationOrderAttempt {
  RegistrationOrderPattern pattern = RegistrationOrderPattern::kTrigger;
  ChildEnd end;
  bool reported = false;  // the child wrote its record
  int err = 0, step = 0;  // step: 1 pinning, 2 registering, 3 a call, 4 a reader that never came up
  uint64_t calls = 0, on_cpu_calls = 0, reached = 0;  // reached: on-CPU calls the reader saw a gap in
  double p50_ns = 0, gap_threshold_ns = 0, register_ns = 0;
};
std::vector<RegistrationOrderAttempt> SampleRegistrationOrder(const RegistrationOrderParams& p);

struct MemlockReport {
  std::optional<uint64_t> soft, hard;  // nullopt = RLIM_INFINITY
  int rlimit_errno = 0;
  SysResult lock_one_page;  // mlock of one touched page, undone at once
};
MemlockReport ProbeMemlock();

// The signals strategy's self-test (strategies/signals.cc): 0, or the errno of a barrier that
// waited on its own caller.
int SignalsSelfTest();

}  // namespace mbp
