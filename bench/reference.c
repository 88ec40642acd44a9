// reference STRATEGY WRITER_CPU READER_CPU CALLS
// A plain C loop that calls one heavy barrier CALLS times on WRITER_CPU while a reader thread
// spins on READER_CPU (so the process is active there and the barrier has someone to reach).
// Prints "<median ns> <calls per second> <calls per second while the reader was on its CPU>".
// The last figure leaves out calls far faster than the median: while the reader is descheduled
// (here it happens in runs of thousands of calls, a few ms at a time) the kernel sends no IPI and
// the call returns in ~150 ns, which is not the strategy's own cost.
// The bench compares the engine's figures against it: the same kernel path with nothing of ours around it.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int stop_reader;
static volatile uint64_t acks;
static pthread_t reader_thread;
static char* page;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int pin(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  return pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static void on_signal(int sig) {
  (void)sig;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  __atomic_fetch_add(&acks, 1, __ATOMIC_RELEASE);
}

static void* reader(void* arg) {
  pin(*(int*)arg);
  while (!stop_reader) {}  // spins until told; the main thread stops it after the last call
  return NULL;
}

static int heavy(const char* s) {
  if (!strcmp(s, "membarrier-private-expedited")) return (int)syscall(__NR_membarrier, 8, 0, 0);
  if (!strcmp(s, "membarrier-private-expedited-sync-core")) return (int)syscall(__NR_membarrier, 32, 0, 0);
  if (!strcmp(s, "membarrier-global-expedited")) return (int)syscall(__NR_membarrier, 2, 0, 0);
  if (!strcmp(s, "membarrier-global")) return (int)syscall(__NR_membarrier, 1, 0, 0);
  if (!strcmp(s, "mprotect")) {
    if (mprotect(page, 4096, PROT_READ | PROT_WRITE)) return -1;
    page[0]++;
    return mprotect(page, 4096, PROT_READ);
  }
  if (!strcmp(s, "madvise-dontneed")) {
    page[0]++;
    return madvise(page, 4096, MADV_DONTNEED);
  }
  if (!strcmp(s, "signals")) {
    uint64_t target = acks + 1;
    pthread_kill(reader_thread, SIGRTMIN + 7);
    uint64_t deadline = now_ns() + 100000000ull;
    while (__atomic_load_n(&acks, __ATOMIC_ACQUIRE) < target)
      if (now_ns() > deadline) return -1;
    return 0;
  }
  if (!strcmp(s, "null-syscall")) return (int)syscall(SYS_getpid) > 0 ? 0 : -1;
  if (!strcmp(s, "symmetric-fence")) {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return 0;
  }
  fprintf(stderr, "reference: unknown strategy %s\n", s);
  exit(2);
}

static int cmp(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: reference STRATEGY WRITER_CPU READER_CPU CALLS\n");
    return 2;
  }
  const char* s = argv[1];
  int wcpu = atoi(argv[2]), rcpu = atoi(argv[3]), n = atoi(argv[4]);
  if (n < 1) return 2;
  syscall(__NR_membarrier, 16, 0, 0);
  syscall(__NR_membarrier, 64, 0, 0);
  syscall(__NR_membarrier, 4, 0, 0);
  page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  page[0] = 1;
  if (!strcmp(s, "mprotect")) mlock(page, 4096);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGRTMIN + 7, &sa, NULL);
  pthread_create(&reader_thread, NULL, reader, &rcpu);
  if (pin(wcpu)) return 1;
  usleep(20000);
  uint64_t* lat = malloc(sizeof(uint64_t) * (size_t)n);
  for (int i = 0; i < n / 10; i++) heavy(s);  // warm up
  uint64_t t0 = now_ns();
  for (int i = 0; i < n; i++) {
    uint64_t a = now_ns();
    if (heavy(s) < 0) {
      fprintf(stderr, "reference: %s failed: %s\n", s, strerror(errno));
      return 1;
    }
    lat[i] = now_ns() - a;
  }
  uint64_t t1 = now_ns();
  stop_reader = 1;
  pthread_join(reader_thread, NULL);
  qsort(lat, (size_t)n, sizeof lat[0], cmp);
  uint64_t med = lat[n / 2], sum = 0;
  int kept = 0;
  for (int i = 0; i < n; i++)
    if (lat[i] * 5 >= med) sum += lat[i], kept++;
  printf("%llu %.0f %.0f\n", (unsigned long long)med, n / ((t1 - t0) / 1e9), kept / (sum / 1e9));
  return 0;
}
