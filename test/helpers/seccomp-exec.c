// seccomp-exec ACTION PROGRAM [ARGS...]: installs a seccomp filter on itself that answers
// membarrier(2) with ACTION, then execs PROGRAM, which inherits the filter. This produces for real
// the policies containers and phones impose: ACTION is eperm (old Docker profiles), enosys, or
// kill (SIGSYS, as Android's filter does to an app calling a syscall it does not allow); and
// zero-private, a sandbox that answers MEMBARRIER_CMD_PRIVATE_EXPEDITED with success without running
// it (as some library OSes have), matched on the command argument so QUERY and REGISTER still work.
// A few classic-BPF instructions; no libseccomp needed.
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "unsupported arch"
#endif

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: seccomp-exec eperm|enosys|kill|zero-private PROGRAM [ARGS...]\n");
    return 2;
  }
  unsigned action, other_commands;  // for MEMBARRIER_CMD_PRIVATE_EXPEDITED, and for every other command
  if (!strcmp(argv[1], "eperm")) action = SECCOMP_RET_ERRNO | EPERM;
  else if (!strcmp(argv[1], "enosys")) action = SECCOMP_RET_ERRNO | ENOSYS;
  else if (!strcmp(argv[1], "kill")) action = SECCOMP_RET_KILL_PROCESS;
  else if (!strcmp(argv[1], "zero-private")) action = SECCOMP_RET_ERRNO | 0;
  else {
    fprintf(stderr, "seccomp-exec: unknown action %s\n", argv[1]);
    return 2;
  }
  other_commands = strcmp(argv[1], "zero-private") ? action : SECCOMP_RET_ALLOW;
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_membarrier, 0, 4),
      // zero-private matches only cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED (8), the low word of args[0].
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 8, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, other_commands),
      BPF_STMT(BPF_RET | BPF_K, action),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {(unsigned short)(sizeof filter / sizeof filter[0]), filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
    perror("seccomp-exec: installing the filter");
    return 1;
  }
  execvp(argv[2], argv + 2);
  perror("seccomp-exec: exec");
  return 127;
}
