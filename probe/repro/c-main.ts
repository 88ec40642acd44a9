// The end of every reproducer: its flags and main(), which runs N attempts (each a forked child
// running run_attempt from c-skeleton.ts), prints the one summary line and picks the exit code:
// 1 the defect showed, 0 it did not, 2 no setup. C text (String.raw); see c-prelude.ts.
export const C_MAIN = String.raw`
static void usage(void) {
  fprintf(stderr, "usage: %s [-n ATTEMPTS] [-c CALLS] [-w WRITER_CPU] [-r READER_CPU] [-v]\n", REPRO_STRATEGY);
  exit(2);
}

static int positive(const char *s) {
  char *e;
  long v = strtol(s, &e, 10);
  if (*s == 0 || *e != 0 || v < 0 || v > 1000000) usage();
  return (int)v;
}

int main(int argc, char **argv) {
  int attempts = REPRO_DEFAULT_ATTEMPTS, verbose = 0, opt;
  opterr = 0; /* one usage line, not getopt's message and then usage */
  while ((opt = getopt(argc, argv, "n:c:w:r:v")) != -1) {
    if (opt == 'n') attempts = positive(optarg);
    else if (opt == 'c') n_calls = positive(optarg);
    else if (opt == 'w') writer_cpu = positive(optarg);
    else if (opt == 'r') reader_cpu = positive(optarg);
    else if (opt == 'v') verbose = 1;
    else usage();
  }
  if (optind < argc || attempts < 1 || n_calls < 1) usage();
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed)) return perror("sched_getaffinity"), 2;
  if (CPU_COUNT(&allowed) < 2) {
    fprintf(stderr, "cannot set up: needs 2 CPUs, this process may use %d\n", CPU_COUNT(&allowed));
    return 2;
  }
  for (int c = 0; c < CPU_SETSIZE && (writer_cpu < 0 || reader_cpu < 0); c++) {
    if (!CPU_ISSET(c, &allowed) || c == writer_cpu || c == reader_cpu) continue;
    if (writer_cpu < 0) writer_cpu = c;
    else reader_cpu = c;
  }
  if (writer_cpu == reader_cpu || writer_cpu >= CPU_SETSIZE || reader_cpu >= CPU_SETSIZE ||
      !CPU_ISSET(writer_cpu, &allowed) || !CPU_ISSET(reader_cpu, &allowed)) {
    fprintf(stderr, "cannot set up: writer CPU %d and reader CPU %d must be two different CPUs this process may use\n",
            writer_cpu, reader_cpu);
    return 2;
  }
  calibrate_timebase();
  size_t bytes = sizeof(struct attempt) * (size_t)attempts;
  struct attempt *res = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (res == MAP_FAILED) return perror("mmap"), 2;
  int shown = 0, finished = 0, lost = 0, lo = -1, hi = 0, jlo = -1, jhi = 0, left_out = 0;
  uint64_t *missed_med = calloc((size_t)attempts, 8), *reached_med = calloc((size_t)attempts, 8);
  int n_missed_med = 0, n_reached_med = 0;
  if (!missed_med || !reached_med) return perror("calloc"), 2;
  for (int k = 0; k < attempts; k++) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return perror("fork"), 2;
    if (pid == 0) {
      alarm(10); /* the attempt's deadline: SIGALRM ends a child that hangs */
      _exit(run_attempt(&res[k]));
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    struct attempt *a = &res[k];
    if (a->failed) {
      fprintf(stderr, "cannot set up: %s (writer CPU %d, reader CPU %d)\n", a->error, writer_cpu, reader_cpu);
      return 2;
    }
    /* An attempt whose reader was on its CPU for under a tenth of n_calls, or whose gap log filled, judges
       too few calls to say anything. */
    if (!a->finished || a->overflowed || a->judged * 10 < n_calls || a->judged < 20) {
      lost++;
      if (verbose && a->finished)
        fprintf(stderr, "attempt %d: no result: %d of %d calls made while the reader was on its CPU, %d gaps%s\n",
                k + 1, a->judged, a->calls, a->gaps, a->overflowed ? " (the log filled)" : "");
      else if (verbose) fprintf(stderr, "attempt %d: no result (child status 0x%x) %s\n", k + 1, status, a->error);
      continue;
    }
    finished++;
    left_out += a->calls - a->judged;
    if (a->missed * 10 > a->judged) shown++;
    if (lo < 0 || a->missed < lo) lo = a->missed;
    if (a->missed > hi) hi = a->missed;
    if (jlo < 0 || a->judged < jlo) jlo = a->judged;
    if (a->judged > jhi) jhi = a->judged;
    /* The missed calls' cost is quoted from the attempts that showed the defect: a healthy attempt's
       one or two misses (an interrupt shorter than the threshold) would say nothing about it. */
    if (a->missed * 10 > a->judged) missed_med[n_missed_med++] = a->missed_ticks;
    if (a->missed < a->judged) reached_med[n_reached_med++] = a->reached_ticks;
    if (verbose)
      fprintf(stderr, "attempt %d: reader missed %d of %d calls, %d left out (%d gaps over %llu %s); "
              "median call %llu %s missed, %llu reached\n", k + 1, a->missed, a->judged, a->calls - a->judged, a->gaps,
              (unsigned long long)a->threshold, TIMEBASE, (unsigned long long)a->missed_ticks, TIMEBASE,
              (unsigned long long)a->reached_ticks);
  }
  if (!finished) {
    fprintf(stderr, "cannot set up: no attempt gave a result (each has a 10 s deadline and needs the reader "
                    "on its CPU)\n");
    return 2;
  }
  uint64_t missed_ticks = median_of(missed_med, n_missed_med), reached_ticks = median_of(reached_med, n_reached_med);
  if (shown) printf("%s: defect shown in %d of %d attempts", REPRO_STRATEGY, shown, finished);
  else printf("%s: defect not shown in %d attempt%s", REPRO_STRATEGY, finished, finished == 1 ? "" : "s");
  printf(": reader missed %d-%d of ", lo, hi);
  if (jlo == jhi) printf("%d calls", jhi);
  else printf("%d-%d calls", jlo, jhi);
  if (n_missed_med)
    printf("; missed calls ~%llu %s (%.0f ns)", ULL(missed_ticks), TIMEBASE, missed_ticks / ticks_per_ns);
  if (n_reached_med)
    printf("; reached calls ~%llu %s (%.0f ns)", ULL(reached_ticks), TIMEBASE, reached_ticks / ticks_per_ns);
  if (left_out) printf("; %d calls left out (the reader was switched out)", left_out);
  if (lost) printf("; %d attempt%s gave no result", lost, lost == 1 ? "" : "s");
  printf("%s\n", REPRO_NOTE);
  return shown ? 1 : 0;
}
`;
