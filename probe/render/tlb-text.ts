// system.tlb as lines of text (inspect, the run's text report) and as table rows (Markdown, HTML):
// the regime first, then every fact with its source, and the reason wherever a fact is unknown.
import type { Report, TlbBoolFact, TlbCountFact, TlbFacts } from '../records.js';
import type { Style } from './style.js';

/** Fact key → label, in the order the regime reads them. */
export const TLB_FACT_LABELS: [keyof TlbFacts['facts'], string][] = [
  ['invlpgb', 'INVLPGB (CPUID)'],
  ['invlpgbCpuinfoFlag', 'invlpgb cpuinfo flag'],
  ['kernelHasBroadcastFlush', 'Linux 6.15+'],
  ['config', 'CONFIG_BROADCAST_TLB_FLUSH'],
  ['pti', 'PTI'],
  ['pcid', 'PCID'],
  ['kernelUsesInvlpgb', 'kernel flushes with INVLPGB'],
  ['usableCpus', 'usable CPUs'],
  ['rar', 'Intel RAR'],
  ['arm64BroadcastTlbi', 'arm64 broadcast TLBI'],
  ['kvmPvTlbFlush', 'KVM PV TLB flush offered'],
  ['kvmPvTlbFlushUsed', 'KVM PV TLB flush used'],
  ['hypervRemoteFlush', 'Hyper-V flush by hypercall'],
  ['xen', 'Xen'],
];

export const factValue = (f: TlbBoolFact | TlbCountFact) =>
  f.value === null ? 'unknown' : typeof f.value === 'number' ? String(f.value) : f.value ? 'yes' : 'no';

/** "source: reason", or the source alone. */
export const factSource = (f: TlbBoolFact | TlbCountFact) => (f.reason ? `${f.source}: ${f.reason}` : f.source);

const colourKind = (k: string, s: Style) => (k === 'ipi' ? s.good(k) : k === 'unknown' ? s.warn(k) : s.bad(k));

export function tlbLines(t: TlbFacts | undefined, s: Style): string[] {
  if (!t) return [`  ${s.dim('not recorded (a report saved before system.tlb existed)')}`];
  const warm = t.exercise ? s.dim(' (page-table phases warm up on 4+ busy CPUs)') : '';
  const out = [`  regime: ${colourKind(t.regime, s)}${warm}`];
  for (const r of t.reasons) out.push(`    ${s.dim(r)}`);
  for (const [key, label] of TLB_FACT_LABELS) {
    const f = t.facts[key];
    out.push(`  ${label}: ${f.value === null ? s.warn('unknown') : factValue(f)} ${s.dim(`(${factSource(f)})`)}`);
  }
  return out;
}

export interface FlushRow {
  id: string;
  kind: string;
  perCall: string;
  reason: string;
}

/** One row per strategy phase that carries flush evidence (scaling phases are left to the JSON). */
export function flushRows(r: Pick<Report, 'results'>): FlushRow[] {
  return Object.values(r.results.strategies).flatMap((e) => {
    const f = e.mechanism?.flush;
    if (!f) return [];
    const perCall = f.tlbIpisPerCall === null ? '-' : f.tlbIpisPerCall.toFixed(2);
    return [{ id: e.id, kind: f.kind, perCall, reason: f.reason }];
  });
}

/** The warm-up in one sentence, or null when the run had none. */
export function warmupLine(r: Pick<Report, 'results'>): string | null {
  const w = r.results.tlbWarmup;
  if (!w) return null;
  const miss =
    w.missProbability === 0
      ? 'every matching jiffy reached'
      : `chance the check never ran ${(w.missProbability * 100).toPrecision(2)}%`;
  const ipis = w.flush.tlbIpisPerCall === null ? '' : `, ${w.flush.tlbIpisPerCall.toFixed(2)} TLB IPIs per call`;
  const secs = (w.elapsedMs / 1000).toFixed(2);
  return (
    `warm-up: ${w.calls} ${w.strategy} calls in ${secs} s on CPUs ${w.cpus.join(',')} ` +
    `(${w.windowsAtHz100} windows of 32 jiffies at HZ=100; ${miss}); flushes during it: ${w.flush.kind}${ipis}`
  );
}

/** The report's TLB section: the regime inspect predicted, the warm-up, and what each page-table phase showed. */
export function tlbReportLines(r: Report, s: Style): string[] {
  const t = r.system.tlb;
  const rows = flushRows(r);
  if (!t && !rows.length) return [];
  const head = t ? `  regime ${t.regime}: ${t.reasons[0] ?? ''}` : '  regime not recorded';
  const out = [s.head('TLB flush') + s.dim(head)];
  const w = warmupLine(r);
  if (w) out.push(`  ${w}`);
  for (const x of rows) {
    const pad = ' '.repeat(Math.max(1, 11 - x.kind.length));
    const figure = `${x.perCall.padStart(6)} TLB IPIs/call`;
    out.push(`  ${x.id.padEnd(40)}${colourKind(x.kind, s)}${pad}${figure}  ${s.dim(x.reason)}`);
  }
  return out;
}
