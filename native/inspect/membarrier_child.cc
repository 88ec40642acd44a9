// Issues the first membarrier calls in a short-lived child instead of in Node's own process.
// Why: a seccomp filter may kill the caller (SIGSYS, as Android's does) rather than return
// EPERM; in a child that is a fact to report, not a crash. The child is also single-threaded, so
// REGISTER_* does not wait for the RCU grace period that registering a threaded process costs.
// Seccomp filters are inherited across fork, so the child sees exactly the policy we run under.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "inspect/inspect.h"
#include "platform/membarrier.h"

namespace mbp {
namespace {

struct Record {  // one completed call, written by the child as soon as it returns
  int32_t cmd;
  int32_t pad;
  int64_t ret;  // value, or -errno
};

}  // namespace

const int kMembarrierChildSequence[] = {
    kQuery,
    kRegisterGlobalExpedited,
    kRegisterPrivateExpedited,
    kRegisterPrivateExpeditedSyncCore,
    kRegisterPrivateExpeditedRseq,
    kGetRegistrations,
};
const int kMembarrierChildSequenceLength = int(sizeof kMembarrierChildSequence / sizeof(int));

namespace {

int64_t NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Child side: async-signal-safe calls only (syscall, write, _exit), since Node's other threads
// may have held locks at fork time.
[[noreturn]] void RunChild(int fd) {
  for (int cmd : kMembarrierChildSequence) {
    Record rec{cmd, 0, membarrier(cmd)};
    if (write(fd, &rec, sizeof rec) != ssize_t(sizeof rec)) _exit(3);
  }
  _exit(0);
}

void Apply(MembarrierChildReport& rep, const Record& rec) {
  SysResult r = SysResult::From(long(rec.ret));
  if (rec.cmd == kQuery) rep.query = r;
  else if (rec.cmd == kGetRegistrations) rep.get_registrations = r;
  else rep.registrations.push_back({rec.cmd, r});
}

}  // namespace

MembarrierChildReport ProbeMembarrierInChild(int timeout_ms) {
  MembarrierChildReport rep;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    rep.end = MembarrierChildReport::End::kForkFailed;
    rep.fork_errno = errno;
    return rep;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    RunChild(fds[1]);
  }
  close(fds[1]);
  if (pid < 0) {
    rep.end = MembarrierChildReport::End::kForkFailed;
    rep.fork_errno = errno;
    close(fds[0]);
    return rep;
  }

  // Deadline: the whole exchange, reading and reaping, ends by timeout_ms.
  const int64_t deadline = NowMs() + timeout_ms;
  char buf[sizeof(Record)];
  size_t have = 0;
  bool eof = false;
  while (!eof) {
    int left = int(deadline - NowMs());
    if (left <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    int n = poll(&p, 1, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    ssize_t got = read(fds[0], buf + have, sizeof buf - have);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) { eof = true; break; }
    have += size_t(got);
    if (have == sizeof buf) {
      Record rec;
      __builtin_memcpy(&rec, buf, sizeof rec);
      Apply(rep, rec);
      have = 0;
    }
  }
  close(fds[0]);

  int status = 0;
  pid_t w = 0;
  // Deadline: reap until the same deadline (plus a grace for an exiting child), then SIGKILL.
  while ((w = waitpid(pid, &status, WNOHANG)) == 0 && NowMs() < deadline + 50) {
    timespec nap{0, 200000};
    nanosleep(&nap, nullptr);
  }
  if (w == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);  // SIGKILL cannot be blocked; a child doing only syscalls dies at once
    rep.end = MembarrierChildReport::End::kTimeout;
    return rep;
  }
  if (w < 0) {
    rep.end = MembarrierChildReport::End::kProtocol;
    return rep;
  }
  if (WIFSIGNALED(status)) {
    rep.end = MembarrierChildReport::End::kSignaled;
    rep.signal = WTERMSIG(status);
  } else {
    rep.end = MembarrierChildReport::End::kExited;
    rep.exit_code = WEXITSTATUS(status);
  }
  return rep;
}

}  // namespace mbp
