// The SB trial loops (see sb_litmus.h): each reader's and the writer's side of every trial, and the tally of
// outcomes; the phase around them (threads, Prepare, watchdog, status) is in sb_phase.cc.
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
#include "harness/sb_shared.h"
#include "harness/stuffing.h"
#include "harness/watchdog.h"

namespace mbp {
namespace sb {
namespace {

inline uint64_t XorShift(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

// Gaps every reader of a phase may keep, in all (24 B each: 24 MiB). One reader keeps up to two per
// trial, as before; many readers share the total, so memory stays bounded at any reader count.
constexpr size_t kTotalGaps = size_t(1) << 20;

size_t GapCapacity(const SbParams& p) {
  const size_t want = size_t(std::min<uint64_t>(p.max_trials, kTotalGaps)) * 2 + 4096;
  const size_t share = kTotalGaps / std::max<size_t>(p.reader_cpus.size(), 1);
  return std::max<size_t>(4096, std::min(want, share));
}

}  // namespace

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

template void ReaderLoop<ReaderSide::kFullFence>(Strategy&, const SbParams&, Shared&, const StuffBuffer*, size_t,
                                                 ReaderEvidence&);
template void ReaderLoop<ReaderSide::kCompilerBarrier>(Strategy&, const SbParams&, Shared&, const StuffBuffer*, size_t,
                                                       ReaderEvidence&);

namespace {

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

}  // namespace

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

}  // namespace sb
}  // namespace mbp
