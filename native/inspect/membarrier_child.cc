// Issues the first membarrier calls in a short-lived child instead of in Node's own process.
// Why: a seccomp filter may kill the caller (SIGSYS, as Android's does) rather than return
// EPERM; in a child that is a fact to report, not a crash (child.h). The child is also
// single-threaded, so REGISTER_* does not wait for the RCU grace period that registering a
// threaded process costs.
#include <cstdint>

#include "inspect/child.h"
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

// Child side: syscall and write only; Node's other threads may have held locks at fork time.
void RunChild(int fd) {
  for (int cmd : kMembarrierChildSequence) {
    Record rec{cmd, 0, membarrier(cmd)};
    WriteRecord(fd, &rec, sizeof rec);
  }
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
  rep.end = RunInChild(RunChild, sizeof(Record), timeout_ms, [&](const void* raw) {
    Record rec;
    __builtin_memcpy(&rec, raw, sizeof rec);
    Apply(rep, rec);
  });
  return rep;
}

}  // namespace mbp
