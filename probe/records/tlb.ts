// system.tlb (probe/inspect/tlb.ts): the TLB-flush regime and the facts it rests on, each with where it
// was read. Part of MachineFacts; kept apart because it is a record of its own (issue 14).

/** How a TLB flush reaches other CPUs here: by IPI, by broadcast instruction, by hypercall, both, or not known. */
export type TlbRegime = 'ipi' | 'broadcast' | 'hypercall' | 'mixed' | 'unknown';

/** One fact behind the TLB regime: its value (null: not known, `reason` says why) and where it was read. */
export interface TlbBoolFact {
  value: boolean | null;
  source: string;
  /** Why the value is null, or what qualifies it. */
  reason?: string;
}

/** The same for a count (no generic type: the schema generator names those in ways the loader cannot resolve). */
export interface TlbCountFact {
  value: number | null;
  source: string;
  reason?: string;
}

/** system.tlb: the TLB-flush regime and every fact it rests on (issue 14). */
export interface TlbFacts {
  regime: TlbRegime;
  reasons: string[];
  /** The page-table phases should warm up on 4+ busy CPUs: broadcast is possible or unknown, and 4+ CPUs are usable. */
  exercise: boolean;
  facts: {
    /** CPUID 0x80000008 EBX[3]. */
    invlpgb: TlbBoolFact;
    /** The /proc/cpuinfo flag: secondary, since kernels after 78ce84b9e0a5 no longer print it. */
    invlpgbCpuinfoFlag: TlbBoolFact;
    /** Linux 6.15 or later (commit 4afeb0ed1753 and the series it ends). */
    kernelHasBroadcastFlush: TlbBoolFact;
    /** CONFIG_BROADCAST_TLB_FLUSH, read only when INVLPGB and the release leave it deciding. */
    config: TlbBoolFact;
    /** Kernel page-table isolation on (94a17f2dc90b turns INVLPGB off under PTI). */
    pti: TlbBoolFact;
    /** PCID (44126343d58c: no INVLPGB without it). */
    pcid: TlbBoolFact;
    /** The kernel flushes with INVLPGB for processes that get a global ASID. */
    kernelUsesInvlpgb: TlbBoolFact;
    /** CPUs this process may use; 4 or more are needed for a global ASID. */
    usableCpus: TlbCountFact;
    /** Intel Remote Action Request (X86_FEATURE_RAR, from MSR_IA32_CORE_CAPS). */
    rar: TlbBoolFact;
    /** arm64 invalidates by broadcast TLBI, always. */
    arm64BroadcastTlbi: TlbBoolFact;
    /** KVM_FEATURE_PV_TLB_FLUSH (CPUID 0x40000001 EAX[9]) offered by the host. */
    kvmPvTlbFlush: TlbBoolFact;
    /** Whether Linux uses it (pv_tlb_flush_supported: also steal time, no realtime hint). */
    kvmPvTlbFlushUsed: TlbBoolFact;
    /** Hyper-V recommends remote TLB flushes by hypercall (0x40000004 EAX[2]). */
    hypervRemoteFlush: TlbBoolFact;
    /** A Xen guest (flushes may go by hypercall). */
    xen: TlbBoolFact;
  };
}
