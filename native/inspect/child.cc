#include "inspect/child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <vector>

namespace mbp {
namespace {

int64_t NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

const char* ChildEndName(ChildEnd::Kind k) {
  switch (k) {
    case ChildEnd::Kind::kExited: return "exited";
    case ChildEnd::Kind::kSignaled: return "signaled";
    case ChildEnd::Kind::kTimeout: return "timeout";
    case ChildEnd::Kind::kForkFailed: return "fork-failed";
    case ChildEnd::Kind::kProtocol: break;
  }
  return "protocol-error";
}

void WriteRecord(int fd, const void* record, size_t size) {
  if (write(fd, record, size) != ssize_t(size)) _exit(3);
}

ChildEnd RunInChild(const std::function<void(int fd)>& body, size_t record_size, int timeout_ms,
                    const std::function<void(const void* record)>& on_record) {
  ChildEnd end;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    end.kind = ChildEnd::Kind::kForkFailed;
    end.fork_errno = errno;
    return end;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    // A Ctrl-C goes to the whole process group, this child included, and the child inherited Node's
    // handler, which writes to libuv's signal pipe, shared with the parent: the parent would see two
    // SIGINTs, and a second one means "leave at once" (the report is lost). The child ignores it;
    // its own deadline ends it.
    signal(SIGINT, SIG_IGN);
    body(fds[1]);
    _exit(0);
  }
  const int fork_err = errno;
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    end.kind = ChildEnd::Kind::kForkFailed;
    end.fork_errno = fork_err;
    return end;
  }

  const int64_t deadline = NowMs() + timeout_ms;
  std::vector<char> buf(record_size);
  size_t have = 0;
  for (;;) {
    const int left = int(deadline - NowMs());
    if (left <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    const int n = poll(&p, 1, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const ssize_t got = read(fds[0], buf.data() + have, record_size - have);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF: the child exited or died
    have += size_t(got);
    if (have == record_size) {
      on_record(buf.data());
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
    // Deadline: one more second. A child inside an uninterruptible wait (REGISTER waits for an RCU
    // grace period that way) dies only when the wait ends; past that it is left to init.
    const int64_t last = NowMs() + 1000;
    while (waitpid(pid, &status, WNOHANG) == 0 && NowMs() < last) {
      timespec nap{0, 1000000};
      nanosleep(&nap, nullptr);
    }
    end.kind = ChildEnd::Kind::kTimeout;
    return end;
  }
  if (w < 0) return end;  // kProtocol
  if (WIFSIGNALED(status)) {
    end.kind = ChildEnd::Kind::kSignaled;
    end.signal = WTERMSIG(status);
  } else {
    end.kind = ChildEnd::Kind::kExited;
    end.exit_code = WEXITSTATUS(status);
  }
  return end;
}

}  // namespace mbp
