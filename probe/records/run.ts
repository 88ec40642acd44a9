// RunEvidence (run stage): the raw evidence the engine returned for the plan (records/plan.ts).
// Field names under `results` are part of the report format.
import type { MachineFacts, RegistrationSampleEvidence } from './machine.js';
import type { Finding } from '../codes.js';
import type { ExperimentPlan, PhaseOutcome } from './plan.js';

/**
 * What a strategy's soundness rests on (native/strategy.h, StrategyCaps): every stage decides from these, never from
 * ids.
 */
export interface StrategyCapabilities {
  /**
   * page-table: a TLB-shootdown IPI (broken by arm64 TLBI, AMD INVLPGB, hypercall flushes); fence: both sides fence,
   * nothing remote.
   */
  family: 'membarrier' | 'page-table' | 'signals' | 'fence' | 'control';
  /**
   * The membarrier(2) command, its registration (null: none needed) and the kernel that introduced it; null outside the
   * family.
   */
  membarrier: { command: string; register: string | null; sinceKernel: [number, number] } | null;
  /** Orders threads of other (registered) processes too. */
  crossProcess: boolean;
  /** Needs a page that stays present: a refused mlock weakens it. */
  mlockedPage: boolean;
  /** Several threads may issue it at once (signals cannot: one global acknowledgement counter). */
  concurrentWriters: boolean;
  /** Milliseconds per call (an RCU grace period): for rare writers only. */
  slow: boolean;
  /**
   * positive: SB must relax; negative: a known non-barrier; null-call: the interrupted-share floor; delay-matched: a
   * spin as long.
   */
  controlKind: 'positive' | 'negative' | 'null-call' | 'delay-matched' | null;
  /** Whether it reaches a thread depends on when the process registered and on threads that came or went since
   * (GLOBAL_EXPEDITED's per-runqueue cache, native/inspect/registration_order.cc); absent in older reports. */
  registrationOrderSensitive?: boolean;
}

export interface StrategyDescriptor {
  id: string;
  control: boolean;
  readerSide: 'compiler-barrier' | 'full-fence';
  /** Soundness rests on interrupting every reader CPU (so the gap test applies). */
  remoteInterruption: boolean;
  /** What one heavy barrier does. */
  calls: string;
  /** Absent from addons and saved reports older than the capabilities: probe/catalogue.ts fills them in by id. */
  caps?: StrategyCapabilities;
}

export interface Calibration {
  timebase: { source: 'cycles' | 'clock_gettime'; ticksPerNs: number };
  skew: { offsetNs: number; uncertaintyNs: number } | null;
  stuffLines: number;
  offsetNs: number;
  jitterNs: number;
  leadNs: number;
  gapThresholdNs: { spin: number; trial: number };
  /** Witnesses per second of each (stuffLines, offsetNs) tried; the best was chosen. */
  sweep: { stuffLines: number; offsetNs: number; witnessesPerSec: number; relaxation: number }[];
  elapsedMs: number;
}

export interface Histogram {
  '00': number;
  '01': number;
  '10': number;
  '11': number;
}

export interface LatencyNs {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  calls: number;
}

export interface StrategyEvidence {
  id: string;
  strategy: string;
  delayNs: number | null;
  available: boolean;
  status: 'ok' | 'unavailable' | 'error' | 'timeout' | 'cancelled' | 'pin-failed' | 'skipped';
  error: { errno: number; code: string; meaning: string; what: string } | null;
  notes: Finding[];
  calls: string;
  readerSide: 'compiler-barrier' | 'full-fence';
  remoteInterruption: boolean;
  elapsedMs: number;
  /** All calls; `onCpu` only those during which every reader stayed on its CPU. */
  latencyNs: (LatencyNs & { onCpu: LatencyNs }) | null;
  /** trials: observed outcomes summed over readers; writerTrials: trials the writer ran (absent in older reports). */
  sb: {
    trials: number;
    writerTrials?: number;
    violations: number;
    histogram: Histogram;
    perReader: { cpu: number; histogram: Histogram; missed: number }[];
  };
  mechanism: {
    /** Over the calls during which every reader stayed on its CPU: share that interrupted all readers. */
    interruptedShare: number | null;
    /** Over all calls, counting descheduled readers as interrupted. */
    rawInterruptedShare: number | null;
    onCpuCalls: number;
    descheduledCalls: number;
    /** Calls after a reader's gap store filled up: left out of every share, never judged (absent in older reports). */
    unobservedCalls?: number;
    perReader: {
      cpu: number;
      interruptedShare: number | null;
      rawInterruptedShare: number | null;
      onCpuCalls: number;
      medianInterruptionNs: number;
      gaps: number;
      descheduledGaps: number;
    }[];
    /** /proc/interrupts delta per call, averaged over the reader CPUs, by row (TLB, CAL, RES, IPI1...). */
    irqPerCall: Record<string, number> | null;
    irqSource: string;
    /** Whether /proc/interrupts could be read for this phase (irqPerCall is null when not). */
    irqReadable: boolean;
    /** Page-table strategies: how their TLB flushes reached the readers (absent for others and in older reports). */
    flush?: FlushEvidence;
  } | null;
  rates: { trialsPerSec: number; callsPerSec: number };
}

/** How a strategy's TLB flushes reached the reader CPUs, from /proc/interrupts sampled across its phase. */
export type FlushKind = 'ipi' | 'broadcast' | 'mixed' | 'unknown';

export interface FlushEvidence {
  /** ipi: the TLB-shootdown row rose with the calls; broadcast: calls proceeded while it stayed still; mixed: both,
   * or fewer IPIs than calls; unknown: /proc/interrupts unreadable, no TLB-shootdown row, or no on-CPU call. */
  kind: FlushKind;
  reason: string;
  /** The row counted (x86: TLB), or null where there is none. */
  row: string | null;
  /** TLB-shootdown IPIs the reader CPUs received per call during which that reader stayed on its CPU, averaged
   * over the readers. */
  tlbIpisPerCall: number | null;
  /** Consecutive sampling windows across the phase: their length and the IPIs the reader CPUs received in each. */
  windows: { ms: number; tlbIpis: number }[];
}

/** The planned warm-up before the page-table phases (issue 14): calls on 4+ active CPUs, so the kernel's
 * once-per-32-jiffies global-ASID check has had its chances before anything is measured. */
export interface TlbWarmupEvidence {
  strategy: string;
  /** CPUs active in the process during it: the writer's and the readers'. */
  cpus: number[];
  elapsedMs: number;
  calls: number;
  /** Distinct 32-jiffy windows the calls spanned at HZ=100 (the slowest tick): the check's chances, at least. */
  windowsAtHz100: number;
  /** Probability that no call landed in a matching jiffy, where calls are sparser than one per 1 ms jiffy. */
  missProbability: number;
  /** The TLB-shootdown row across the warm-up. */
  flush: FlushEvidence;
}

export interface HorizonEvidence {
  points: { delayNs: number; trials: number; violations: number; rate: number }[];
  /** Largest writer-side delay at which SB still found a violation; null if none at all. */
  horizonNs: number | null;
}

/** One timed first MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED; errno 0 when the note says why it failed. */

export interface RegistrationCostEvidence {
  /** In a forked, single-threaded child: the kernel's fast path. */
  fresh: RegistrationSampleEvidence;
  /** In the probe's own multi-threaded process, before any phase registered it: waits for an RCU grace period. */
  threaded: RegistrationSampleEvidence;
}

/**
 * W writer threads issuing the heavy barrier at once; latency over the calls made while every reader was on its CPU.
 */
export interface ContentionPoint {
  writers: number;
  latencyNs: { p50: number; p99: number; max: number; calls: number };
  /** Calls made while a reader was switched out (no IPI needed), left out of latencyNs; absent in older reports. */
  descheduledCalls?: number;
  /** e.g. how often the readers were descheduled (calls made then need no IPI and are fast). */
  notes?: Finding[];
}

/** register-before-reader: a thread ran on the reader's CPU and exited, then the process registered, then the reader
 * started (the order that fails); register-after-reader: the reader ran when the process registered; reader-replaced-
 * after-register: as the latter, then that reader exited and a new one started on the same CPU. */
export type RegistrationOrderPattern =
  'register-before-reader' | 'register-after-reader' | 'reader-replaced-after-register';

/** One fresh child process's attempt at one pattern: calls from the writer's CPU, a reader spinning on another. */
export interface RegistrationOrderAttempt {
  pattern: RegistrationOrderPattern;
  /** How the child ended: exited, signaled, timeout, fork-failed, protocol-error. */
  end: string;
  /** The child wrote its counts (absent counts are zeros). */
  reported: boolean;
  /** 0, or the errno of the step that failed (1 pinning, 2 registering, 3 a call, 4 a reader that never came up). */
  errno: number;
  step: number;
  calls: number;
  onCpuCalls: number;
  /** On-CPU calls during which the reader's clock showed a gap (the call reached it). */
  reached: number;
  p50Ns: number;
  registerNs: number;
}

/** The registration-order test of a strategy whose reach depends on it (caps.registrationOrderSensitive). */
export interface RegistrationOrderEvidence {
  /** The strategy whose command the children issue. */
  strategy: string;
  writerCpu: number;
  readerCpu: number;
  callsPerAttempt: number;
  attempts: RegistrationOrderAttempt[];
  /** The order the run's own phases of that strategy use. */
  runOrder: 'register-after-readers';
}

export interface RunEvidence {
  cpus: { writer: number; readers: number[] };
  /**
   * The engine's catalogue (engine.strategies()) the run used; absent in older reports, which use probe/catalogue.ts's
   * copy.
   */
  catalogue?: StrategyDescriptor[];
  calibration: Calibration | null;
  strategies: Record<string, StrategyEvidence>;
  controls: Record<string, StrategyEvidence>;
  horizon: HorizonEvidence | null;
  scaling: Record<string, { readers: number; latencyNs: LatencyNs }[]>;
  readerCost: { compilerBarrierNs: number; fullFenceNs: number } | null;
  /** Absent in reports written before it was measured. */
  registrationCost?: RegistrationCostEvidence | null;
  /** Absent in older reports and where no registration-order-sensitive strategy ran or two CPUs were not usable. */
  registrationOrder?: RegistrationOrderEvidence | null;
  /** By strategy; absent in older reports and in the check profile. */
  contention?: Record<string, ContentionPoint[]>;
  /** The page-table phases' warm-up, when system.tlb asked for one; absent otherwise and in older reports. */
  tlbWarmup?: TlbWarmupEvidence;
  /** What became of each planned phase (ran, or skipped and why); absent in older reports. */
  phases?: PhaseOutcome[];
  cancelled: boolean;
  elapsedMs: number;
  /** /sys/devices/system/cpu/online (as a comma list) before and after the run; absent in older reports. */
  onlineCpus?: { before: string; after: string };
  /** Facts that change how far the evidence goes. */
  notes: Finding[];
}

export interface RunReport {
  schemaVersion: number;
  kind: 'run';
  tool: { name: string; version: string };
  generatedAt: string;
  system: MachineFacts;
  plan: ExperimentPlan;
  results: RunEvidence;
}
