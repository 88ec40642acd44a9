// The middle of every reproducer: the reader that watches its timebase for gaps and one attempt (in
// a forked child, so each attempt starts with a fresh mm and registration state). main() is in
// c-main.ts. C text (String.raw); see c-prelude.ts.
export const C_SKELETON = String.raw`
#define ULL(x) ((unsigned long long)(x))

/* One attempt's outcome, written by the child into memory shared with the parent. */
struct attempt {
  int finished, failed, calls, judged, missed, gaps, overflowed;
  uint64_t threshold, missed_ticks, reached_ticks; /* medians of the calls' own durations */
  char error[240];
};

static int writer_cpu = -1, reader_cpu = -1, n_calls = REPRO_DEFAULT_CALLS;
static volatile int reader_state; /* 0 starting, 1 calibrated and watching, -1 could not pin */
static volatile int stop_reader;
static volatile uint64_t heartbeat; /* the reader's loop count: the writer sees whether it is running */
static uint64_t threshold;        /* a gap: two readings further apart than this */
static uint64_t *gap_from, *gap_to;
static unsigned char *gap_switched; /* the reader was switched out: no IPI was needed then */
static int n_gaps, gap_cap;

/* The trigger's first step: a thread of this process runs briefly on the reader's CPU and exits,
   so that CPU goes idle while still (lazily) holding this process's mm. */
static void *helper_main(void *arg) {
  (void)arg;
  if (pin_to(reader_cpu) == 0) {
    uint64_t end = mono_ns() + 1000000ull;
    while (mono_ns() < end) relax();
  }
  return NULL;
}

#define BUCKETS 4096
static int percentile_bucket(const uint32_t *hist, uint64_t total, double q) {
  uint64_t want = (uint64_t)((double)total * q), seen = 0;
  for (int i = 0; i < BUCKETS; i++)
    if ((seen += hist[i]) >= want) return i;
  return BUCKETS - 1;
}

/* This thread's context switches: a gap with a switch in it was time off the CPU, not an interrupt. */
static long switches(void) {
  struct rusage ru;
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_nvcsw + ru.ru_nivcsw;
}

/* Spins on its CPU reading the timebase. First 5 ms of calibration: the loop's own step sizes,
   undisturbed, set the gap threshold; then every longer step is recorded as a gap. */
static void *reader_main(void *arg) {
  (void)arg;
  if (pin_to(reader_cpu)) {
    __atomic_store_n(&reader_state, -1, __ATOMIC_SEQ_CST);
    return NULL;
  }
  static uint32_t hist[BUCKETS];
  memset(hist, 0, sizeof hist);
  uint64_t total = 0, last = now_ticks(), t = last, end = last + ns_to_ticks(5000000ull);
  while (t < end) {
    t = now_ticks();
    uint64_t d = t - last;
    hist[d < BUCKETS ? d : BUCKETS - 1]++;
    total++;
    last = t;
  }
  int median = percentile_bucket(hist, total, 0.5), p999 = percentile_bucket(hist, total, 0.999);
  uint64_t thr = 4 * (uint64_t)p999;
  if (thr < 16 * (uint64_t)median) thr = 16 * (uint64_t)median;
  if (thr < 2) thr = 2;
  threshold = thr;
  /* Watching starts before the writer is told to begin: time off the CPU from here on is a gap. */
  long last_switches = switches();
  uint64_t hard_deadline = now_ticks() + ns_to_ticks(8000000000ull);
  last = now_ticks();
  __atomic_store_n(&reader_state, 1, __ATOMIC_SEQ_CST);
  /* The step after a gap contains the getrusage call: it is allowed that call's cost, and stays
     watched (the reader may be switched out as the call returns). */
  uint64_t allowance = 0, cost = now_ticks();
  switches();
  cost = 2 * (now_ticks() - cost);
  for (;;) {
    /* stop is read before the clock: the last step, taken after the writer's last call, closes any
       time off the CPU at the end (else calls made while the reader was away would look missed) */
    int done = __atomic_load_n(&stop_reader, __ATOMIC_ACQUIRE);
    t = now_ticks();
    heartbeat++;
    if (t - last > thr + allowance) {
      if (n_gaps == gap_cap) break; /* the log is full: the attempt says so rather than count misses */
      long sw = switches();
      gap_from[n_gaps] = last;
      gap_switched[n_gaps] = sw != last_switches;
      gap_to[n_gaps++] = t;
      last_switches = sw;
      allowance = cost;
    } else {
      allowance = 0;
    }
    last = t;
    if (done || t > hard_deadline) break;
  }
  return NULL;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}
static uint64_t median_of(uint64_t *v, int n) {
  if (n == 0) return 0;
  qsort(v, (size_t)n, sizeof *v, cmp_u64);
  return v[n / 2];
}

static int attempt_failed(struct attempt *a) {
  a->failed = 1;
  snprintf(a->error, sizeof a->error, "%s", setup_error);
  return 2;
}

/* One attempt, in a fresh child process. The order is the trigger: helper thread runs on the
   reader's CPU and exits; then setup (registration) on the writer's CPU, single-threaded; then the
   reader starts; then the calls. A call reached the reader when one of its gaps overlaps the call. */
static int run_attempt(struct attempt *a) {
  if (pin_to(writer_cpu)) return fail_setup("sched_setaffinity(writer CPU)", errno), attempt_failed(a);
  pthread_t helper;
  int err = pthread_create(&helper, NULL, helper_main, NULL);
  if (err) return fail_setup("pthread_create(helper)", err), attempt_failed(a);
  pthread_join(helper, NULL);
  usleep(2000);
  if (repro_setup()) return attempt_failed(a);
  /* On a loaded machine the reader is often switched out, and calls made meanwhile prove nothing: the
     writer goes on until the reader was seen running across n_calls calls, up to 8 times as many. */
  size_t max_calls = 8 * (size_t)n_calls;
  uint64_t *t0 = calloc(max_calls, 8), *t1 = calloc(max_calls, 8), *dur = calloc(max_calls, 8);
  gap_cap = 16 * (int)max_calls + 4096; /* noise gaps too: a virtual CPU has many short ones */
  gap_from = calloc((size_t)gap_cap, 8);
  gap_to = calloc((size_t)gap_cap, 8);
  gap_switched = calloc((size_t)gap_cap, 1);
  if (!t0 || !t1 || !dur || !gap_from || !gap_to || !gap_switched)
    return fail_setup("calloc", ENOMEM), attempt_failed(a);
  if ((err = pthread_create(&reader_thread, NULL, reader_main, NULL)))
    return fail_setup("pthread_create", err), attempt_failed(a);
  uint64_t ready_by = mono_ns() + 2000000000ull;
  while (__atomic_load_n(&reader_state, __ATOMIC_SEQ_CST) == 0 && mono_ns() < ready_by) relax();
  if (__atomic_load_n(&reader_state, __ATOMIC_SEQ_CST) != 1) {
    __atomic_store_n(&stop_reader, 1, __ATOMIC_SEQ_CST);
    if (reader_state == -1) fail_setup("sched_setaffinity(reader CPU)", EINVAL);
    else fail_setup("waiting 2 s for the reader to start", ETIMEDOUT);
    return attempt_failed(a);
  }
  uint64_t spacing = 4 * threshold + ns_to_ticks(10000ull);
  int made = 0, seen = 0, failed = 0;
  uint64_t budget_end = mono_ns() + 5000000000ull; /* within the attempt's 10 s */
  while (made < (int)max_calls && seen < n_calls && !failed) {
    uint64_t beat = heartbeat;
    t0[made] = now_ticks();
    failed = repro_call();
    t1[made] = now_ticks();
    while (now_ticks() - t1[made] < spacing) relax();
    seen += heartbeat != beat;
    made++;
    if ((made & 63) == 0 && mono_ns() > budget_end) break;
  }
  __atomic_store_n(&stop_reader, 1, __ATOMIC_SEQ_CST);
  pthread_join(reader_thread, NULL);
  if (failed < 0) return attempt_failed(a);
  if (failed > 0) return snprintf(a->error, sizeof a->error, "%s", setup_error), 3; /* no result */
  /* The CPUs' timebases may differ by a little: a gap this close to a call counts as overlapping it. */
  int missed = 0, judged = 0, nm = 0, nr = 0, g = 0;
  uint64_t *dm = dur, *dr = t0, margin = threshold; /* reuse: durations over dur and t0 (already read) */
  for (int i = 0; i < made; i++) {
    uint64_t from = t0[i] - margin, to = t1[i] + margin, d = t1[i] - t0[i];
    while (g < n_gaps && gap_to[g] <= from) g++;
    int hit = 0, off_cpu = 0;
    for (int k = g; k < n_gaps && gap_from[k] < to; k++) hit = 1, off_cpu |= gap_switched[k];
    if (off_cpu) continue; /* the reader was switched out: this call proves nothing either way */
    judged++;
    if (hit) dr[nr++] = d;
    else missed++, dm[nm++] = d;
  }
  a->calls = made;
  a->judged = judged;
  a->missed = missed;
  a->threshold = threshold;
  a->gaps = n_gaps;
  a->overflowed = n_gaps == gap_cap;
  a->missed_ticks = median_of(dm, nm);
  a->reached_ticks = median_of(dr, nr);
  a->finished = 1;
  return 0;
}
`;
