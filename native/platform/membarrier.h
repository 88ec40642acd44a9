// The raw membarrier(2) syscall and its command numbers.
// Why our own copy: glibc has no wrapper, and the build host's <linux/membarrier.h> may predate
// commands (GET_REGISTRATIONS is 6.3+) that the kernel we run on has. The numbers are ABI.
#pragma once
#include <sys/syscall.h>

#include <unistd.h>
#include <cerrno>

#ifndef __NR_membarrier
#if defined(__x86_64__)
#define __NR_membarrier 324
#elif defined(__aarch64__)
#define __NR_membarrier 283
#endif
#endif

namespace mbp {

enum MembarrierCmd : int {
  kQuery = 0,
  kGlobal = 1 << 0,
  kGlobalExpedited = 1 << 1,
  kRegisterGlobalExpedited = 1 << 2,
  kPrivateExpedited = 1 << 3,
  kRegisterPrivateExpedited = 1 << 4,
  kPrivateExpeditedSyncCore = 1 << 5,
  kRegisterPrivateExpeditedSyncCore = 1 << 6,
  kPrivateExpeditedRseq = 1 << 7,
  kRegisterPrivateExpeditedRseq = 1 << 8,
  kGetRegistrations = 1 << 9,
};

// Returns the syscall's value, or -errno. Never touches the global errno of the caller's caller.
inline long membarrier(int cmd, unsigned flags = 0, int cpu_id = 0) {
#ifdef __NR_membarrier
  long r = syscall(__NR_membarrier, cmd, flags, cpu_id);
  return r < 0 ? -errno : r;
#else
  (void)cmd;
  (void)flags;
  (void)cpu_id;
  return -ENOSYS;
#endif
}

}  // namespace mbp
