// What the first MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED costs, in two settings:
//  - fresh: a forked child, single-threaded (mm_users == 1). The kernel updates this CPU's
//    runqueue state and returns: about a microsecond.
//  - threaded: this Node process, which already runs several threads. The kernel must make every
//    CPU that runs this mm see the new state, so it waits for an RCU grace period
//    (synchronize_rcu in sync_runqueues_membarrier_state), typically milliseconds. A runtime that
//    registers lazily, from a thread pool, pays that on a hot path (dotnet/runtime#106722): the
//    advice is to register before the first thread starts.
// The fresh child runs through child.h: async-signal-safe calls only, a deadline, SIGKILL.
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <thread>

#include "inspect/child.h"
#include "inspect/inspect.h"
#include "platform/membarrier.h"

namespace mbp {
namespace {

struct ChildRecord {
  int64_t regs_before;  // GET_REGISTRATIONS before registering, or -errno
  int64_t ret;          // REGISTER's value, or -errno
  int64_t ns;           // how long REGISTER took
};

int64_t Ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

RegistrationSample Fail(int err, std::string note, const char* code = "registration-failed") {
  RegistrationSample s;
  s.err = err;
  s.note = std::move(note);
  s.code = code;
  return s;
}

RegistrationSample Fresh(int timeout_ms) {
  ChildRecord rec{};
  bool got = false;
  // Child side: clock_gettime, syscall and write only (Node's other threads may have held locks
  // at fork time; none of them exists in the child).
  const ChildEnd end = RunInChild(
      [](int fd) {
        ChildRecord r{membarrier(kGetRegistrations), 0, 0};
        const int64_t t0 = Ns();
        r.ret = membarrier(kRegisterPrivateExpedited);
        r.ns = Ns() - t0;
        WriteRecord(fd, &r, sizeof r);
      },
      sizeof rec, timeout_ms,
      [&](const void* raw) {
        __builtin_memcpy(&rec, raw, sizeof rec);
        got = true;
      });
  if (!got) {
    if (end.kind == ChildEnd::Kind::kForkFailed) return Fail(end.fork_errno, "fork failed");
    if (end.kind == ChildEnd::Kind::kTimeout) return Fail(0, "the child outlived the deadline and was killed");
    if (end.kind == ChildEnd::Kind::kSignaled)
      return Fail(0, "the child was killed by signal " + std::to_string(end.signal) + " (seccomp?)");
    return Fail(0, "the child ended without reporting");
  }
  if (rec.ret < 0) return Fail(int(-rec.ret), "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED failed");
  RegistrationSample s;
  s.ok = true;
  s.ns = uint64_t(rec.ns);
  // Registration state is copied with the mm at fork: a child of a registered process re-registers
  // for free, and the figure would be of that no-op.
  if (rec.regs_before >= 0 && (rec.regs_before & kRegisterPrivateExpedited)) {
    s.note = "the child inherited a registration: this is the cost of a no-op";
    s.code = "registration-inherited";
  }
  return s;
}

int CountThreads() {
  DIR* d = opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

RegistrationSample Threaded() {
  const long regs = membarrier(kGetRegistrations);
  if (regs >= 0 && (regs & kRegisterPrivateExpedited)) {
    return Fail(0, "already registered: not measurable in this process", "already-registered");
  }
  const int threads = CountThreads();
  long ret = 0;
  int64_t ns = 0;
  // A dedicated thread, so the figure does not depend on which Node thread calls this.
  std::thread t([&] {
    const int64_t t0 = Ns();
    ret = membarrier(kRegisterPrivateExpedited);
    ns = Ns() - t0;
  });
  t.join();
  if (ret < 0) return Fail(int(-ret), "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED failed");
  RegistrationSample s;
  s.ok = true;
  s.ns = uint64_t(ns);
  s.code = "registration-threaded";
  s.note = "first registration of this process, which had " +
           (threads > 0 ? std::to_string(threads) : std::string("several")) + " threads";
  if (regs < 0)
    s.note +=
        " (GET_REGISTRATIONS: errno " + std::to_string(-regs) + ", so an earlier registration cannot be ruled out)";
  if (sysconf(_SC_NPROCESSORS_ONLN) == 1) s.note += "; one CPU online, where the kernel skips the grace period";
  return s;
}

}  // namespace

RegistrationSample MeasureFreshRegistration(int timeout_ms) { return Fresh(timeout_ms); }

RegistrationCost MeasureRegistrationCost(int timeout_ms) {
  RegistrationCost c;
  // Fresh first: the child inherits this process's registration, which Threaded() creates.
  c.fresh = Fresh(timeout_ms);
  c.threaded = Threaded();
  return c;
}

}  // namespace mbp
