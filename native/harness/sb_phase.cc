// RunSb(): one SB phase from start to status. The writer thread pins itself, prepares the strategy
// (before or after the readers come up, as its caps ask), starts the readers and runs the writer loop
// (harness/sb_litmus.cc) under the watchdog, then the end is read into the phase's status. Apart from
// sb_litmus.cc, which holds the trial loops themselves.
#include <cerrno>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "harness/affinity.h"
#include "harness/deadline.h"
#include "harness/sb_litmus.h"
#include "harness/sb_shared.h"
#include "harness/stuffing.h"
#include "harness/watchdog.h"

namespace mbp {
namespace {

using sb::ReaderLoop;
using sb::Shared;
using sb::SlotsFor;
using sb::WriterLoop;

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
