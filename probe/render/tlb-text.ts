// system.tlb as lines of text (inspect, the run's text report) and as table rows (Markdown, HTML):
// the regime first, then every fact with its source, and the reason wherever a fact is unknown.
import type { TlbFact, TlbFacts } from '../records.js';
import type { Style } from './style.js';

/** Fact key → label, in the order the regime reads them. */
export const TLB_FACT_LABELS: [keyof TlbFacts['facts'], string][] = [
  ['invlpgb', 'INVLPGB (CPUID)'], ['invlpgbCpuinfoFlag', 'invlpgb cpuinfo flag'], ['kernelHasBroadcastFlush', 'Linux 6.15+'],
  ['config', 'CONFIG_BROADCAST_TLB_FLUSH'], ['pti', 'PTI'], ['pcid', 'PCID'], ['kernelUsesInvlpgb', 'kernel flushes with INVLPGB'],
  ['usableCpus', 'usable CPUs'], ['rar', 'Intel RAR'], ['arm64BroadcastTlbi', 'arm64 broadcast TLBI'],
  ['kvmPvTlbFlush', 'KVM PV TLB flush offered'], ['kvmPvTlbFlushUsed', 'KVM PV TLB flush used'],
  ['hypervRemoteFlush', 'Hyper-V flush by hypercall'], ['xen', 'Xen'],
];

export const factValue = (f: TlbFact<boolean | number>) => (f.value === null ? 'unknown' : typeof f.value === 'number' ? String(f.value) : f.value ? 'yes' : 'no');

export function tlbLines(t: TlbFacts | undefined, s: Style): string[] {
  if (!t) return [`  ${s.dim('not recorded (a report saved before system.tlb existed)')}`];
  const mark = t.regime === 'ipi' ? s.good(t.regime) : t.regime === 'unknown' ? s.warn(t.regime) : s.bad(t.regime);
  const out = [`  regime: ${mark}${t.exercise ? s.dim(' (page-table phases warm up on 4+ busy CPUs)') : ''}`];
  for (const r of t.reasons) out.push(`    ${s.dim(r)}`);
  for (const [key, label] of TLB_FACT_LABELS) {
    const f = t.facts[key];
    out.push(`  ${label}: ${f.value === null ? s.warn('unknown') : factValue(f)} ${s.dim(`(${f.source}${f.reason ? `: ${f.reason}` : ''})`)}`);
  }
  return out;
}
