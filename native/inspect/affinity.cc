// The CPUs this process may run on. Node's os.cpus() lists every online CPU, but taskset and
// cgroup cpusets narrow the set a reader thread can actually be pinned to; only
// sched_getaffinity tells.
#include <sched.h>

#include <cerrno>

#include "inspect/inspect.h"

namespace mbp {

SysResult GetAffinity(std::vector<int>& cpus) {
  // Start at 1024 CPUs and double on EINVAL: the kernel's mask may be larger (CONFIG_NR_CPUS).
  for (int ncpu = 1024; ncpu <= (1 << 20); ncpu *= 2) {
    cpu_set_t* set = CPU_ALLOC(ncpu);
    if (!set) return SysResult{false, 0, ENOMEM};
    size_t size = CPU_ALLOC_SIZE(ncpu);
    CPU_ZERO_S(size, set);
    if (sched_getaffinity(0, size, set) == 0) {
      cpus.clear();
      for (int c = 0; c < ncpu; ++c)
        if (CPU_ISSET_S(c, size, set)) cpus.push_back(c);
      CPU_FREE(set);
      return SysResult{true, long(cpus.size()), 0};
    }
    int err = errno;
    CPU_FREE(set);
    if (err != EINVAL) return SysResult{false, 0, err};
  }
  return SysResult{false, 0, EINVAL};
}

}  // namespace mbp
