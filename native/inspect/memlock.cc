// The mprotect trick needs a locked page: an unlocked one may be swapped out, and a page that is
// not present has no PTE to invalidate, so no shootdown IPI is sent. Whether mlock works here is
// decided by RLIMIT_MEMLOCK and CAP_IPC_LOCK together, so we try it rather than predict it.
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include "inspect/inspect.h"

namespace mbp {

MemlockReport ProbeMemlock() {
  MemlockReport rep;
  struct rlimit rl{};
  if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
    if (rl.rlim_cur != RLIM_INFINITY) rep.soft = rl.rlim_cur;
    if (rl.rlim_max != RLIM_INFINITY) rep.hard = rl.rlim_max;
  } else {
    rep.rlimit_errno = errno;
  }
  long page = sysconf(_SC_PAGESIZE);
  void* p = mmap(nullptr, size_t(page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    rep.lock_one_page = SysResult{false, 0, errno};
    return rep;
  }
  static_cast<volatile char*>(p)[0] = 1;  // fault it in, as the strategy will
  if (mlock(p, size_t(page)) == 0) {
    rep.lock_one_page = SysResult{true, 0, 0};
    munlock(p, size_t(page));
  } else {
    rep.lock_one_page = SysResult{false, 0, errno};
  }
  munmap(p, size_t(page));
  return rep;
}

}  // namespace mbp
