// What the first MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED costs, in two settings:
//  - fresh: a forked child, single-threaded (mm_users == 1). The kernel updates this CPU's
//    runqueue state and returns: about a microsecond.
//  - threaded: this Node process, which already runs several threads. The kernel must make every
//    CPU that runs this mm see the new state, so it waits for an RCU grace period
//    (synchronize_rcu in sync_runqueues_membarrier_state), typically milliseconds. A runtime that
//    registers lazily, from a thread pool, pays that on a hot path (dotnet/runtime#106722): the
//    advice is to register before the first thread starts.
// The child follows membarrier_child.cc: async-signal-safe calls only, a deadline, SIGKILL.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <thread>

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

// Child side: clock_gettime, syscall, write and _exit only (Node's other threads may have held
// locks at fork time; none of them exists in the child).
[[noreturn]] void RunChild(int fd) {
  ChildRecord rec{membarrier(kGetRegistrations), 0, 0};
  const int64_t t0 = Ns();
  rec.ret = membarrier(kRegisterPrivateExpedited);
  rec.ns = Ns() - t0;
  _exit(write(fd, &rec, sizeof rec) == ssize_t(sizeof rec) ? 0 : 3);
}

RegistrationSample Fail(int err, std::string note) {
  RegistrationSample s;
  s.err = err;
  s.note = std::move(note);
  return s;
}

RegistrationSample Fresh(int timeout_ms) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Fail(errno, "pipe2 failed");
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    RunChild(fds[1]);
  }
  const int fork_err = errno;
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return Fail(fork_err, "fork failed");
  }
  // Deadline: the whole exchange, reading and reaping, ends by timeout_ms.
  const int64_t deadline = Ns() + int64_t(timeout_ms) * 1000000;
  ChildRecord rec{};
  size_t have = 0;
  while (have < sizeof rec) {
    const int64_t left_ms = (deadline - Ns()) / 1000000;
    if (left_ms <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    const int n = poll(&p, 1, int(left_ms));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const ssize_t got = read(fds[0], reinterpret_cast<char*>(&rec) + have, sizeof rec - have);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    have += size_t(got);
  }
  close(fds[0]);
  int status = 0;
  pid_t w = 0;
  // Deadline: the same one plus a grace for an exiting child, then SIGKILL.
  while ((w = waitpid(pid, &status, WNOHANG)) == 0 && Ns() < deadline + 50000000) {
    timespec nap{0, 200000};
    nanosleep(&nap, nullptr);
  }
  if (w == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);  // a child that only makes syscalls dies at once
    return Fail(0, "the child outlived the deadline and was killed");
  }
  if (have < sizeof rec) {
    if (w > 0 && WIFSIGNALED(status)) return Fail(0, "the child was killed by signal " + std::to_string(WTERMSIG(status)) + " (seccomp?)");
    return Fail(0, "the child ended without reporting");
  }
  if (rec.ret < 0) return Fail(int(-rec.ret), "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED failed");
  RegistrationSample s;
  s.ok = true;
  s.ns = uint64_t(rec.ns);
  // Registration state is copied with the mm at fork: a child of a registered process re-registers
  // for free, and the figure would be of that no-op.
  if (rec.regs_before >= 0 && (rec.regs_before & kRegisterPrivateExpedited))
    s.note = "the child inherited a registration: this is the cost of a no-op";
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
  if (regs >= 0 && (regs & kRegisterPrivateExpedited)) return Fail(0, "already registered: not measurable in this process");
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
  s.note = "first registration of this process, which had " + (threads > 0 ? std::to_string(threads) : std::string("several")) + " threads";
  if (regs < 0) s.note += " (GET_REGISTRATIONS: errno " + std::to_string(-regs) + ", so an earlier registration cannot be ruled out)";
  if (sysconf(_SC_NPROCESSORS_ONLN) == 1) s.note += "; one CPU online, where the kernel skips the grace period";
  return s;
}

}  // namespace

RegistrationCost MeasureRegistrationCost(int timeout_ms) {
  RegistrationCost c;
  // Fresh first: the child inherits this process's registration, which Threaded() creates.
  c.fresh = Fresh(timeout_ms);
  c.threaded = Threaded();
  return c;
}

}  // namespace mbp
