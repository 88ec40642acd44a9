// compare: what changed between two reports of (usually) the same host: the environment facts
// that decide barrier behaviour, and each verdict. A verdict that got worse is what a deploy
// pipeline wants to stop on.
import type { Code, Report, VerdictClass } from './records.js';

const RANK: Record<VerdictClass | 'absent', number> = { verified: 3, inconclusive: 2, unavailable: 1, refuted: 0, absent: -1 };

export interface Comparison {
  environment: { field: string; before: string; after: string }[];
  /** `why`: each side's first reason code (probe/codes.ts), null when absent; `change` compares the classes alone. */
  verdicts: {
    strategy: string;
    before: VerdictClass | 'absent';
    after: VerdictClass | 'absent';
    change: 'better' | 'worse' | 'same';
    why: { before: Code | null; after: Code | null };
  }[];
  worse: boolean;
}

function fingerprint(r: Report): Record<string, string> {
  const f = r.system;
  const s = (v: unknown) => (v === null || v === undefined ? 'unknown' : String(v));
  return {
    'tool version': r.tool.version,
    'kernel release': s(f.kernel.release),
    'kernel version': s(f.kernel.version),
    'cpu': `${s(f.cpus.vendor)} ${s(f.cpus.modelName)} family ${s(f.cpus.family)} model ${s(f.cpus.model)} stepping ${s(f.cpus.stepping)}`,
    'microcode': s(f.cpus.microcode),
    'online CPUs': s(f.cpus.online),
    'allowed CPUs': s(f.cpus.allowed?.join(',')),
    'hypervisor': s(f.hypervisor.vendor),
    'KVM PV TLB flush': s(f.hypervisor.kvm?.pvTlbFlush),
    'Hyper-V hypercall flush': s(f.hypervisor.hyperv?.remoteTlbFlushByHypercall),
    'invlpgb': s(f.cpus.flags.invlpgb),
    'nohz_full': s(f.kernel.nohzFull?.join(',')),
    'membarrier QUERY mask': s(f.membarrier.queryMask ?? f.membarrier.error?.code),
    'seccomp': `${s(f.process.seccomp.modeName)} (${s(f.process.seccomp.filters)} filters)`,
    'mlock': s(f.process.memlock.onePageLocked),
    'container': s(f.sandbox.container?.kind ?? 'none'),
    'readers': r.results.cpus.readers.join(','),
  };
}

export function compareReports(a: Report, b: Report): Comparison {
  const fa = fingerprint(a), fb = fingerprint(b);
  const environment = Object.keys(fa).filter((k) => fa[k] !== fb[k]).map((field) => ({ field, before: fa[field], after: fb[field] }));
  const ids = [...new Set([...a.plan.strategies, ...b.plan.strategies])];
  const verdicts = ids.map((strategy) => {
    const before = a.analysis.verdicts[strategy]?.verdict ?? 'absent';
    const after = b.analysis.verdicts[strategy]?.verdict ?? 'absent';
    const d = RANK[after] - RANK[before];
    const first = (r: Report) => r.analysis.verdicts[strategy]?.reasons[0]?.code ?? null;
    const change = d < 0 ? ('worse' as const) : d > 0 ? ('better' as const) : ('same' as const);
    return { strategy, before, after, change, why: { before: first(a), after: first(b) } };
  });
  return { environment, verdicts, worse: verdicts.some((v) => v.change === 'worse') };
}
