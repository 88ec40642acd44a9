// Runs a measurement in a forked child that streams fixed-size records back through a pipe.
// Why a child: a seccomp filter may kill whoever calls membarrier (SIGSYS, as Android's does),
// registering changes the process for good, and a stuck kernel path must not hang Node. In a
// child each of those is a fact to report. Records are streamed, so a child killed half-way
// still tells how far it got. Seccomp filters and the CPU mask are inherited across fork, so the
// child runs under exactly the policy we run under.
#pragma once
#include <cstddef>
#include <functional>

namespace mbp {

struct ChildEnd {
  enum class Kind { kExited, kSignaled, kTimeout, kForkFailed, kProtocol } kind = Kind::kProtocol;
  int exit_code = 0;
  int signal = 0;
  int fork_errno = 0;
};

// "exited", "signaled", "timeout", "fork-failed", "protocol-error".
const char* ChildEndName(ChildEnd::Kind k);

// Forks; the child runs body(fd) and exits (body writes whole records of record_size bytes to fd).
// The parent hands each complete record to on_record as it arrives. Deadline: timeout_ms for the
// whole exchange, reading and reaping (plus 50 ms for an exiting child), then SIGKILL.
ChildEnd RunInChild(const std::function<void(int fd)>& body, size_t record_size, int timeout_ms,
                    const std::function<void(const void* record)>& on_record);

// For bodies: writes one record; a failed write ends the child (the parent stopped listening).
void WriteRecord(int fd, const void* record, size_t size);

}  // namespace mbp
