// Reason codes: every verdict reason, recommendation reason, analysis or run note, field-check
// finding and risk carries one of these beside its sentence. Logic, `check`, `compare` and the
// tests key on the code; the sentence is for people and may be reworded at any time. A code, once
// shipped, keeps its meaning (saved reports carry it).
//
// To add a code: add one line below, `'my-code': 'one line: what it means',` (kebab-case, a meaning
// no other line has), then emit it with `finding('my-code', text)`. `npm run build:ts` makes the
// TypeScript reject a code that is not here; test/unit/codes.test.ts fails until the README's
// "Reason codes" table lists it (`node scripts/codes-table.mjs` prints the table to paste).
// Native code emits codes as string literals: a Note's first field (`notes.push_back({"my-code", text})`,
// native/strategy.h) or `sample.code = "my-code"` (RegistrationSample); the same test finds literals in
// those two forms and checks that each one is registered, so keep to them.
// Risk ids (analyse/risks.ts) and kernel-defect ids (analyse/defects.ts) are codes too.

export const CODES = {
  // Verdict reasons (analyse/verdicts.ts, analyse/index.ts)
  'run-blocked': 'the run could not happen as planned (e.g. one usable CPU), so no phase ran',
  'cpu-set-changed': 'the online CPU set changed during the run: no phase knows which CPUs it had to reach',
  'strategy-unavailable': "the strategy's setup or call failed with an errno: it cannot be used here",
  'pin-failed': 'the readers could not be pinned to their CPUs',
  'phase-timeout': 'the phase outlived its deadline and the watchdog stopped it',
  'phase-cancelled': 'the phase was cut short because the run was interrupted',
  'phase-failed': 'the phase failed inside the engine',
  'sb-violations': 'the store-buffering litmus test saw violations: the barrier failed to order a reader',
  'violations-by-class': 'how the SB violations split over the reader topology classes',
  'hollow-call': 'the call returns success yet interrupts readers no more often than the null syscall',
  'partial-reach': 'the call reaches some topology classes of reader CPU but not all',
  'spin-reaches-none': 'the delay-matched spin interrupts no other CPU (as it should: it is a control)',
  'classes-short': 'reader topology classes whose weakest reader was interrupted in under 99% of on-CPU calls',
  'sb-power': 'the SB trial count, its violation bound and whether SB alone could catch a barrier this slow',
  'positive-control-silent': 'the positive control never relaxed: the run could not have seen a broken barrier',
  'control-not-barrier': 'a control is never verified: the test could not tell it from a working barrier',
  'sb-had-power': 'no SB violation, and SB had the power to see one at this latency (no remote mechanism)',
  'sb-no-power': 'no SB violation, but SB had no power at this latency and there is no mechanism to measure',
  'no-on-cpu-call': 'no call ran with every reader on its CPU: no mechanism evidence',
  'emulated-near-null': "near the null syscall's share on emulated CPUs, where the gap test times the emulator",
  'null-control-orders-nothing': 'the null syscall orders nothing on other CPUs (the null control)',
  'reader-short': 'a reader was interrupted in under 99% of its on-CPU calls',
  'too-few-calls': 'too few on-CPU calls to bound the miss rate at 99%',
  'not-above-null': "the interrupted share is not clearly above the null syscall's",
  'not-above-delay-matched': 'the interrupted share is not clearly above a spin as long (the delay-matched control)',
  'no-delay-matched': 'no delay-matched control ran for the strategy',
  'tlb-flush-without-ipi':
    "a page-table strategy's TLB flushes sent no shootdown IPI and its readers went uninterrupted",
  'tlb-flush-signals-disagree':
    'the TLB row says the flushes sent no IPI, yet the readers were interrupted: signals disagree',
  'all-readers-interrupted': 'every reader was interrupted in nearly every on-CPU call, clearly above the controls',
  'not-run': 'planned, but no evidence was recorded for it',
  'not-reached': 'the run was interrupted before this phase',
  'skipped-no-cpus': 'the phase was skipped: too few CPUs',
  'skipped-no-time': 'the phase was left out so the run fits --duration',
  'skipped-depends': 'the phase was skipped: an earlier phase it needs did not run ok',
  'skipped-duplicate': 'the phase was skipped: an earlier phase measured the same thing',
  'skipped-late': 'the phase was skipped: the run was running late',
  'skipped-stopped': 'the phase was skipped: the run was interrupted or calibration failed',

  // Run and analysis notes (run/index.ts, run/field.ts, analyse/index.ts)
  'over-budget': 'even the essential phases do not fit --duration: the last ones will be skipped',
  'calibration-short': 'calibration tried fewer sweep points than planned before its deadline',
  'calibration-failed': 'calibration did not finish, so no phase could run',
  'calls-remeasured': 'too few on-CPU calls in a phase: it was measured again with more calls',
  'delay-capped': "a delay-matched spin was capped at the engine's limit, below the median it matches",
  'contention-failed': 'a contention measurement failed or timed out',
  'contention-all-descheduled': 'every contention call was made while a reader was switched out: nothing measured',
  'running-late': 'the run was running late and skipped phases to stay within --duration',
  'run-interrupted': 'the run was interrupted: the report holds the phases that finished',
  'irq-unreadable': '/proc/interrupts was not readable: the mechanism evidence rests on the gap test alone',
  'reader-without-power': 'the positive control never relaxed at some reader CPUs: SB could not see a failure there',
  'emulated-cpus': 'the CPUs are emulated: timing measures the emulator, so nothing is refuted on timing alone',
  // Native notes (native/strategies, native/harness/contention.cc)
  'registrations-read-back': 'GET_REGISTRATIONS read back in the measured process after registering',
  'gap-store-full': "a reader's gap store filled up: the calls after that were left out",
  'call-cap-reached': 'a contention writer reached the call cap before the budget ended',
  // Registration samples (native/inspect/registration_cost.cc, field_child.cc)
  'registration-inherited': 'the child inherited a registration: the figure is the cost of a no-op',
  'registration-threaded': 'the first registration of a multi-threaded process (the one that waits for RCU)',
  'already-registered': 'the process was already registered, so its first registration cannot be timed',
  'registration-failed': 'REGISTER_PRIVATE_EXPEDITED failed, or its child ended without answering',

  // Recommendation reasons (recommend/index.ts)
  'pick-verified': "the recommended strategy is verified here, with the verdict's first reason",
  'pick-rationale': 'why the recommended strategy is preferred among the verified ones',
  'preferred-not-chosen': 'a strategy higher in the preference order was not chosen, and its verdict',
  'none-verified': 'no strategy is verified here: use full fences on both sides',
  'page-table-risky': 'a page-table trick passed but a risk here rules it out',
  'page-table-opt-in': 'a page-table trick passed; it is offered only with --allow-mprotect',

  // Field-check findings (analyse/checks.ts); a row that reuses a risk carries the risk's id
  'denial-unchecked': 'the membarrier child did not run, so fatal denial is not checked',
  'denial-child-ended': 'the membarrier child ended before answering every call',
  'query-fails': 'membarrier QUERY fails with an errno in a child that survived',
  'registration-refused': 'a child survived every call, but some REGISTER commands failed',
  'no-denial': 'QUERY and every REGISTER answered in a child: a process calling membarrier is not killed',
  'hollow-by-sb': 'on emulated CPUs, a membarrier refuted by SB outcomes (not timing) ordered no reader',
  'effect-unsampled': "the field sample did not measure membarrier's effect",
  'effect-stopped': "the field sample's effect measurement stopped at an errno",
  'effect-no-on-cpu': 'no sampled call ran with the reader on its CPU',
  'effect-emulated': 'the sampled effect says nothing on emulated CPUs',
  'effect-null-noisy': "getpid interrupts the sample's reader as often: the sample cannot tell hollow from working",
  'effect-reaches': 'the sampled membarrier reaches other CPUs',
  'effect-partial': 'the sampled membarrier reaches other CPUs only part of the time',
  'registration-untimed': 'no registration was timed',
  'registration-slow': 'the first registration in a threaded process took over a millisecond (an RCU grace period)',
  'registration-fast': 'the first registration is fast here',
  'registration-emulated': "registration was timed on emulated CPUs: the figures are the emulator's",
  'contention-unmeasured': 'the contention of PRIVATE_EXPEDITED was not measured',
  'contention-queues': 'concurrent PRIVATE_EXPEDITED callers queue: p99 grows over 3x from 1 caller to the most',
  'contention-measured': 'PRIVATE_EXPEDITED latency with concurrent callers, as measured',
  'no-cpu-quota': "no CPU bandwidth limit on this process's cgroup path",
  'several-cpus': 'more than one CPU is online: a barrier has other CPUs to reach',
  'cpus-offline': 'some CPUs are offline: a barrier does not wait for them',
  'no-cpu-offline': 'no CPU is offline, and the online set did not change during a run',
  'native-process': "the process runs natively: its arch matches the CPU's",
  'no-tracer': 'no tracer or record-replay tool is attached',
  'tracer-unreadable': 'TracerPid could not be read',
  'traps-unchecked': 'the report predates environment traps: not checked',
  'real-kernel': "no sign of gVisor, WSL1 or FreeBSD's Linux emulation: a real Linux kernel answers",
  'android-recent': 'Android at API level 29 or later: runtimes use membarrier here',
  'not-android': 'not Android',
  'no-known-defect': 'no entry of the known kernel defect table applies here',
  'known-defects-apply': 'entries of the known kernel defect table apply here',
  'mlock-unchecked': 'mlock was not checked (needs the native addon)',
  'mlock-ok': 'one page can be locked: runtimes whose mprotect fallback locks a page can start',
  'signals-self-test-unreached': 'the signals self-test did not run',
  'signals-self-test-ok': 'a signals barrier issued by a registered reader thread returned',
  'signals-self-test-failed': 'a signals barrier issued by a registered thread failed: a writer-reader would deadlock',

  // Risks (analyse/risks.ts; the risk's id is its code)
  'broadcast-tlbi': 'arm64 invalidates TLBs by broadcast instructions: page-table tricks send no IPI',
  'amd-invlpgb': 'AMD INVLPGB can flush TLBs by broadcast with no IPI (Linux 6.15+, 4 or more CPUs)',
  'hyperv-hypercall-flush': 'Hyper-V flushes remote TLBs by hypercall: page-table tricks send no IPI',
  'xen-hypercall-flush': 'Xen guests may flush TLBs by hypercall: page-table tricks send no IPI',
  'kvm-pv-tlb-flush': 'KVM PV TLB flush: a preempted vCPU gets no IPI, its flush happens at VM entry',
  'seccomp-membarrier': 'seccomp denies membarrier (EPERM) or kills the calling process',
  'mlock-refused': "mlock is refused: the strategy's page may be swapped out and then gets no shootdown",
  'emulated-kernel': 'an emulated Linux kernel (gVisor, WSL1, FreeBSD): barriers may succeed without ordering',
  wsl2: 'WSL2 runs under Hyper-V, which may flush TLBs by hypercall',
  'single-cpu': 'one CPU is online: membarrier returns at once without waiting for anything',
  'user-mode-emulation': 'the process runs under user-mode emulation: no result speaks for the real CPU',
  'cpu-quota': 'a cgroup CPU quota can stall a throttled writer, and expedited callers queue behind it',
  'tracer-attached': 'a tracer is attached (rr: membarrier not implemented; others: inflated latencies)',
  'android-old-api': 'Android below API level 29: seccomp may kill a process calling membarrier',
  // Kernel defects (analyse/defects.ts; the entry's id is its code)
  'riscv-switch-mm-barrier': 'RISC-V kernels before 6.9 lack the full barrier in switch_mm()',
  'nohz-full': 'nohz_full CPUs: MEMBARRIER_CMD_GLOBAL is refused',
  'kernel-no-membarrier': 'the kernel predates membarrier (Linux 4.3)',
  'kernel-no-private-expedited': 'the kernel predates PRIVATE_EXPEDITED (Linux 4.14)',
  'kernel-no-sync-core': 'the kernel predates PRIVATE_EXPEDITED_SYNC_CORE and GLOBAL_EXPEDITED (Linux 4.16)',
  'kernel-no-rseq-cmd': 'the kernel predates PRIVATE_EXPEDITED_RSEQ (Linux 5.10)',
  'kernel-no-get-registrations': 'the kernel predates GET_REGISTRATIONS (Linux 6.3)',
  'global-expedited-stale-runqueue-state':
    'GLOBAL_EXPEDITED skips a CPU whose runqueue cached the process as unregistered (Linux 5.4 to at least 6.18)',

  // The registration-order test (run/registration-order.ts, analyse/registration-order.ts, strategies/sb_litmus.cc)
  'order-defect-shown': 'GLOBAL_EXPEDITED missed the reader in an order that fails and reached it in the working order',
  'order-cause': "the cause of the registration-order defect, in the kernel's code",
  'order-advice': 'what to do where GLOBAL_EXPEDITED depends on the order of registration and thread starts',
  'order-phase-verdict': "what the run's own phase of the strategy (registered once its readers ran) found",
  'order-too-little-evidence': 'the registration-order test measured too few calls to judge (a busy reader CPU)',
  'order-working-misses': 'GLOBAL_EXPEDITED missed the reader even when registered after it ran: not this defect',
  'order-not-triggered': "on a kernel in the defect's range the failing orders did not trigger it this time",
  'order-emulated': 'under emulated CPUs the registration-order test times the emulator: it neither shows nor clears',
  'order-all-reached': 'every registration order reached the reader',
  'order-counts': "the registration-order test's counts by pattern",
  'order-later-phases': "the strategy's scaling and contention phases start readers in the order that fails",
  'order-not-run': 'the registration-order test did not run (no addon support, or one CPU)',
  'registered-after-readers': 'the strategy registered once every reader ran on its CPU',

  // Reports saved before codes existed (report-file.ts migrates them)
  legacy: 'a sentence from a report saved before reason codes, which no known pattern matched',
} as const;

export type Code = keyof typeof CODES;

/** A sentence for people, and the stable code that logic and tests key on. */
export interface Finding {
  code: Code;
  text: string;
}

export const finding = (code: Code, text: string): Finding => ({ code, text });

/** The sentences alone, for renderers that show a list of findings as prose. */
export const texts = (fs: readonly Finding[]): string[] => fs.map((f) => f.text);

export const isCode = (s: string): s is Code => Object.prototype.hasOwnProperty.call(CODES, s);

/** The README's "Reason codes" table (scripts/codes-table.mjs writes it; test/unit/codes.test.ts compares). */
export function codesTable(): string {
  const rows = Object.entries(CODES).map(([code, meaning]) => `| \`${code}\` | ${meaning.replace(/\|/g, '\\|')} |`);
  return ['| code | meaning |', '| --- | --- |', ...rows].join('\n');
}
