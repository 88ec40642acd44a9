// Known kernel defects and missing features, by kernel version and arch. A table, so that adding
// one is a data change; defectsFor() lists those that apply to this machine. A kernel whose
// release cannot be parsed matches nothing: we never guess a version. Distribution kernels may
// carry backports, which is why version-only entries are warnings, not verdicts.
import type { Code, MachineFacts, Risk, StrategyDescriptor } from '../records.js';
import {
  CATALOGUE,
  isExpedited,
  isMembarrier,
  isPageTable,
  isRegistrationOrderSensitive,
  membarrierSince,
  strategiesWhere,
  type Resolved,
} from '../catalogue.js';

type Version = [number, number, number?];

export interface KernelDefect {
  /** Also the risk's id and code (probe/codes.ts). */
  id: Code;
  /** uname -m values this applies to; empty means every arch. */
  arches: string[];
  /** Applies from `from` (inclusive) up to `below` (exclusive); either end may be open. */
  kernels: { from?: Version; below?: Version };
  /** Extra machine condition beyond version and arch. */
  requires?: 'nohz_full' | 'amd-invlpgb';
  severity: Risk['severity'];
  /** Which strategies it breaks, by capability (the catalogue names them: defectsFor). */
  appliesTo: (d: Resolved) => boolean;
  text: string;
  source: string;
  /** Kernel releases it was measured on (uname -r), where the entry comes from our own measurements. */
  seenOn?: string[];
  /**
   * The measurement in a run that detects it, where there is one (the verdict then rests on it, not on the version).
   */
  detectedBy?: string;
}

/** A table entry that applies here, with the strategies it names. */
export type AppliedDefect = Omit<KernelDefect, 'appliesTo'> & { strategies: string[] };
const nothing = () => false;
// Missing-command entries: the strategies whose command arrived at the entry's upper bound or later.
const missingBelow = (major: number, minor: number) => (d: Resolved) =>
  isMembarrier(d) && membarrierSince(major, minor)(d);
const MAN = 'membarrier(2), VERSIONS (man-pages)';

/** RISC-V releases without d6cfd1770f20: before 6.6.51, and 6.7 to 6.8. */
const RISCV_UNFIXED: KernelDefect['kernels'][] = [{ below: [6, 6, 51] }, { from: [6, 7], below: [6, 9] }];

export const DEFECTS: KernelDefect[] = [
  // The fix ("membarrier: riscv: Add full memory barrier in switch_mm()", commit d6cfd1770f20) is first
  // in v6.9 and was backported to 6.6.51, so two ranges; HotSpot refuses UseSystemMemoryBarrier on
  // RISC-V kernels without it.
  ...RISCV_UNFIXED.map((kernels): KernelDefect => ({
    id: 'riscv-switch-mm-barrier',
    arches: ['riscv64', 'riscv32'],
    kernels,
    severity: 'unsafe',
    appliesTo: isExpedited,
    text:
      'RISC-V kernels before 6.9 (6.6.51 in the 6.6 series) lack the full barrier in switch_mm() that ' +
      'expedited membarrier relies on: a thread switched in during the call may miss the barrier ' +
      '(unless your distribution backported commit d6cfd1770f20)',
    source:
      'openjdk/jdk#17889; Linux commit d6cfd1770f20 ' +
      '(membarrier: riscv: Add full memory barrier in switch_mm()), ' +
      'in v6.9 and 6.6.51',
  })),
  {
    id: 'nohz-full',
    arches: [],
    kernels: { from: [4, 3] },
    requires: 'nohz_full',
    severity: 'unsafe',
    // The kernel refuses exactly this command (kernel/sched/membarrier.c: tick_nohz_full_enabled()).
    appliesTo: (d) => d.caps.membarrier?.command === 'MEMBARRIER_CMD_GLOBAL',
    text:
      'nohz_full CPUs: MEMBARRIER_CMD_GLOBAL is refused (EINVAL), so a writer relying on it exits or stops ' +
      'reclaiming',
    source: 'sched-ext/scx#3809',
  },
  {
    id: 'kernel-no-membarrier',
    arches: [],
    kernels: { below: [4, 3] },
    severity: 'warning',
    appliesTo: missingBelow(4, 3),
    text: 'membarrier does not exist before Linux 4.3: runtimes fall back to the mprotect trick, signals or fences',
    source: MAN,
  },
  {
    id: 'kernel-no-private-expedited',
    arches: [],
    kernels: { from: [4, 3], below: [4, 14] },
    severity: 'warning',
    appliesTo: missingBelow(4, 14),
    text:
      'MEMBARRIER_CMD_PRIVATE_EXPEDITED arrived in Linux 4.14: only the slow GLOBAL command (an RCU grace ' +
      'period per call) exists here',
    source: MAN,
  },
  {
    id: 'kernel-no-sync-core',
    arches: [],
    kernels: { from: [4, 14], below: [4, 16] },
    severity: 'warning',
    appliesTo: missingBelow(4, 16),
    text:
      'PRIVATE_EXPEDITED_SYNC_CORE and GLOBAL_EXPEDITED arrived in Linux 4.16: JITs that need core ' +
      'serialisation (wasmtime) cannot use membarrier here',
    source: MAN,
  },
  {
    id: 'kernel-no-rseq-cmd',
    arches: [],
    kernels: { from: [4, 16], below: [5, 10] },
    severity: 'note',
    appliesTo: nothing,
    text: 'MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ arrived in Linux 5.10: restartable-sequence fences are not available',
    source: MAN,
  },
  {
    id: 'kernel-no-get-registrations',
    arches: [],
    kernels: { from: [4, 3], below: [6, 3] },
    severity: 'note',
    appliesTo: nothing,
    text:
      'MEMBARRIER_CMD_GET_REGISTRATIONS arrived in Linux 6.3: a process (and this probe) cannot read back which ' +
      'registrations it holds',
    source: MAN,
  },
  {
    // Cause, read in kernel/sched/membarrier.c, sched.h and core.c (torvalds/linux at 0420af54c2c2, 6.9-rc;
    // behaviour measured on 6.18): membarrier_global_expedited() skips a CPU whose rq->membarrier_state lacks
    // MEMBARRIER_STATE_GLOBAL_EXPEDITED. That cache is written by membarrier_switch_mm() only when
    // prev->active_mm != next->mm; by sync_runqueues_membarrier_state() at registration only on CPUs whose
    // rq->curr->mm is the process's (the calling CPU alone when mm_users == 1); and zeroed by exit_mm()
    // (membarrier_update_current_mm(NULL)). An idle CPU keeps the last mm as its lazy active_mm, so a thread of the
    // process switched in there from idle leaves the stale state. The per-runqueue cache came with 227a4aadc75b
    // (5.4); exit_mm()'s zeroing with 5bc78502322a (5.10). Reviewing 618758ed3a4f's v2 (LKML, 24 Sep 2020), Mathieu
    // Desnoyers noted that entering lazy TLB mode does not update the state and proposed updating it on every
    // switch; 6.9's context_switch() still compares prev->active_mm, and no report of this symptom was found.
    id: 'global-expedited-stale-runqueue-state',
    arches: [],
    kernels: { from: [5, 4] },
    severity: 'warning',
    appliesTo: isRegistrationOrderSensitive,
    text:
      'MEMBARRIER_CMD_GLOBAL_EXPEDITED skips a CPU where a thread of the registered process was switched in ' +
      "straight from idle while that CPU's runqueue still cached the process as unregistered: registering before " +
      'the threads run on their CPUs, or a thread exiting and another starting on its CPU, leaves the calls ' +
      'reaching no thread there',
    source:
      'kernel/sched/membarrier.c (membarrier_global_expedited, sync_runqueues_membarrier_state, ' +
      'membarrier_update_current_mm), kernel/sched/sched.h membarrier_switch_mm, kernel/sched/core.c ' +
      'context_switch; Linux commits 227a4aadc75b, 5bc78502322a; LKML "sched: membarrier: cover kthread_use_mm ' +
      '(v2)", 24 Sep 2020 (lazy TLB entry does not update the runqueue state)',
    seenOn: [
      '6.1.176 (Debian, QEMU guest)',
      '6.12.117 (Debian, QEMU guest)',
      '6.18.44 (KVM guest)',
      '6.18.44-fc-v1045 (KVM guest)',
    ],
    detectedBy:
      "the run's registration-order test (results.registrationOrder): fresh child processes register " +
      'before the reader starts, after it runs, and after it with the reader then replaced; a failing order that ' +
      'misses calls the other order reaches shows it',
  },
  {
    id: 'amd-invlpgb',
    arches: ['x86_64'],
    kernels: { from: [6, 15] },
    requires: 'amd-invlpgb',
    severity: 'unsafe',
    appliesTo: isPageTable,
    text:
      'AMD INVLPGB with Linux 6.15 or later: a process active on 4 or more CPUs may get a global ASID and ' +
      'broadcast TLB flushes, with no IPI',
    source:
      'Linux commits 4afeb0ed1753 (global ASIDs, broadcast flushes), 94a17f2dc90b (off under PTI), ' +
      '44126343d58c (off without PCID)',
  },
];

/** "6.18.44-fc-v669" → [6, 18, 44]; null when it does not start with a version. */
export function releaseVersion(release: string | null): Version | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec((release ?? '').trim());
  return m ? [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])] : null;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether a kernel release falls in a range; null when the release is unparsable. */
export function inRange(release: string | null, range: KernelDefect['kernels']): boolean | null {
  const v = releaseVersion(release);
  if (!v) return null;
  return (!range.from || compare(v, range.from) >= 0) && (!range.below || compare(v, range.below) < 0);
}

/** INVLPGB from system.tlb's CPUID answer; reports saved before it fall back to the cpuinfo flag (absent on the
 * kernels that use it: 78ce84b9e0a5). */
export function hasInvlpgb(f: Pick<MachineFacts, 'cpus' | 'tlb'>): boolean {
  const v = f.tlb ? f.tlb.facts.invlpgb.value : f.cpus.flags.invlpgb;
  return v === true && (f.cpus.vendor === 'AuthenticAMD' || f.cpus.vendor === 'HygonGenuine');
}

/**
 * The table entries that apply to this kernel release, arch and machine, each naming its strategies from `catalogue`.
 */
export function defectsFor(
  f: Pick<MachineFacts, 'kernel' | 'platform' | 'cpus' | 'tlb'>,
  table: KernelDefect[] = DEFECTS,
  catalogue: readonly StrategyDescriptor[] = CATALOGUE,
): AppliedDefect[] {
  const arch = f.platform.machine;
  return table
    .filter((d) => {
      if (d.arches.length && !d.arches.includes(arch)) return false;
      if (inRange(f.kernel.release, d.kernels) !== true) return false;
      if (d.requires === 'nohz_full') return (f.kernel.nohzFull?.length ?? 0) > 0;
      if (d.requires === 'amd-invlpgb') return hasInvlpgb(f);
      return true;
    })
    .map(({ appliesTo, ...d }) => ({ ...d, strategies: strategiesWhere(catalogue, appliesTo) }));
}
