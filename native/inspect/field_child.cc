// SampleFieldInChild (inspect.h): one forked child runs four short measurements and streams a
// record after each, so a child killed by seccomp or the watchdog still reports what it finished.
//
// Unlike the other children this one starts threads. That is allowed here because glibc (and
// musl) reset their allocator and thread-stack locks in the child at fork; nothing else of Node's
// state is used. The child reads CLOCK_MONOTONIC rather than the cycle counter: no calibration is
// needed, and a reader's step of tens of ns still shows the microseconds an IPI takes.
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>

#include "harness/affinity.h"
#include "harness/contention.h"
#include "harness/deadline.h"
#include "harness/gaps.h"
#include "harness/interruption.h"
#include "inspect/child.h"
#include "inspect/inspect.h"
#include "platform/membarrier.h"

namespace mbp {
namespace {

enum Stage : int32_t { kThreaded = 1, kEffect = 2, kContention = 3, kSignals = 4 };

struct Record {
  int32_t stage;
  int32_t err;
  int32_t aux;  // threaded: threads alive; contention: writers
  int32_t flags;
  double v[10];
};

constexpr uint64_t kMs = 1000000;  // in ticks: the child's clock is in ns

// The effect sample's reader: calibrates its normal loop step, then records every longer step.
struct Reader {
  int cpu;
  uint64_t hard;
  std::atomic<bool> ready{false}, stop{false};
  int pin_err = 0;
  uint64_t threshold = 0;
  std::vector<Gap> gaps;

  void Run() {
    if ((pin_err = PinThisThread(cpu)) != 0) {
      ready.store(true);
      return;
    }
    // Well above the normal step, well below the microseconds an interrupt costs.
    threshold = SelfCalibratedThreshold(TickRate{1.0}, 1000);
    GapWatcher w(8192, threshold, threshold);
    ready.store(true);
    // Deadline: hard; normally ended by stop once the writer is done.
    w.WatchUntil([&](uint64_t now) { return stop.load(std::memory_order_relaxed) || now >= hard; });
    gaps = w.TakeGaps();
  }
};

EffectKind Summarise(const std::vector<Window>& windows, const std::vector<ReaderEvidence>& readers) {
  const TickRate ns{1.0};
  const Mechanism m = AnalyseInterruption(windows, readers, 0, ns);
  EffectKind k;
  k.calls = m.calls;
  k.on_cpu_calls = m.on_cpu_calls;
  k.interrupted = m.all_interrupted;
  k.p50_ns = LatencyOf(windows, ns, &m.on_cpu).p50;
  return k;
}

// Alternates getpid and PRIVATE_EXPEDITED, 20 us apart so an interrupt's tail never spills into
// the next call's window.
void Effect(int fd, const FieldSampleParams& p, uint64_t hard) {
  Record rec{kEffect, 0, 0, 0, {}};
  Reader reader;
  reader.cpu = p.reader_cpu;
  reader.hard = hard;
  int pin = PinThisThread(p.writer_cpu);
  std::thread t([&] { reader.Run(); });
  // Deadline: hard, for the reader to calibrate.
  while (!reader.ready.load() && Tick() < hard) std::this_thread::yield();
  std::vector<Window> mb, null;
  if (!pin) pin = reader.pin_err;
  if (pin) rec.err = pin, rec.flags = 1;
  for (int i = 0; !pin && reader.ready.load() && i < 2 * p.calls; ++i) {
    // Deadline: hard (each wait is 20 us).
    for (const uint64_t next = Tick() + 20000; Tick() < next;) CpuRelax();
    if (Tick() >= hard) break;
    const uint64_t t0 = Tick();
    const long r = (i & 1) ? membarrier(kPrivateExpedited) : syscall(SYS_getpid);
    const uint64_t t1 = Tick();
    if (r < 0 && (i & 1)) {
      rec.err = int(-r), rec.flags = 2;
      break;
    }
    ((i & 1) ? mb : null).push_back({t0, t1});
  }
  reader.stop.store(true);
  t.join();
  std::vector<ReaderEvidence> ev(1);
  ev[0].cpu = p.reader_cpu;
  ev[0].gaps = std::move(reader.gaps);
  const EffectKind a = Summarise(mb, ev), b = Summarise(null, ev);
  const double v[] = {double(a.calls),         double(a.on_cpu_calls), double(a.interrupted), a.p50_ns,
                      double(b.calls),         double(b.on_cpu_calls), double(b.interrupted), b.p50_ns,
                      double(reader.threshold)};
  std::copy(std::begin(v), std::end(v), rec.v);
  WriteRecord(fd, &rec, sizeof rec);
}

void Contention(int fd, const FieldSampleParams& p, uint64_t hard) {
  const RegistryEntry* entry = FindStrategy("membarrier-private-expedited");
  for (int writers : {1, 2, 4}) {
    if (Tick() >= hard) break;
    ContentionParams cp;
    cp.writers = writers;
    cp.reader_cpus = {p.reader_cpu};
    cp.writer_cpus = {p.writer_cpu};  // off the reader's CPU: a writer there would find it switched out
    cp.budget_ticks = uint64_t(p.contention_budget_ms) * kMs;
    cp.hard_ticks = std::min(Tick() + cp.budget_ticks + 500 * kMs, hard);  // Deadline: the child's own
    const ContentionResult r = RunContention(*entry, cp, TickRate{1.0});
    Record rec{kContention, r.err, writers, 0, {}};
    rec.flags = int32_t(r.status);
    rec.v[0] = r.latency.p50, rec.v[1] = r.latency.p99, rec.v[2] = r.latency.max, rec.v[3] = double(r.latency.calls);
    rec.v[4] = double(r.descheduled_calls);
    WriteRecord(fd, &rec, sizeof rec);
    if (r.status != ContentionResult::Status::kOk) break;
  }
}

void Body(int fd, const FieldSampleParams& p) {
  g_use_cycles.store(false);
  g_cancel.store(false);  // the parent's flag, copied at fork, is not ours
  const uint64_t hard = Tick() + uint64_t(p.timeout_ms) * kMs;

  // A parked second thread makes the mm shared (mm_users > 1), as in any runtime that registers late.
  std::thread parked([] {
    for (;;) pause();
  });
  parked.detach();
  Record reg{kThreaded, 0, 2, 0, {}};
  const long before = membarrier(kGetRegistrations);
  reg.flags = before >= 0 && (before & kRegisterPrivateExpedited) ? 1 : 0;  // inherited: a no-op
  const uint64_t t0 = Tick();
  const long r = membarrier(kRegisterPrivateExpedited);
  reg.v[0] = double(Tick() - t0);
  if (r < 0) reg.err = int(-r);
  WriteRecord(fd, &reg, sizeof reg);

  if (r == 0 && p.writer_cpu >= 0 && p.reader_cpu >= 0 && p.writer_cpu != p.reader_cpu) {
    Effect(fd, p, hard);
    Contention(fd, p, hard);
  }
  Record sig{kSignals, SignalsSelfTest(), 0, 0, {}};
  WriteRecord(fd, &sig, sizeof sig);
}

void Apply(FieldSample& s, const Record& rec) {
  if (rec.stage == kThreaded) {
    RegistrationSample r;
    r.ok = rec.err == 0;
    r.err = rec.err;
    r.ns = r.ok ? uint64_t(rec.v[0]) : 0;
    if (rec.flags) {
      r.note = "the child inherited a registration: this is the cost of a no-op";
      r.code = "registration-inherited";
    }
    s.threaded = r;
    s.threads = rec.aux;
  } else if (rec.stage == kEffect) {
    EffectSample e;
    e.err = rec.err;
    e.what = rec.flags == 1 ? "pinning the sample's threads" : rec.flags == 2 ? "MEMBARRIER_CMD_PRIVATE_EXPEDITED" : "";
    e.membarrier = {uint64_t(rec.v[0]), uint64_t(rec.v[1]), uint64_t(rec.v[2]), rec.v[3]};
    e.null_syscall = {uint64_t(rec.v[4]), uint64_t(rec.v[5]), uint64_t(rec.v[6]), rec.v[7]};
    e.gap_threshold_ns = rec.v[8];
    s.effect = e;
  } else if (rec.stage == kContention) {
    ContentionSample c;
    c.writers = rec.aux;
    c.status = ContentionStatusName(ContentionResult::Status(rec.flags));
    c.err = rec.err;
    c.p50_ns = rec.v[0], c.p99_ns = rec.v[1], c.max_ns = rec.v[2];
    c.calls = uint64_t(rec.v[3]);
    c.descheduled_calls = uint64_t(rec.v[4]);
    s.contention.push_back(c);
  } else if (rec.stage == kSignals) {
    s.signals_self_test = rec.err;
  }
}

}  // namespace

FieldSample SampleFieldInChild(const FieldSampleParams& p) {
  FieldSample s;
  s.end = RunInChild([&](int fd) { Body(fd, p); }, sizeof(Record), p.timeout_ms,
                     [&](const void* raw) {
                       Record rec;
                       __builtin_memcpy(&rec, raw, sizeof rec);
                       Apply(s, rec);
                     });
  return s;
}

}  // namespace mbp
