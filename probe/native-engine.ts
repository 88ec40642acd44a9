// The engine half of the addon's interface (NativeAddon.engine): the phase and contention options
// and results and the NativeEngine methods run/ calls. Types only; apart from native.ts, which
// loads the addon and holds the inspect-side calls, and re-exports every name here.
import type { StrategyDescriptor } from './records/run.js';
import type { Finding } from './codes.js';

export interface PhaseOptions {
  strategy: string;
  writerCpu: number;
  readerCpus: number[];
  stuffLines?: number;
  offsetNs?: number;
  jitterNs?: number;
  leadNs?: number;
  writerDelayNs?: number;
  delayNs?: number;
  maxTrials?: number;
  budgetMs?: number;
  hardMs?: number;
  gapSpinNs?: number;
  gapTrialNs?: number;
  marginNs?: number;
  seed?: number;
  /** Test hook for the watchdog: the writer's first call first blocks this long in poll(2). */
  debugStallMs?: number;
  /** false: outcomes only (calibration sweeps), no call windows or gap analysis. */
  evidence?: boolean;
}

export interface NativeLatency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  calls: number;
}

export interface PhaseResult {
  status: 'ok' | 'unavailable' | 'error' | 'timeout' | 'cancelled' | 'pin-failed';
  errno: number;
  what: string;
  notes: Finding[];
  trials: number;
  elapsedNs: number;
  readers: {
    cpu: number;
    histogram: { '00': number; '01': number; '10': number; '11': number };
    missed: number;
    gapOverflow: number;
    spinStepP50Ns: number;
    spinStepP9999Ns: number;
    trialStepP50Ns: number;
    trialStepP9999Ns: number;
    onCpuCalls?: number;
    interruptedCalls?: number;
    rawInterruptedCalls?: number;
    gaps?: number;
    descheduledGaps?: number;
    medianInterruptionNs?: number;
  }[];
  latency?: NativeLatency;
  latencyOnCpu?: NativeLatency;
  /** unobservedCalls: calls after a reader's gap store filled up, left out of the other counts. */
  mechanism?: {
    calls: number;
    onCpuCalls: number;
    descheduledCalls: number;
    unobservedCalls: number;
    allInterruptedCalls: number;
    rawAllInterruptedCalls: number;
  };
}

export interface ContentionOptions {
  strategy: string;
  /** How many threads issue the heavy barrier at once, 1..64. */
  writers: number;
  readerCpus: number[];
  /**
   * Writer i runs on writerCpus[i]: at least one CPU per writer, no CPU twice, none a reader's (RangeError otherwise);
   * absent: writers are not pinned.
   */
  writerCpus?: number[];
  budgetMs?: number;
  hardMs?: number;
}

export interface ContentionResult {
  status: 'ok' | 'skipped' | 'unavailable' | 'error' | 'timeout' | 'cancelled' | 'pin-failed';
  errno: number;
  /** The failed step, or why the strategy was skipped. */
  what: string;
  notes: Finding[];
  writers: number;
  /** The calls made while every reader was on its CPU. */
  latency: NativeLatency;
  /** Calls made while a reader was switched out (no IPI needed): not in latency. */
  descheduledCalls: number;
  elapsedNs: number;
}

export interface NativeEngine {
  /** The registry with each entry's capabilities (StrategyDescriptor; caps absent from addons built before them). */
  strategies(): StrategyDescriptor[];
  selectTimebase(cycles: boolean): { source: 'cycles' | 'clock_gettime'; ticksPerNs: number };
  measureSkew(cpuA: number, cpuB: number): Promise<{ errno: number; offsetNs: number; uncertaintyNs: number }>;
  runPhase(options: PhaseOptions): Promise<PhaseResult>;
  /** Validates like runPhase (throws the same TypeError/RangeError) without running. */
  checkPhaseOptions(options: unknown): true;
  /** W writers calling the heavy barrier at once while readers spin; throws TypeError/RangeError on bad options. */
  runContention(options: ContentionOptions): Promise<ContentionResult>;
  readerCost(
    cpu: number,
    iterations: number,
  ): Promise<{ errno: number; compilerBarrierNs: number; fullFenceNs: number }>;
  cancel(): void;
  /** Unmaps the stuffing buffer kept between a run's phases (call when the run ends). */
  releaseBuffers(): void;
  /** Bytes of native buffers held between phases now (0 after releaseBuffers). */
  buffersHeld(): number;
}
