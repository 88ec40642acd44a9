#include "harness/affinity.h"

#include <pthread.h>
#include <sched.h>

#include <cerrno>

namespace mbp {

int PinThisThread(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  int e = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  if (e) return e;
  // Affinity takes effect at the next scheduling point; yield so we run on `cpu` from here on.
  sched_yield();
  return sched_getcpu() == cpu ? 0 : 22;
}

}  // namespace mbp
