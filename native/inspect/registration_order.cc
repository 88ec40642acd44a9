// SampleRegistrationOrder (inspect.h): does MEMBARRIER_CMD_GLOBAL_EXPEDITED reach a reader thread
// whatever the order in which the process registered and started it? Each attempt is a fresh
// forked child, because registration is per process and cannot be undone.
//
// Why the order matters (kernel/sched/membarrier.c and core.c, 5.4 to 6.18): GLOBAL_EXPEDITED
// interrupts only CPUs whose runqueue's cached membarrier_state has the GLOBAL_EXPEDITED bit.
// That cache is refreshed when a task of another mm is switched in (membarrier_switch_mm compares
// prev->active_mm with next->mm), at registration only on CPUs whose current task has the mm, and
// it is zeroed when a thread exits (exit_mm). An idle CPU keeps the last mm lazily as active_mm,
// so a thread of the same process switched in there straight from idle refreshes nothing.
// The patterns:
//  - trigger: a helper thread runs on the reader's CPU and exits; the child, single-threaded
//    again, registers on the writer's CPU; then the reader starts there;
//  - avoid: the reader is running on its CPU when the child registers;
//  - churn: as avoid, then that reader is replaced on the same CPU, up to kChurnCycles times in one
//    child (each cycle a new chance, at a fork's fraction of the cost). The replacement is pinned
//    and spinning there before the old reader exits, so the CPU switches from the exiting thread
//    straight to it (same mm, nothing refreshed) rather than to whatever else is runnable: on a busy
//    CPU a task of another process switched in between refreshes the cache and hides the defect.
// The child reads CLOCK_MONOTONIC (as field_child.cc does): no calibration is needed.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "harness/affinity.h"
#include "harness/deadline.h"
#include "harness/gaps.h"
#include "harness/interruption.h"
#include "inspect/child.h"
#include "inspect/inspect.h"
#include "platform/arch.h"
#include "platform/membarrier.h"

namespace mbp {
namespace {

struct Record {
  int32_t pattern;
  int32_t err;
  int32_t step;  // which step failed: 1 pinning, 2 registering, 3 a call, 4 a reader that never came up
  int32_t pad;
  double v[6];  // calls, on-CPU calls, reached, p50 ns, gap threshold ns, registration ns
};

constexpr uint64_t kMs = 1000000;  // ticks are ns in the child
// A child given less than this could not set up (fork, 1 ms helper, 1 ms reader calibration) and still call on a
// loaded machine (given 200 ms, the first child of a 4 s run was killed before it reported, under a load of 8).
constexpr int64_t kMinChildMs = 250;
// Replacements of the reader in one churn child; each is watched for a quarter of the calls (100: 5 ms).
constexpr int kChurnCycles = 4;

// A reader that watches its clock for gaps (as field_child.cc's), pinned to one CPU.
// With Start(.., gated), it pins itself and spins until Go(): runnable on its CPU before it watches.
struct Watcher {
  int cpu = -1;
  uint64_t hard = 0;
  std::atomic<bool> ready{false}, stop{false}, pinned{false}, go{true};
  int pin_err = 0;
  uint64_t threshold = 0;
  std::vector<Gap> gaps;
  std::thread t;

  void Start(int on, uint64_t deadline, bool gated = false) {
    cpu = on, hard = deadline;
    go.store(!gated);
    t = std::thread([this] { Run(); });
    // Deadline: hard, for the reader to pin (and, ungated, calibrate: 1 ms of spinning).
    while (!(gated ? pinned : ready).load() && Tick() < hard) std::this_thread::yield();
  }
  void Go() {
    go.store(true);
    // Deadline: hard, for the calibration.
    while (!ready.load() && Tick() < hard) std::this_thread::yield();
  }
  void Run() {
    pin_err = PinThisThread(cpu);
    pinned.store(true);
    if (pin_err) return ready.store(true);
    // Deadline: hard; Go() normally ends it once the thread before this one has exited.
    while (!go.load(std::memory_order_relaxed) && Tick() < hard) CpuRelax();
    threshold = SelfCalibratedThreshold(TickRate{1.0}, 1000);
    GapWatcher w(8192, threshold, threshold);
    ready.store(true);
    // Deadline: hard; normally ended by stop once the writer is done.
    w.WatchUntil([&](uint64_t now) { return stop.load(std::memory_order_relaxed) || now >= hard; });
    gaps = w.TakeGaps();
  }
  void Join() {
    stop.store(true), go.store(true);
    if (t.joinable()) t.join();
  }
};

// Runs on the reader's CPU and exits, leaving that CPU idle with the child's mm as its lazy mm.
void VisitAndExit(int cpu) {
  std::thread([cpu] {
    if (PinThisThread(cpu) != 0) return;
    // Deadline: 1 ms, long enough to be switched in for real.
    for (const uint64_t end = Tick() + kMs; Tick() < end;) CpuRelax();
  }).join();
}

void Body(int fd, const RegistrationOrderParams& p, RegistrationOrderPattern pattern) {
  g_use_cycles.store(false);
  g_cancel.store(false);  // the parent's flag, copied at fork, is not ours
  // Three quarters of the parent's deadline: the calls stop in time for the record to be written (under an
  // emulator a call that reaches the reader takes milliseconds, and 400 of them would outlive the child).
  const uint64_t hard = Tick() + uint64_t(p.timeout_ms) * kMs * 3 / 4;
  Record rec{int32_t(pattern), 0, 0, 0, {}};
  auto fail = [&](int err, int step) {
    rec.err = err, rec.step = step;
    WriteRecord(fd, &rec, sizeof rec);
  };
  if (int e = PinThisThread(p.writer_cpu)) return fail(e, 1);
  auto reg = [&]() -> long {
    const uint64_t t0 = Tick();
    const long r = membarrier(kRegisterGlobalExpedited);
    rec.v[5] = double(Tick() - t0);
    return r;
  };
  // n calls to GLOBAL_EXPEDITED, while a reader watches, into calls; false when one failed.
  std::vector<Window> calls;
  std::vector<Gap> gaps;  // every measured reader's, in time order (one reader at a time)
  calls.reserve(size_t(p.calls));
  auto measure = [&](int n) {
    for (int i = 0; i < n; ++i) {
      // Deadline: hard (each wait is 20 us, so an interrupt's tail never spills into the next call).
      for (const uint64_t next = Tick() + 20000; Tick() < next;) CpuRelax();
      if (Tick() >= hard) break;
      const uint64_t t0 = Tick();
      const long c = membarrier(kGlobalExpedited);
      const uint64_t t1 = Tick();
      if (c < 0) {
        rec.err = int(-c), rec.step = 3;
        return false;
      }
      calls.push_back({t0, t1});
    }
    return true;
  };
  auto keep = [&](Watcher& w) { gaps.insert(gaps.end(), w.gaps.begin(), w.gaps.end()); };
  uint64_t threshold = 0;
  auto up = [&](Watcher& w) {
    threshold = w.threshold;
    if (!w.ready.load() || w.pin_err) return w.Join(), fail(w.pin_err, w.pin_err ? 1 : 4), false;
    return true;
  };
  if (pattern == RegistrationOrderPattern::kChurn) {
    auto cur = std::make_unique<Watcher>();
    cur->Start(p.reader_cpu, hard);
    if (!up(*cur)) return;
    if (const long r = reg(); r < 0) return cur->Join(), fail(int(-r), 2);
    const int per = std::max(1, p.calls / kChurnCycles);
    bool ok = true;
    // Deadline: kChurnCycles cycles, each bounded by hard.
    for (int k = 0; k < kChurnCycles && ok && Tick() < hard; ++k) {
      auto next = std::make_unique<Watcher>();
      next->Start(p.reader_cpu, hard, true);
      cur->Join();  // the old reader exits while the new one is runnable beside it
      if (k > 0) keep(*cur);
      next->Go();
      cur = std::move(next);
      if (!up(*cur)) return;
      ok = measure(per);
    }
    cur->Join();
    keep(*cur);  // (the first reader's, when no cycle ran: before every call, so harmless)
  } else {
    Watcher reader;
    if (pattern == RegistrationOrderPattern::kTrigger) {
      VisitAndExit(p.reader_cpu);
      if (const long r = reg(); r < 0) return fail(int(-r), 2);
      reader.Start(p.reader_cpu, hard);
      if (!up(reader)) return;
    } else {
      reader.Start(p.reader_cpu, hard);
      if (!up(reader)) return;
      if (const long r = reg(); r < 0) return reader.Join(), fail(int(-r), 2);
    }
    measure(p.calls);
    reader.Join();
    keep(reader);
  }
  std::vector<ReaderEvidence> ev(1);
  ev[0].cpu = p.reader_cpu;
  ev[0].gaps = std::move(gaps);
  const TickRate ns{1.0};
  const Mechanism m = AnalyseInterruption(calls, ev, 0, ns);
  rec.v[0] = double(m.calls), rec.v[1] = double(m.on_cpu_calls), rec.v[2] = double(m.all_interrupted);
  rec.v[3] = LatencyOf(calls, ns, &m.on_cpu).p50;
  rec.v[4] = double(threshold);
  WriteRecord(fd, &rec, sizeof rec);
}

}  // namespace

const char* RegistrationOrderPatternName(RegistrationOrderPattern p) {
  switch (p) {
    case RegistrationOrderPattern::kTrigger: return "register-before-reader";
    case RegistrationOrderPattern::kAvoid: return "register-after-reader";
    case RegistrationOrderPattern::kChurn: return "reader-replaced-after-register";
  }
  return "unknown";
}

std::vector<RegistrationOrderAttempt> SampleRegistrationOrder(const RegistrationOrderParams& p) {
  std::vector<RegistrationOrderAttempt> out;
  const RegistrationOrderPattern order[] = {RegistrationOrderPattern::kTrigger, RegistrationOrderPattern::kAvoid,
                                            RegistrationOrderPattern::kChurn};
  const uint64_t end = MonotonicNs() + uint64_t(p.budget_ms) * kMs;  // the parent's clock may be cycles
  bool shown = false;
  // Interleaved, so that whatever else the machine does at the time touches every pattern alike.
  // Deadline: max_rounds and budget_ms; each child is bounded by timeout_ms.
  for (int i = 0; i < p.max_rounds && !(shown && i >= p.min_rounds) && MonotonicNs() < end; ++i) {
    for (RegistrationOrderPattern pattern : order) {
      // The budget bounds every child, not only the rounds: under an emulator one child can take its whole timeout.
      const int64_t left_ms = (int64_t(end) - int64_t(MonotonicNs())) / int64_t(kMs);
      if (left_ms <= 0) break;
      RegistrationOrderParams q = p;
      q.timeout_ms = int(std::min<int64_t>(p.timeout_ms, std::max<int64_t>(left_ms, kMinChildMs)));
      RegistrationOrderAttempt a;
      a.pattern = pattern;
      a.end = RunInChild([&](int fd) { Body(fd, q, pattern); }, sizeof(Record), q.timeout_ms,
                         [&](const void* raw) {
                           Record rec;
                           __builtin_memcpy(&rec, raw, sizeof rec);
                           a.reported = true;
                           a.err = rec.err, a.step = rec.step;
                           a.calls = uint64_t(rec.v[0]), a.on_cpu_calls = uint64_t(rec.v[1]),
                           a.reached = uint64_t(rec.v[2]);
                           a.p50_ns = rec.v[3], a.gap_threshold_ns = rec.v[4], a.register_ns = rec.v[5];
                         });
      const bool failing = pattern != RegistrationOrderPattern::kAvoid;
      if (failing && a.reported && !a.err && a.on_cpu_calls >= a.reached + kShownMissedCalls) shown = true;
      out.push_back(a);
    }
  }
  return out;
}

}  // namespace mbp
