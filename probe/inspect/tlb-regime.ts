// The TLB-flush regime from the facts of probe/inspect/tlb.ts: how a flush on this machine reaches
// the other CPUs a process runs on, which is what the mprotect and madvise tricks depend on.
// - ipi: the kernel sends TLB-shootdown IPIs; each interrupted CPU executes a barrier.
// - broadcast: an instruction invalidates remote TLBs with no IPI (arm64 TLBI ...IS).
// - hypercall: the hypervisor flushes for the guest (Hyper-V's recommendation, Xen): no IPI.
// - mixed: both happen to one process: AMD INVLPGB on Linux 6.15+, where a process gets IPIs until
//   it is active on 4 or more CPUs at a once-per-32-jiffies check, and broadcast flushes after.
// - unknown: a fact that decides it could not be read.
import type { TlbFacts, TlbRegime } from '../records.js';

type Facts = TlbFacts['facts'];

const HYPERV = 'Hyper-V recommends remote TLB flushes by hypercall: the guest sends no IPI';
const XEN = 'a Xen guest: TLB flushes may go by hypercall (PV MMU or HVM flush assists), with no IPI';

/** The regime, its reasons, and whether the page-table phases should warm up on 4+ busy CPUs. */
export function tlbRegime(f: Facts, amd: boolean, x86: boolean): Pick<TlbFacts, 'regime' | 'reasons' | 'exercise'> {
  const reasons: string[] = [];
  const usable = f.usableCpus.value;
  const four = usable === null ? null : usable >= 4;
  const done = (regime: TlbRegime, exercise = false) => ({ regime, reasons, exercise });
  if (f.arm64BroadcastTlbi.value) {
    reasons.push(
      'arm64 invalidates TLBs with broadcast TLBI instructions from the first flush: ' +
        'no IPI, so no other CPU executes a barrier',
    );
    return done('broadcast');
  }
  if (f.hypervRemoteFlush.value) reasons.push(HYPERV);
  if (f.xen.value) reasons.push(XEN);
  if (reasons.length) return done('hypercall');
  if (!x86) {
    reasons.push('this probe knows the TLB-flush paths of x86 and arm64 only');
    return done('unknown');
  }
  const uses = f.kernelUsesInvlpgb;
  const cpus = usable === null ? 'an unknown number of CPUs' : `${usable} CPU${usable === 1 ? '' : 's'}`;
  if (uses.value === true) {
    if (four === false) {
      reasons.push(
        `the kernel flushes with INVLPGB for processes active on 4 or more CPUs, but this process may use ` +
          `${cpus}: it keeps IPI flushes; the same program on more CPUs would not`,
      );
      return done('ipi');
    }
    reasons.push(
      'AMD INVLPGB on Linux 6.15+: IPI flushes until the process, active on 4 or more CPUs, gets a ' +
        'global ASID at a once-per-32-jiffies check; broadcast INVLPGB with no IPI from then on',
    );
    return done(four === null ? 'unknown' : 'mixed', true);
  }
  if (uses.value === null) {
    reasons.push(`whether the kernel flushes with INVLPGB is ${uses.reason ?? 'unknown'}`);
    if (!amd) reasons.push('the CPU vendor is unknown');
    return done('unknown', four === true);
  }
  reasons.push(`TLB-shootdown IPIs: no broadcast flush (${uses.reason})`);
  if (f.kvmPvTlbFlushUsed.value) {
    reasons.push(
      'KVM PV TLB flush: a preempted vCPU gets no IPI and is flushed at its next VM entry ' +
        '(itself a full barrier); running vCPUs get IPIs',
    );
  }
  if (f.rar.value === null) reasons.push(`Intel RAR: ${f.rar.reason}`);
  return done('ipi');
}
