// The strategy part of a reproducer: what to set up once per attempt (repro_setup, run on the
// writer's CPU while the process is single-threaded, before the reader starts) and one heavy
// barrier call (repro_call). Both return 0, or -1 with setup_error saying what failed; repro_call
// returns 1 when its answer did not come in time (the attempt then has no result, nothing failed).
// Each block is C text (String.raw); the skeleton (c-skeleton.ts) calls only these two functions.
import { C_MEMBARRIER_COMMANDS } from './c-prelude.js';

/** The membarrier commands a block may name: those the prelude's enum defines. */
export const MEMBARRIER_COMMANDS: readonly string[] = C_MEMBARRIER_COMMANDS.map(([name]) => name);

/** membarrier(command): QUERY first (a kernel or filter without it is a setup failure), then register. */
export function membarrierBlock(command: string, register: string | null): string {
  const reg = register
    ? String.raw`  if (mb(${register}) < 0)
    return fail_setup("membarrier(${register})", errno);`
    : '  /* this command needs no registration */';
  return String.raw`static int mb(int cmd) { return (int)syscall(__NR_membarrier, cmd, 0, 0); }

static int repro_setup(void) {
  int mask = mb(MEMBARRIER_CMD_QUERY);
  if (mask < 0) return fail_setup("membarrier(MEMBARRIER_CMD_QUERY)", errno);
  if (!(mask & ${command})) {
    snprintf(setup_error, sizeof setup_error, "this kernel does not offer %s (QUERY mask 0x%x)",
             "${command}", mask);
    return -1;
  }
${reg}
  return 0;
}

static int repro_call(void) {
  return mb(${command}) < 0 ? fail_setup("membarrier(${command})", errno) : 0;
}
`;
}

/** A TLB shootdown as the barrier: downgrading a page the writer has touched (`downgrade`: mprotect) or
 *  dropping it (madvise). `touch` false leaves the page untouched: nothing is mapped, so nothing is flushed. */
export function pageBlock(downgrade: boolean, touch: boolean): string {
  const store = touch ? '  page[0]++; /* map the page: now there is a TLB entry to shoot down */\n' : '';
  const call = downgrade
    ? String.raw`  if (mprotect((void *)page, page_size, PROT_READ | PROT_WRITE))
    return fail_setup("mprotect(RW)", errno);
${store}  if (mprotect((void *)page, page_size, PROT_READ)) return fail_setup("mprotect(READ)", errno);`
    : String.raw`${store}  if (madvise((void *)page, page_size, MADV_DONTNEED))
    return fail_setup("madvise(MADV_DONTNEED)", errno);`;
  return String.raw`static volatile char *page;
static size_t page_size;

static int repro_setup(void) {
  page_size = (size_t)sysconf(_SC_PAGESIZE);
  void *p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return fail_setup("mmap", errno);
  page = p;
  return 0;
}

static int repro_call(void) {
${call}
  return 0;
}
`;
}

/** A signal to the reader, waiting for its handler's acknowledgement (2 s deadline: a loaded machine may
 *  keep the reader off its CPU for a while). */
export const SIGNALS_BLOCK = String.raw`static volatile unsigned acks;
static void on_signal(int sig) { (void)sig; __atomic_add_fetch(&acks, 1, __ATOMIC_SEQ_CST); }

static int repro_setup(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGRTMIN + 7, &sa, NULL)) return fail_setup("sigaction(SIGRTMIN+7)", errno);
  return 0;
}

static int repro_call(void) {
  unsigned before = __atomic_load_n(&acks, __ATOMIC_SEQ_CST);
  int err = pthread_kill(reader_thread, SIGRTMIN + 7);
  if (err) return fail_setup("pthread_kill", err);
  uint64_t deadline = mono_ns() + 2000000000ull;
  while (__atomic_load_n(&acks, __ATOMIC_SEQ_CST) == before) {
    if (mono_ns() > deadline) return fail_setup("waiting 2 s for the reader's signal handler", ETIMEDOUT), 1;
    relax();
  }
  return 0;
}
`;
