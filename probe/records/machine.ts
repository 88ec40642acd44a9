// MachineFacts: what the inspect stage learns about this machine. Names here are part of the
// JSON report format: tooling reads them, so rename nothing without bumping SCHEMA_VERSION.
//
// A fact that could not be read is null, and its section's `unknown` map says why, keyed by the
// field's name. Nothing is guessed.
import type { Finding } from '../codes.js';
import type { TlbFacts } from './tlb.js';

/** Field name → why it could not be learned. */
export type Unknowns = Record<string, string>;

/** A syscall's outcome as the report shows it. */
export type SyscallOutcome = { ok: true; value: number } | { ok: false; errno: number; code: string; meaning: string };

export interface PlatformFacts {
  os: string;
  /** Node's process.arch (the arch this process runs as). */
  arch: string;
  /** The kernel's machine (uname -m): differs from arch under user-mode emulation. */
  machine: string;
  node: string;
  hostname: string;
}

export interface NativeStatus {
  available: boolean;
  /** Why the addon could not be used (absent when available). */
  reason: string | null;
  path: string | null;
}

export interface CpuTopologyEntry {
  cpu: number;
  package: number | null;
  die: number | null;
  /** Raw sysfs value; 65535 means the kernel has no cluster level for this CPU. */
  cluster: number | null;
  core: number | null;
  threadSiblings: number[];
  /** CPUs sharing this CPU's last-level cache. */
  llcShared: number[];
  llcLevel: number | null;
}

export interface CpuFlagFacts {
  invlpgb: boolean | null;
  pcid: boolean | null;
  invpcid: boolean | null;
  hypervisor: boolean | null;
  constant_tsc: boolean | null;
  nonstop_tsc: boolean | null;
}

export interface CpuFacts {
  /** Number of online CPUs. */
  online: number | null;
  onlineList: number[];
  possible: number[];
  present: number[];
  offline: number[];
  /** CPUs this process may run on (taskset, cgroup cpusets). */
  allowed: number[] | null;
  allowedSource: 'sched_getaffinity' | '/proc/self/status' | null;
  vendor: string | null;
  modelName: string | null;
  family: number | null;
  model: number | null;
  stepping: number | null;
  microcode: string | null;
  /** arm64: CPU implementer/part as reported by the kernel. */
  implementer: string | null;
  part: string | null;
  flags: CpuFlagFacts;
  topology: CpuTopologyEntry[];
  unknown: Unknowns;
}

export interface KernelFacts {
  release: string | null;
  version: string | null;
  major: number | null;
  minor: number | null;
  patch: number | null;
  bootParams: { nohz_full: string | null; isolcpus: string | null; rcu_nocbs: string | null };
  /** The live nohz_full set (/sys/devices/system/cpu/nohz_full). */
  nohzFull: number[] | null;
  isolated: number[] | null;
  unknown: Unknowns;
}

export interface HypervisorFacts {
  /** Hypervisor named by CPUID leaf 0x40000000 (KVM, Microsoft Hyper-V, Xen, VMware, ...). */
  vendor: string | null;
  signature: string | null;
  /** CPUID.1:ECX bit 31, "running under a hypervisor". */
  cpuidHypervisorBit: boolean | null;
  maxLeaf: number | null;
  /** Every hypervisor interface found by scanning 0x40000000 + k*0x100 (KVM may sit behind Hyper-V's). */
  interfaces: { base: number; signature: string; vendor: string }[];
  kvm: { features: number; pvTlbFlush: boolean; pvSendIpi: boolean; steal: boolean; names: string[] } | null;
  hyperv: { recommendations: number; remoteTlbFlushByHypercall: boolean; exProcessorMasks: boolean } | null;
  xen: { leafBase: number; version: string | null } | null;
  unknown: Unknowns;
}

export interface SandboxFacts {
  container: { kind: string; strength: 'strong' | 'weak'; evidence: string[] } | null;
  gvisor: boolean;
  wsl: 'wsl1' | 'wsl2' | null;
  evidence: string[];
  /**
   * The firmware's own name for the machine (/sys/class/dmi/id), shown beside CPUID's vendor: a
   * hypervisor that hides its CPUID leaves often still names itself here. null where there are no
   * DMI tables (arm64 without SMBIOS, Firecracker); absent in reports from before it was read.
   */
  dmi?: { sysVendor: string | null; productName: string | null } | null;
  /** systeminformation's view, in reports from before inspect read DMI itself (loading it cost ~40 ms). */
  systeminformation?: { virtual: boolean; virtualHost: string | null; model: string | null } | null;
  unknown: Unknowns;
}

export interface MembarrierCommandFacts {
  name: string;
  bit: number;
  supported: boolean | null;
}

export interface MembarrierRegistrationFacts {
  command: string;
  outcome: SyscallOutcome | null;
}

export interface MembarrierFacts {
  queryMask: number | null;
  error: { errno: number; code: string; meaning: string } | null;
  commands: MembarrierCommandFacts[];
  /** Each REGISTER_* made in a short-lived child (seccomp filters are inherited by it). */
  registrations: MembarrierRegistrationFacts[];
  /** GET_REGISTRATIONS read back in that child after registering (6.3+). */
  registeredMask: number | null;
  registeredCommands: string[];
  child: { end: string; signal: number | null; killedAt: string | null } | null;
  globalRefusedByNohzFull: boolean | null;
  unknown: Unknowns;
}

export interface ProcessFacts {
  memlock: {
    soft: number | 'unlimited' | null;
    hard: number | 'unlimited' | null;
    onePageLocked: boolean | null;
    error: string | null;
  };
  seccomp: { mode: number | null; modeName: string | null; filters: number | null };
  capIpcLock: boolean | null;
  tracerPid: number | null;
  unknown: Unknowns;
}

export type InterruptRole = 'tlb-shootdown' | 'function-call' | 'function-call-single' | 'reschedule';

export interface InterruptRowFacts {
  id: string;
  description: string;
  role: InterruptRole;
}

export interface InterruptFacts {
  readable: boolean;
  error: string | null;
  cpuColumns: number[];
  /** Per-CPU rows that count IPIs relevant to heavy barriers on this arch. */
  rows: InterruptRowFacts[];
  unknown: Unknowns;
}

export interface TimebaseFacts {
  source: 'tsc' | 'cntvct' | 'clock_gettime';
  reason: string;
  invariantTsc: boolean | null;
  kernelClocksource: string | null;
  unknown: Unknowns;
}

/** Environment traps: conditions real deployments hit that change what a barrier means here. */
export interface TrapFacts {
  /** The tightest CPU bandwidth limit on this process's cgroup path; null when there is none or it is unknown. */
  cpuQuota: { quotaUs: number; periodUs: number; cpus: number; cgroup: string; version: 1 | 2 } | null;
  emulation: {
    processArch: string;
    /** The arch the native addon was compiled for (null without the addon). */
    addonArch: string | null;
    kernelMachine: string;
    /** The CPU family /proc/cpuinfo describes (x86, arm, ...); qemu-user passes the host's file through. */
    cpuinfoFamily: string | null;
    userModeEmulation: boolean;
    evidence: string[];
  };
  tracer: { pid: number; comm: string | null; rr: boolean } | null;
  /** FreeBSD's Linux emulation (the Linuxulator), recognised from linprocfs's /proc/version. */
  freebsdLinuxulator: boolean;
  android: { sdk: number | null; evidence: string[] } | null;
  unknown: Unknowns;
}

export interface MachineFacts {
  platform: PlatformFacts;
  native: NativeStatus;
  cpus: CpuFacts;
  kernel: KernelFacts;
  hypervisor: HypervisorFacts;
  sandbox: SandboxFacts;
  membarrier: MembarrierFacts;
  process: ProcessFacts;
  interrupts: InterruptFacts;
  timebase: TimebaseFacts;
  /** Absent from reports saved before it existed. */
  traps?: TrapFacts;
  /** The field sample (below); absent from reports saved before it existed. */
  field?: FieldFacts;
  /** The TLB-flush regime; absent from reports saved before it existed. */
  tlb?: TlbFacts;
}

/** The first REGISTER_PRIVATE_EXPEDITED, timed (inspect's field sample and a run's own figure). */
export interface RegistrationSampleEvidence {
  ok: boolean;
  ns: number | null;
  errno: number | null;
  note: Finding | null;
}

// The field sample (issue 7): one forked child measures in ~60 ms what a run measures at length.
/** One kind of call in the effect sample: calls during which the reader on the other CPU had a gap. */
export interface EffectKindFacts {
  calls: number;
  /** Calls during which the reader stayed on its CPU (a context switch is a barrier of its own). */
  onCpuCalls: number;
  interruptedShare: number | null;
  p50Ns: number | null;
}

export interface FieldFacts {
  /** How the sampling child ended ("signaled": seccomp or another signal killed it part-way). */
  child: { end: string; signal: number | null } | null;
  /** CPUs of the effect and contention samples (null: fewer than two CPUs to use). */
  cpus: { writer: number; reader: number } | null;
  registration: {
    /** First REGISTER_PRIVATE_EXPEDITED in a single-threaded child. */
    fresh: RegistrationSampleEvidence | null;
    /** The same in a child with `threads` threads alive: the kernel waits for an RCU grace period. */
    threaded: (RegistrationSampleEvidence & { threads: number }) | null;
  };
  /** Does a successful PRIVATE_EXPEDITED reach the other CPU? Against getpid, in the same child. */
  effect: {
    membarrier: EffectKindFacts;
    nullSyscall: EffectKindFacts;
    gapThresholdNs: number;
    /** The failed step and its errno, when the sample stopped early. */
    error: { what: string; errno: number } | null;
  } | null;
  /**
   * 1, 2 and 4 unpinned threads issuing PRIVATE_EXPEDITED at once for a few milliseconds each.
   * Figures cover the calls made while the reader was on its CPU; descheduledCalls were counted apart.
   */
  contention: {
    writers: number;
    p50Ns: number;
    p99Ns: number;
    maxNs: number;
    calls: number;
    descheduledCalls: number;
  }[];
  /** The signals strategy's writer, itself a registered thread, returned (null: not reached). */
  signalsSelfTest: { ok: boolean; errno: number | null } | null;
  unknown: Unknowns;
}
