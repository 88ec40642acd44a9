// signals
// Why it orders every CPU: the writer sends a signal to every reader thread (pthread_kill); each
//   handler executes a full fence and acknowledges; the writer returns only when all have. A
//   reader that runs the handler has fenced between any two of its accesses.
// Breaks when: a reader blocks the signal or never runs (the writer then waits; here a deadline
//   turns that into ETIMEDOUT); a signal fallback that takes locks in its handler can deadlock
//   (this one only fences and counts). Costly: two context switches per reader per barrier.
// Evidence: SB and the gap test (the handler is an interruption of the reader).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <vector>

#include "platform/arch.h"
#include "strategy.h"

namespace mbp {
namespace {
constexpr StrategyInfo kInfo{
    "signals",
    false,
    ReaderSide::kCompilerBarrier,
    true,
    "pthread_kill(reader, SIGRTMIN+7) to every reader; wait for each handler's acknowledgement",
    // One process-wide acknowledgement counter and handler (below): two writers
    // would count each other's acknowledgements as their own.
    {Family::kSignals, kNoMembarrier, false, false, /*concurrent_writers=*/false, false, ControlKind::kNotControl}};
// A reader descheduled behind a CPU hog can wait several scheduler slices before its handler runs;
// one that takes half a second is stuck.
constexpr uint64_t kAckDeadlineNs = 500'000'000;

std::atomic<uint64_t> g_acks{0};

void OnSignal(int) {
  FullFence();
  g_acks.fetch_add(1, std::memory_order_release);
}

class Signals : public Strategy {
 public:
  const StrategyInfo& info() const override { return kInfo; }
  PrepareResult Prepare(int readers) override {
    threads_.assign(size_t(readers), pthread_t{});
    struct sigaction sa{};
    sa.sa_handler = OnSignal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(Signal(), &sa, &old_) != 0) return {errno, "sigaction", {}};
    installed_ = true;
    return {};
  }
  int ReaderAttach(int reader) override {
    threads_[size_t(reader)] = pthread_self();
    // Our threads inherit Node's mask: make sure this signal can reach the reader.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, Signal());
    return pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  }
  int Heavy() override {
    // The caller never signals itself: a writer that is also a registered reader thread would wait
    // for an acknowledgement its own handler can only give by interrupting this very wait, which
    // is how a signal fallback deadlocked (JuliaLang/julia#63246). Its own program order orders it.
    const pthread_t self = pthread_self();
    uint64_t others = 0;
    for (pthread_t t : threads_) others += !pthread_equal(t, self);
    const uint64_t target = g_acks.load(std::memory_order_relaxed) + others;
    for (pthread_t t : threads_) {
      if (pthread_equal(t, self)) continue;
      if (int e = pthread_kill(t, Signal())) return e;
    }
    // Deadline: kAckDeadlineNs for all acknowledgements.
    const uint64_t deadline = MonotonicNs() + kAckDeadlineNs;
    for (unsigned spin = 0; g_acks.load(std::memory_order_acquire) < target; ++spin) {
      CpuRelax();
      if ((spin & 1023) == 0 && MonotonicNs() > deadline) return ETIMEDOUT;
    }
    return 0;
  }
  void Teardown() override {
    if (installed_) sigaction(Signal(), &old_, nullptr);
    installed_ = false;
  }

 private:
  static int Signal() { return SIGRTMIN + 7; }
  std::vector<pthread_t> threads_;
  struct sigaction old_{};
  bool installed_ = false;
};

std::unique_ptr<Strategy> Make(const StrategyParams&) { return std::make_unique<Signals>(); }
}  // namespace
extern const RegistryEntry kSignals{kInfo, Make};
}  // namespace mbp

namespace mbp {
// Self-test for the rule above: the calling thread registers as the only reader and issues a
// barrier. Returns 0 at once when the rule holds; without it, ETIMEDOUT after the ack deadline.
int SignalsSelfTest() {
  auto s = kSignals.make(StrategyParams{});
  PrepareResult p = s->Prepare(1);
  if (p.err) return p.err;
  int e = s->ReaderAttach(0);
  if (!e) e = s->Heavy();
  s->Teardown();
  return e;
}
}  // namespace mbp
