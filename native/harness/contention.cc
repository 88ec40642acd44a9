#include "harness/contention.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

#include "harness/affinity.h"
#include "harness/deadline.h"
#include "harness/sb_litmus.h"
#include "harness/watchdog.h"

namespace mbp {
namespace {

// Bounds a writer's memory (12 B per call): far more calls than a short budget gives any barrier
// that reaches another CPU.
constexpr size_t kMaxCallsPerWriter = size_t(1) << 16;  // 768 KiB per writer, also when calls skip the IPI (~150 ns)

struct Shared {
  std::atomic<int> ready{0};            // readers and writers that are in place
  std::atomic<uint64_t> budget_end{0};  // 0 until the coordinator says go
  std::atomic<bool> abort{false};       // a thread failed, or setup did not complete: everyone stops
  std::atomic<bool> stop_readers{false};
  std::atomic<int> pin_failed_cpu{-1};
  std::atomic<int> attach_err{0};
  std::atomic<int> heavy_err{0};
  std::atomic<bool> capped{false};
};

bool Stopping(const Shared& sh, uint64_t now, uint64_t hard) {
  return now >= hard || g_cancel.load(std::memory_order_relaxed) || sh.abort.load(std::memory_order_relaxed);
}

void Reader(std::vector<std::unique_ptr<Strategy>>& inst, const ContentionParams& p, Shared& sh, size_t r,
            const TickRate& rate, ReaderEvidence& out) {
  out.cpu = p.reader_cpus[r];
  if (PinThisThread(p.reader_cpus[r])) {
    sh.pin_failed_cpu.store(p.reader_cpus[r]);
    sh.abort.store(true);
    return;
  }
  // Every instance gets the reader, since any writer's barrier must reach it.
  for (auto& s : inst)
    if (int e = s->ReaderAttach(int(r))) sh.attach_err.store(e);
  // A descheduled reader needs no IPI, so calls made meanwhile are fast and prove nothing: the
  // reader records when it was switched out, and those calls are counted apart.
  const uint64_t threshold = SelfCalibratedThreshold(rate, 1000);
  GapWatcher w(4096, threshold, threshold, /*descheduled_only=*/true);
  sh.ready.fetch_add(1);
  // Deadline: hard (and cancellation); normally ended by stop_readers after the writers finish.
  w.WatchUntil(
      [&](uint64_t now) { return sh.stop_readers.load(std::memory_order_relaxed) || Stopping(sh, now, p.hard_ticks); });
  out.gaps = w.TakeGaps();
  out.gap_overflow = w.overflow();
}

void Writer(Strategy& s, const ContentionParams& p, Shared& sh, size_t w, std::vector<Window>& out) {
  if (!p.writer_cpus.empty() && PinThisThread(p.writer_cpus[w % p.writer_cpus.size()])) {
    sh.pin_failed_cpu.store(p.writer_cpus[w % p.writer_cpus.size()]);
    sh.abort.store(true);
    return;
  }
  out.reserve(4096);
  sh.ready.fetch_add(1);
  uint64_t end = 0;
  // Deadline: hard, for the coordinator's go. Yielding, not spinning: writers that share a CPU
  // (inspect's field sample puts all of them on one) would otherwise hold it for a whole time
  // slice each while the coordinator and the reader, still to pin itself, wait their turn (the
  // 4-writer point took 16 ms to start, not 1). A call starts a few hundred ns later at most.
  while ((end = sh.budget_end.load(std::memory_order_acquire)) == 0) {
    if (Stopping(sh, Tick(), p.hard_ticks)) return;
    std::this_thread::yield();
  }
  // Deadline: the budget's end (before hard), cancellation, another thread's failure.
  for (;;) {
    const uint64_t t0 = Tick();
    if (t0 >= end || Stopping(sh, t0, p.hard_ticks)) break;
    const int err = s.Heavy();
    const uint64_t t1 = Tick();
    if (err) {
      sh.heavy_err.store(err);
      sh.abort.store(true);
      break;
    }
    out.push_back({t0, t1});
    if (out.size() >= kMaxCallsPerWriter) {
      sh.capped.store(true);
      break;
    }
  }
}

}  // namespace

const char* ContentionStatusName(ContentionResult::Status s) {
  using S = ContentionResult::Status;
  switch (s) {
    case S::kOk: return "ok";
    case S::kSkipped: return "skipped";
    case S::kUnavailable: return "unavailable";
    case S::kError: return "error";
    case S::kTimeout: return "timeout";
    case S::kCancelled: return "cancelled";
    case S::kPinFailed: return "pin-failed";
  }
  return "error";
}

const char* ContentionSkipReason(const StrategyInfo& info) {
  // A strategy that keeps process-wide state (signals: one acknowledgement counter and one
  // handler) would let two writers count each other's acknowledgements as their own (and a
  // Teardown would uninstall the handler under the other), so concurrent barriers would be
  // reported complete before they were. The descriptor says which (StrategyCaps).
  if (!info.caps.concurrent_writers)
    return "its instances share one global acknowledgement counter and signal handler: concurrent writers would count "
           "each other's acknowledgements";
  return nullptr;
}

namespace {

ContentionResult RunNow(const RegistryEntry& entry, const ContentionParams& p, const TickRate& rate) {
  ContentionResult res;
  if (const char* why = ContentionSkipReason(entry.info)) {
    res.status = ContentionResult::Status::kSkipped;
    res.what = why;
    return res;
  }
  const size_t R = p.reader_cpus.size(), W = size_t(p.writers);
  // One instance per writer: a strategy keeps per-call state (mprotect's page, for one) and is not
  // written for concurrent Heavy(). Registration is per process and idempotent, so each Prepare
  // is harmless; they run here, before any reader starts, as the life cycle asks.
  std::vector<std::unique_ptr<Strategy>> inst;
  for (size_t w = 0; w < W; ++w) {
    inst.push_back(entry.make(StrategyParams{}));
    PrepareResult prep = inst.back()->Prepare(int(R));
    if (w == 0) res.notes = prep.notes;
    if (prep.err) {
      res.status = ContentionResult::Status::kUnavailable;
      res.err = prep.err;
      res.what = prep.what;
      for (auto& s : inst) s->Teardown();
      return res;
    }
  }
  Shared sh;
  std::vector<std::vector<Window>> windows(W);
  std::vector<std::thread> readers, writers;
  std::vector<ReaderEvidence> seen(R);
  for (size_t r = 0; r < R; ++r)
    readers.emplace_back(Reader, std::ref(inst), std::cref(p), std::ref(sh), r, std::cref(rate), std::ref(seen[r]));
  for (size_t w = 0; w < W; ++w)
    writers.emplace_back(Writer, std::ref(*inst[w]), std::cref(p), std::ref(sh), w, std::ref(windows[w]));
  bool timed_out = false;
  // Deadline: hard, for every reader and writer to be in place.
  while (sh.ready.load() < int(R + W)) {
    const uint64_t now = Tick();
    if (Stopping(sh, now, p.hard_ticks)) {
      timed_out = now >= p.hard_ticks;
      sh.abort.store(true);
      break;
    }
    std::this_thread::yield();
  }
  const uint64_t t_begin = Tick();
  if (!sh.abort.load())
    sh.budget_end.store(std::min(t_begin + p.budget_ticks, p.hard_ticks), std::memory_order_release);
  for (auto& t : writers) t.join();
  res.elapsed_ticks = Tick() - t_begin;
  sh.stop_readers.store(true);
  for (auto& t : readers) t.join();
  for (auto& s : inst) s->Teardown();

  std::vector<Window> all;
  for (auto& v : windows) all.insert(all.end(), v.begin(), v.end());
  // In start order, as AnalyseInterruption walks the readers' gaps forward.
  std::sort(all.begin(), all.end(), [](const Window& a, const Window& b) { return a.from < b.from; });
  const Mechanism m = AnalyseInterruption(all, seen, 0, rate);
  res.latency = LatencyOf(all, rate, &m.on_cpu);
  res.descheduled_calls = m.descheduled_calls;
  uint64_t overflow = 0;
  for (const ReaderEvidence& e : seen) overflow += e.gap_overflow;
  if (overflow) {
    res.notes.push_back({"gap-store-full",
                         "a reader was switched out more often than it could record: "
                         "the calls after that were left out"});
  }
  if (sh.capped.load()) {
    res.notes.push_back({"call-cap-reached", "a writer reached the call cap before the budget ended"});
  }
  if (sh.pin_failed_cpu.load() >= 0) {
    res.status = ContentionResult::Status::kPinFailed;
    res.err = 22;
    res.what = "cannot pin a thread to CPU " + std::to_string(sh.pin_failed_cpu.load());
  } else if (sh.heavy_err.load()) {
    res.status = ContentionResult::Status::kError;
    res.err = sh.heavy_err.load();
    res.what = entry.info.calls;
  } else if (sh.attach_err.load()) {
    res.status = ContentionResult::Status::kError;
    res.err = sh.attach_err.load();
    res.what = "reader attach";
  } else if (timed_out || Tick() >= p.hard_ticks) {
    res.status = ContentionResult::Status::kTimeout;
  } else if (g_cancel.load()) {
    res.status = ContentionResult::Status::kCancelled;
  }
  return res;
}

}  // namespace

ContentionResult RunContention(const RegistryEntry& entry, const ContentionParams& p, const TickRate& rate) {
  // Every wait above ends by hard_ticks, but a writer's Heavy() blocked in the kernel cannot be
  // stopped: the watchdog leaves the whole experiment behind (it owns copies of its inputs and
  // its result) and reports a timeout instead of hanging the engine.
  auto out = std::make_shared<ContentionResult>();
  const RegistryEntry* e = &entry;
  if (!RunWatched([out, e, p, rate] { *out = RunNow(*e, p, rate); }, p.abandon_ticks)) {
    ContentionResult stuck;
    stuck.status = ContentionResult::Status::kTimeout;
    stuck.what = "a writer's heavy call did not return by the watchdog's deadline; its threads were abandoned";
    return stuck;
  }
  return std::move(*out);
}

}  // namespace mbp
