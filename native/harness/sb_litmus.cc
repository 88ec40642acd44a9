#include "harness/sb_litmus.h"

#include <poll.h>

#include <cerrno>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <thread>

#include "harness/affinity.h"
#include "harness/deadline.h"
#include "harness/outcomes.h"
#include "harness/stuffing.h"
#include "harness/watchdog.h"

namespace mbp {
namespace {

constexpr uint8_t kMissed = 0xff;

struct alignas(64) Line {
  std::atomic<uint32_t> v{0};
};
struct alignas(64) Announce {
  std::atomic<uint64_t> seq{0};  // last announced trial (1-based); its start is in start[slot]
  std::atomic<uint32_t> stop{0};
};
struct alignas(64) ReaderSync {
  std::atomic<uint64_t> done{0};  // last trial this reader finished or skipped
};

inline uint64_t XorShift(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

// Everything the threads of one phase share. Trials are run in batches of `n` slots so that no
// SB variable is reused (and so needs no reset) until the whole batch is tallied.
struct Shared {
  Shared(size_t readers, size_t n)
      : n(n), y(n), x(readers * n), r0(readers * n, kMissed), r1(readers * n, 0), start(n), sync(readers) {}
  size_t n;
  Announce ann;
  std::vector<Line> y, x;  // x[r * n + slot]
  std::vector<uint8_t> r0, r1;
  std::vector<uint64_t> start;  // per slot, written before the slot is announced
  std::vector<ReaderSync> sync;
  std::atomic<int> ready{0};
  std::atomic<int> pin_failed_cpu{-1};
  std::atomic<int> attach_err{0};
  std::atomic<bool> timed_out{false};
};

size_t SlotsFor(size_t readers) {
  size_t n = 65536 / (readers + 1);
  return n < 64 ? 64 : n > 4096 ? 4096 : n;
}

// Gaps every reader of a phase may keep, in all (24 B each: 24 MiB). One reader keeps up to two per
// trial, as before; many readers share the total, so memory stays bounded at any reader count.
constexpr size_t kTotalGaps = size_t(1) << 20;

size_t GapCapacity(const SbParams& p) {
  const size_t want = size_t(std::min<uint64_t>(p.max_trials, kTotalGaps)) * 2 + 4096;
  const size_t share = kTotalGaps / std::max<size_t>(p.reader_cpus.size(), 1);
  return std::max<size_t>(4096, std::min(want, share));
}

template <ReaderSide kSide>
void ReaderLoop(Strategy& s, const SbParams& p, Shared& sh, const StuffBuffer* buf, size_t r, ReaderEvidence& ev) {
  ev.cpu = p.reader_cpus[r];
  if (PinThisThread(ev.cpu)) {
    sh.pin_failed_cpu.store(ev.cpu);
    sh.ann.stop.store(1);
    return;
  }
  if (int e = s.ReaderAttach(int(r))) sh.attach_err.store(e);
  Stuffing stuff(p.stuff_lines, buf, r, p.reader_cpus.size());
  // At most two gaps per trial are expected (mprotect makes two flushes); more is overflow,
  // counted, and the calls after it are left out of the mechanism evidence (interruption.cc).
  GapWatcher gw(GapCapacity(p), p.gap_spin_ticks, p.gap_trial_ticks);
  uint64_t rnd = p.seed * 0x9E3779B97F4A7C15ull + r + 1;
  const uint64_t hard = p.hard_ticks;
  sh.ready.fetch_add(1);
  gw.Start(Tick());
  uint64_t expect = 1;
  for (;;) {
    // Deadline: hard (watchdog) and cancellation, checked on every step.
    uint64_t g, now;
    while ((g = sh.ann.seq.load(std::memory_order_acquire)) < expect) {
      now = Tick();
      gw.Spin(now);
      // The writer sets stop after announcing its last trial: after seeing stop, a fresh read of
      // seq is final. Without it, a reader delayed between its two loads would quit early.
      if (sh.ann.stop.load(std::memory_order_acquire) && sh.ann.seq.load(std::memory_order_acquire) < expect) goto done;
      if (now >= hard || g_cancel.load(std::memory_order_relaxed)) goto done;
    }
    if (g > expect) {  // the writer moved on while we were busy: those trials are not ours
      for (uint64_t m = expect; m < g; ++m) sh.r0[r * sh.n + (m - 1) % sh.n] = kMissed;
      ev.missed += g - expect;
      expect = g;
      sh.sync[r].done.store(expect - 1, std::memory_order_release);
    }
    const size_t slot = (expect - 1) % sh.n;
    const uint64_t start = sh.start[slot] + (p.jitter_ticks ? XorShift(rnd) % p.jitter_ticks : 0);
    while ((now = Tick()) < start) {
      gw.Spin(now);
      if (now >= hard) goto done;
    }
    gw.Spin(now);
    stuff.Store();
    sh.x[r * sh.n + slot].v.store(1, std::memory_order_relaxed);
    if (kSide == ReaderSide::kFullFence) FullFence();
    else CompilerBarrier();
    sh.r0[r * sh.n + slot] = uint8_t(sh.y[slot].v.load(std::memory_order_relaxed));
    gw.Trial(Tick());
    sh.sync[r].done.store(expect, std::memory_order_release);
    ++expect;
  }
done:
  gw.Close(Tick());
  ev.gaps = gw.TakeGaps();
  ev.gap_overflow = gw.overflow();
  ev.overflow_at = gw.overflow_at();
  ev.spin_steps = gw.spin_steps();
  ev.trial_steps = gw.trial_steps();
}

// Waits until every reader has finished or skipped trial `seq`. Deadline: hard.
bool WaitReaders(Shared& sh, uint64_t seq, uint64_t hard) {
  for (auto& s : sh.sync) {
    while (s.done.load(std::memory_order_acquire) < seq) {
      if (Tick() >= hard) return sh.timed_out.store(true), false;
      if (g_cancel.load(std::memory_order_relaxed) || sh.pin_failed_cpu.load() >= 0) return false;
    }
  }
  return true;
}

void Tally(Shared& sh, size_t slots, SbEvidence& out) {
  for (size_t r = 0; r < out.readers.size(); ++r) {
    for (size_t i = 0; i < slots; ++i) {
      const size_t k = r * sh.n + i;
      if (sh.r0[k] != kMissed) ++out.readers[r].outcomes[CountOutcome(sh.r0[k], sh.r1[k])];
      sh.r0[k] = kMissed;
      sh.x[k].v.store(0, std::memory_order_relaxed);
    }
  }
  for (size_t i = 0; i < slots; ++i) sh.y[i].v.store(0, std::memory_order_relaxed);
}

void WriterLoop(Strategy& s, const SbParams& p, Shared& sh, SbEvidence& out) {
  const size_t R = p.reader_cpus.size();
  const uint64_t t_begin = Tick();
  const uint64_t budget_end = t_begin + p.budget_ticks, hard = p.hard_ticks;
  // Deadline: hard, for the readers to come up.
  while (sh.ready.load() < int(R)) {
    if (sh.pin_failed_cpu.load() >= 0 || g_cancel.load()) return;
    if (Tick() >= hard) return sh.timed_out.store(true);  // readers never all came up: a timeout, not an empty success
  }
  const uint64_t pre = p.offset_ticks < 0 ? uint64_t(-p.offset_ticks) : 0;
  uint64_t seq = 1;
  for (;; ++seq) {
    const size_t slot = (seq - 1) % sh.n;
    if (slot == 0 && seq > 1) {
      if (!WaitReaders(sh, seq - 1, hard)) break;
      Tally(sh, sh.n, out);
    }
    const uint64_t now = Tick();
    if (now >= budget_end || seq > p.max_trials || g_cancel.load(std::memory_order_relaxed) ||
        sh.pin_failed_cpu.load(std::memory_order_relaxed) >= 0)
      break;
    if (now >= hard) {
      sh.timed_out.store(true);
      break;
    }
    const uint64_t start = now + p.lead_ticks + pre;
    sh.start[slot] = start;
    sh.ann.seq.store(seq, std::memory_order_release);
    // Jitter is applied on the readers' side only: the relative start still varies per trial, and
    // the writer, whose time is the run's throughput, does not wait for it.
    const uint64_t go = start + uint64_t(p.offset_ticks);
    while (Tick() < go) {  // Deadline: go is at most lead + |offset| + jitter away
    }
    sh.y[slot].v.store(1, std::memory_order_relaxed);
    const uint64_t t0 = Tick();
    // Test hook for the watchdog: the first call blocks for real in the kernel (poll with no fds).
    if (p.stall_ms && seq == 1) poll(nullptr, 0, p.stall_ms);
    const int err = s.Heavy();
    const uint64_t t1 = Tick();
    if (p.writer_delay_ticks) {
      while (Tick() - t1 < p.writer_delay_ticks) {  // Deadline: the delay itself
      }
    }
    // The writer reads the readers' x one after another, and a read late in the order comes after
    // the store buffers have had longer to drain: the first reader gets most of the SB power. The
    // order rotates per trial so that every reader has the same chance to be read first.
    for (size_t k = 0, r = size_t(seq % R); k < R; ++k, r = r + 1 == R ? 0 : r + 1)
      sh.r1[r * sh.n + slot] = uint8_t(sh.x[r * sh.n + slot].v.load(std::memory_order_relaxed));
    if (p.record_windows) out.windows.push_back({t0, t1});
    if (err) {
      out.status = SbEvidence::Status::kError;
      out.err = err;
      out.what = s.info().calls;
      break;
    }
    ++out.trials;
  }
  const uint64_t last = seq - 1;
  sh.ann.stop.store(1, std::memory_order_release);
  if (last > 0 && WaitReaders(sh, last, hard)) Tally(sh, (last - 1) % sh.n + 1, out);
  out.elapsed_ticks = Tick() - t_begin;
}

// Everything one phase's threads touch lives here, owned jointly by the caller and the writer
// thread: when the watchdog abandons a writer stuck in the kernel, the state outlives the caller
// and is freed by whichever lets go last.
struct PhaseState {
  PhaseState(const RegistryEntry& e, const StrategyParams& sp, const SbParams& p)
      : side(e.info.reader), p(p), s(e.make(sp)), sh(p.reader_cpus.size(), SlotsFor(p.reader_cpus.size())) {}
  const ReaderSide side;  // a copy: an abandoned writer may outlive the registry at process exit
  const SbParams p;
  std::unique_ptr<Strategy> s;
  Shared sh;
  SbEvidence out;
  std::shared_ptr<StuffBuffer> stuff;
  int pin_err = 0;
};

void WriterThread(const std::shared_ptr<PhaseState>& st) {
  PhaseState& ps = *st;
  const SbParams& p = ps.p;
  const size_t R = p.reader_cpus.size();
  std::vector<std::thread> readers;
  if ((ps.pin_err = PinThisThread(p.writer_cpu))) return;
  // A registration-order-sensitive command registers once every reader runs on its CPU: registering
  // first leaves CPUs that idled with this process's mm skipped (strategy.h). Otherwise Prepare
  // comes first, so that no reader spins while a slow registration waits.
  const bool late = ps.s->info().caps.registration_order_sensitive;
  auto prepare = [&]() {
    PrepareResult prep = ps.s->Prepare(int(R));
    ps.out.notes = prep.notes;
    if (late && !prep.err)
      ps.out.notes.push_back(
          {"registered-after-readers",
           "registered once every reader was running on its CPU (a no-op if an earlier phase registered)"});
    if (!prep.err) return true;
    ps.out.status = SbEvidence::Status::kUnavailable;
    ps.out.err = prep.err;
    ps.out.what = prep.what;
    return false;
  };
  if (!late && !prepare()) return ps.s->Teardown();
  for (size_t r = 0; r < R; ++r) {
    if (ps.side == ReaderSide::kFullFence)
      readers.emplace_back(ReaderLoop<ReaderSide::kFullFence>, std::ref(*ps.s), std::cref(p), std::ref(ps.sh),
                           ps.stuff.get(), r, std::ref(ps.out.readers[r]));
    else
      readers.emplace_back(ReaderLoop<ReaderSide::kCompilerBarrier>, std::ref(*ps.s), std::cref(p), std::ref(ps.sh),
                           ps.stuff.get(), r, std::ref(ps.out.readers[r]));
  }
  if (late) {
    // Deadline: hard, for the readers to come up (WriterLoop's own wait then returns at once).
    while (ps.sh.ready.load() < int(R) && ps.sh.pin_failed_cpu.load() < 0 && !g_cancel.load() &&
           Tick() < p.hard_ticks) {}
  }
  if (!late || prepare()) WriterLoop(*ps.s, p, ps.sh, ps.out);
  ps.sh.ann.stop.store(1);
  for (auto& t : readers) t.join();
  ps.s->Teardown();
}

}  // namespace

SbEvidence RunSb(const RegistryEntry& entry, const StrategyParams& sp, const SbParams& p) {
  const size_t R = p.reader_cpus.size();
  auto st = std::make_shared<PhaseState>(entry, sp, p);
  st->out.readers.resize(R);
  if (p.stuff_lines > 0) st->stuff = AcquireStuffing(kStuffingBytes);
  // One window per trial; reserved up front so the vector never doubles (pages count only once written).
  if (p.record_windows) st->out.windows.reserve(size_t(std::min<uint64_t>(p.max_trials, uint64_t(1) << 21)));
  // Every loop of the phase stops by hard_ticks, but a Heavy() blocked in the kernel cannot be
  // stopped from here: the watchdog leaves such a writer behind and the phase is a timeout.
  if (!RunWatched([st] { WriterThread(st); }, p.abandon_ticks)) {
    st->sh.ann.stop.store(1);
    SbEvidence stuck;
    stuck.readers.resize(R);
    for (size_t r = 0; r < R; ++r) stuck.readers[r].cpu = p.reader_cpus[r];
    stuck.status = SbEvidence::Status::kTimeout;
    stuck.what = "the writer's heavy call did not return by the watchdog's deadline; its thread was abandoned";
    return stuck;
  }
  SbEvidence out = std::move(st->out);
  const Shared& sh = st->sh;
  if (st->pin_err) {
    out.status = SbEvidence::Status::kPinFailed;
    out.err = st->pin_err;
    out.what = "cannot pin the writer to CPU " + std::to_string(p.writer_cpu);
  } else if (sh.pin_failed_cpu.load() >= 0) {
    out.status = SbEvidence::Status::kPinFailed;
    out.err = EINVAL;
    out.what = "cannot pin a reader to CPU " + std::to_string(sh.pin_failed_cpu.load());
  } else if (sh.attach_err.load() && out.status == SbEvidence::Status::kOk) {
    out.status = SbEvidence::Status::kError;
    out.err = sh.attach_err.load();
    out.what = "reader attach";
  } else if (sh.timed_out.load() && out.status == SbEvidence::Status::kOk) {
    out.status = SbEvidence::Status::kTimeout;
  } else if (g_cancel.load() && out.status == SbEvidence::Status::kOk) {
    out.status = SbEvidence::Status::kCancelled;
  }
  return out;
}

}  // namespace mbp
