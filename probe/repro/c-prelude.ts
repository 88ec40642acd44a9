// The first part of every reproducer: includes, the membarrier numbers, the timebase and the few
// helpers the strategy blocks (c-strategies.ts) and the skeleton (c-skeleton.ts) share. C text,
// kept raw (String.raw) so its backslashes reach the file as written; libc and pthreads only.
import { MEMBARRIER_COMMANDS } from '../inspect/membarrier.js';

/** The membarrier(2) commands, as the probe's own table (inspect/membarrier.ts, checked against the kernel's uapi
 * header) numbers them: one list, written into every reproducer. */
export const C_MEMBARRIER_COMMANDS: readonly [string, number][] = [
  ['MEMBARRIER_CMD_QUERY', 0],
  ...MEMBARRIER_COMMANDS.map(([name, bit]): [string, number] => [`MEMBARRIER_CMD_${name}`, bit]),
];
const MEMBARRIER_ENUM = `enum {\n${C_MEMBARRIER_COMMANDS.map(([n, b]) => `  ${n} = ${b},\n`).join('')}};\n`;

export const C_PRELUDE = String.raw`#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The numbers from the kernel's uapi <linux/membarrier.h>, so no kernel headers are needed. */
#ifndef __NR_membarrier
#if defined(__x86_64__)
#define __NR_membarrier 324
#elif defined(__aarch64__)
#define __NR_membarrier 283
#endif
#endif
${MEMBARRIER_ENUM}
/* The timebase the reader watches: the CPU's own counter where there is one (cheap to read, so a
   spinning reader notices a few microseconds' interruption), else CLOCK_MONOTONIC_RAW. Both are
   system-wide, so the writer's and the reader's readings can be compared. */
#if defined(__x86_64__)
#define TIMEBASE "TSC ticks"
static inline uint64_t now_ticks(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}
static inline void relax(void) { __asm__ volatile("pause" ::: "memory"); }
#elif defined(__aarch64__)
#define TIMEBASE "CNTVCT ticks"
static inline uint64_t now_ticks(void) {
  uint64_t v;
  __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
  return v;
}
static inline void relax(void) { __asm__ volatile("yield" ::: "memory"); }
#else
#define TIMEBASE "ns"
static inline uint64_t now_ticks(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
static inline void relax(void) { __asm__ volatile("" ::: "memory"); }
#endif

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Ticks per nanosecond, measured against CLOCK_MONOTONIC_RAW over 20 ms (main() calls it once). */
static double ticks_per_ns = 1.0;
static void calibrate_timebase(void) {
  uint64_t n0 = mono_ns(), t0 = now_ticks();
  while (mono_ns() - n0 < 20000000ull) relax();
  uint64_t n1 = mono_ns(), t1 = now_ticks();
  if (t1 > t0 && n1 > n0) ticks_per_ns = (double)(t1 - t0) / (double)(n1 - n0);
}
static uint64_t ns_to_ticks(uint64_t ns) { return (uint64_t)((double)ns * ticks_per_ns) + 1; }

/* Why an attempt could not be set up; one line, ends up on stderr with exit 2. */
static char setup_error[240];
static const char *errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EAGAIN: return "EAGAIN";
    case EBUSY: return "EBUSY";
    default: return "errno";
  }
}
static int fail_setup(const char *what, int err) {
  snprintf(setup_error, sizeof setup_error, "%s failed: %s %d (%s)", what, errno_name(err), err, strerror(err));
  return -1;
}

/* sched_setaffinity(0, ...) pins the calling thread only. */
static int pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set);
}

/* The reader thread of the current attempt (the signals block interrupts it by name). */
static pthread_t reader_thread;
`;
