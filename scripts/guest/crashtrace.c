// mbp-crashtrace.so: a diagnosis aid, preloaded into the guest's node only when
// MEMBARRIER_PROBE_GUEST_CRASHTRACE=1 (never in the tests). On SIGSEGV, SIGBUS or SIGABRT it
// prints the crashing thread's return addresses to stderr (the console) as "module+offset", one
// per line, then lets the signal kill the process as before. The host resolves them with
// addr2line against its own copies of the same files (the x86 guest runs the host's node, libc
// and this checkout's addon), because the 3+ CPU crashes cannot be reproduced on the 2-CPU host.
// Node's own SIGSEGV handler (WebAssembly traps) would take the signal first: the suite starts
// node with --disable-wasm-trap-handler alongside this library.
#define _GNU_SOURCE
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char maps[1 << 16];

static void say(const char* s) {
  ssize_t r = write(2, s, strlen(s));
  (void)r;
}

// The mapping that holds ADDR, from /proc/self/maps read at crash time (threads may have
// mapped libraries since start-up): writes "path+0xoff" into OUT.
static void where(unsigned long addr, char* out, size_t n) {
  snprintf(out, n, "?+0x%lx", addr);
  for (char* line = maps; line && *line;) {
    char* next = strchr(line, '\n');
    if (next) *next = 0;
    unsigned long lo, hi, off;
    char perms[8], path[512] = "";
    if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %511s", &lo, &hi, perms, &off, path) >= 4 && addr >= lo && addr < hi) {
      snprintf(out, n, "%s+0x%lx", path[0] ? path : "[anon]", addr - lo + off);
      if (next) *next = '\n';
      return;
    }
    if (next) *next = '\n';
    line = next ? next + 1 : NULL;
  }
}

static void handler(int sig, siginfo_t* si, void* uc) {
  (void)uc;
  void* frames[64];
  int n = backtrace(frames, 64);
  int fd = open("/proc/self/maps", O_RDONLY);
  ssize_t got = 0, r;
  if (fd >= 0) {
    while (got < (ssize_t)sizeof maps - 1 && (r = read(fd, maps + got, sizeof maps - 1 - got)) > 0) got += r;
    close(fd);
  }
  maps[got] = 0;
  char line[700], loc[600];
  snprintf(line, sizeof line, "\nmbp-crashtrace: signal %d (%s) in thread %d, address %p\n", sig, strsignal(sig),
           gettid(), si->si_addr);
  say(line);
  for (int i = 0; i < n; i++) {
    where((unsigned long)frames[i], loc, sizeof loc);
    snprintf(line, sizeof line, "mbp-crashtrace: #%d %s\n", i, loc);
    say(line);
  }
  // SA_RESETHAND restored the default action: a fault re-runs and kills; an abort, or a signal
  // sent by kill() rather than raised by a fault (si_code <= 0), is raised again.
  if (sig == SIGABRT || si->si_code <= 0) raise(sig);
}

__attribute__((constructor)) static void install(void) {
  void* warm[2];
  backtrace(warm, 2);  // loads libgcc's unwinder now, not inside a handler on a corrupt heap
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGABRT, &sa, NULL);
}
