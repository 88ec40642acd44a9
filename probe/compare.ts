// compare: what changed between two reports of (usually) the same host: the environment facts
// that decide barrier behaviour, and each verdict. A verdict that got worse is what a deploy
// pipeline wants to stop on; a verdict that varies while nothing changed is not a regression, and
// is told apart: where the environment is the same and either run had too little evidence
// (inconclusive), or the strategy's reach is known to depend on luck here (registration order,
// caps.registrationOrderSensitive), the change is "flaky", never "worse" or "better".
import type { Code, Report, Verdict, VerdictClass } from './records.js';
import { capsOf, catalogueOf } from './catalogue.js';

const RANK: Record<VerdictClass | 'absent', number> = {
  verified: 3,
  inconclusive: 2,
  unavailable: 1,
  refuted: 0,
  absent: -1,
};

export type Change = 'better' | 'worse' | 'same' | 'flaky';

export interface VerdictChange {
  strategy: string;
  before: VerdictClass | 'absent';
  after: VerdictClass | 'absent';
  change: Change;
  /**
   * Each side's first reason code (probe/codes.ts), null when absent; `change` compares the classes and environments.
   */
  why: { before: Code | null; after: Code | null };
  /** The sentence saying why a change is flaky rather than better or worse; absent otherwise. */
  flakyReason?: string;
}

export interface Comparison {
  environment: { field: string; before: string; after: string }[];
  verdicts: VerdictChange[];
  /** A verdict got worse (exit 1). */
  worse: boolean;
  /** worse; else flaky: some verdict varies on an unchanged environment (exit 3); else better; else same (exit 0). */
  status: Change;
}

function fingerprint(r: Report): Record<string, string> {
  const f = r.system;
  const s = (v: unknown) => (v === null || v === undefined ? 'unknown' : String(v));
  // Reports saved before system.tlb existed.
  const NOT_RECORDED = 'not recorded';
  const boot = f.kernel.bootParams;
  return {
    'tool version': r.tool.version,
    'kernel release': s(f.kernel.release),
    'kernel version': s(f.kernel.version),
    'boot parameters': `nohz_full=${s(boot?.nohz_full)} isolcpus=${s(boot?.isolcpus)} rcu_nocbs=${s(boot?.rcu_nocbs)}`,
    cpu:
      `${s(f.cpus.vendor)} ${s(f.cpus.modelName)} family ${s(f.cpus.family)} model ${s(f.cpus.model)} ` +
      `stepping ${s(f.cpus.stepping)}`,
    microcode: s(f.cpus.microcode),
    'online CPUs': s(f.cpus.online),
    'allowed CPUs': s(f.cpus.allowed?.join(',')),
    hypervisor: s(f.hypervisor.vendor),
    'KVM PV TLB flush': s(f.hypervisor.kvm?.pvTlbFlush),
    'Hyper-V hypercall flush': s(f.hypervisor.hyperv?.remoteTlbFlushByHypercall),
    invlpgb: s(f.cpus.flags.invlpgb),
    // A kernel, config or host change can switch the page-table tricks' flushes off IPIs (issue 14).
    'TLB regime': f.tlb ? f.tlb.regime : NOT_RECORDED,
    'INVLPGB (CPUID)': f.tlb ? s(f.tlb.facts.invlpgb.value) : NOT_RECORDED,
    'kernel flushes with INVLPGB': f.tlb ? s(f.tlb.facts.kernelUsesInvlpgb.value) : NOT_RECORDED,
    nohz_full: s(f.kernel.nohzFull?.join(',')),
    'membarrier QUERY mask': s(f.membarrier.queryMask ?? f.membarrier.error?.code),
    seccomp: `${s(f.process.seccomp.modeName)} (${s(f.process.seccomp.filters)} filters)`,
    mlock: s(f.process.memlock.onePageLocked),
    container: s(f.sandbox.container?.kind ?? 'none'),
    sandbox: f.sandbox.gvisor ? 'gVisor' : s(f.sandbox.wsl ?? 'none'),
    readers: r.results.cpus.readers.join(','),
  };
}

/** "the after run had too little evidence (inconclusive: ...)" when one side of the change was inconclusive. */
function weakSide(before: Verdict | undefined, after: Verdict | undefined): string | null {
  const side =
    after?.verdict === 'inconclusive'
      ? (['after', after] as const)
      : before?.verdict === 'inconclusive'
        ? (['before', before] as const)
        : null;
  if (!side) return null;
  return `the ${side[0]} run had too little evidence (inconclusive: ${side[1].reasons[0]?.text ?? 'no reason given'})`;
}

export function compareReports(a: Report, b: Report): Comparison {
  const fa = fingerprint(a),
    fb = fingerprint(b);
  const environment = Object.keys(fa)
    .filter((k) => fa[k] !== fb[k])
    .map((field) => ({ field, before: fa[field]!, after: fb[field]! }));
  const unchanged = environment.length === 0;
  const ids = [...new Set([...a.plan.strategies, ...b.plan.strategies])];
  const verdicts = ids.map((strategy): VerdictChange => {
    const va: Verdict | undefined = a.analysis.verdicts[strategy];
    const vb: Verdict | undefined = b.analysis.verdicts[strategy];
    const before: VerdictClass | 'absent' = va?.verdict ?? 'absent';
    const after: VerdictClass | 'absent' = vb?.verdict ?? 'absent';
    const d = RANK[after] - RANK[before];
    const why = { before: va?.reasons[0]?.code ?? null, after: vb?.reasons[0]?.code ?? null };
    if (d === 0) return { strategy, before, after, why, change: 'same' };
    const moved = d < 0 ? ('worse' as const) : ('better' as const);
    // Only an unchanged environment can make a change luck, and only between two verdicts (absent is a plan change).
    if (!unchanged || !va || !vb) return { strategy, before, after, why, change: moved };
    const weak = weakSide(va, vb);
    const sensitive = [a, b].some((r) => capsOf(catalogueOf(r.results), strategy)?.registrationOrderSensitive === true);
    if (!weak && !sensitive) return { strategy, before, after, why, change: moved };
    const because =
      weak ??
      'its reach depends on the order in which a process registers and starts its threads, which each run meets by ' +
        'chance here';
    return {
      strategy,
      before,
      after,
      why,
      change: 'flaky',
      flakyReason: `varies on an unchanged environment (flaky): ${because}`,
    };
  });
  const has = (c: Change) => verdicts.some((v) => v.change === c);
  const worse = has('worse');
  const status = worse ? 'worse' : has('flaky') ? 'flaky' : has('better') ? 'better' : 'same';
  return { environment, verdicts, worse, status };
}
