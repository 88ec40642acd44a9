// ExperimentPlan (plan stage): the phases, their budgets and the reader placement the run is asked to carry
// out. Apart from run.ts (the run stage's evidence) so each file stays one stage's records; records.ts
// re-exports both, and field names here are part of the report format.
/** Every step of a run, in the order it runs; plan/phases.ts lists them, run executes the list. */
export type PhaseKind =
  | 'registration'
  | 'registration-order'
  | 'calibration'
  | 'control'
  | 'strategy'
  | 'delay-matched'
  | 'horizon'
  | 'scaling'
  | 'reader-cost'
  | 'contention'
  | 'tlb-warm-up';

/** Why a phase did not run. Logic keys on `code`; `reason` is the sentence shown. */
export interface PhaseSkip {
  /**
   * no-cpus: too few CPUs; no-time: left out so the run fits --duration; depends: an earlier phase it needs
   * did not run ok; duplicate: an earlier phase measured the same thing; late: the run was running late;
   * stopped: interrupted or calibration failed.
   */
  code: 'no-cpus' | 'no-time' | 'depends' | 'duplicate' | 'late' | 'stopped';
  reason: string;
}

export interface PhasePlan {
  /** Result key: a strategy or control id; delay-matched controls are "delay-matched:<strategy>"; horizon:<ns>,
   * horizon:median:<strategy>, scaling:<strategy>:<readers>, contention:<strategy>:<writers>. */
  key: string;
  kind: PhaseKind;
  /**
   * The engine strategy the phase runs ('none' for horizon points); null for registration, calibration, reader cost.
   */
  strategy: string | null;
  /** The engine's time budget for the phase. */
  budgetMs: number;
  /** Estimated wall time: the budget plus the phase's fixed cost (threads, pinning, wind-down, evidence). */
  costMs: number;
  /** Reader threads the phase runs. */
  readers: number;
  /**
   * The strategy whose measured median sets the delay (delay-matched, horizon median points), or which must have run ok
   * (scaling, contention).
   */
  delayFrom?: string;
  writerDelayNs?: number;
  /** Contention: concurrent writers, one distinct CPU each, none a reader's. */
  writers?: number;
  writerCpus?: number[];
  /** tlb-warm-up: its own reader CPUs (with the writer, 4 or more CPUs active in the process). */
  readerCpus?: number[];
  /** Planned not to run; a run may skip more (RunEvidence.phases). */
  skip?: PhaseSkip;
}

/** How the plan shared --duration out, so the arithmetic can be checked from the report. */
export interface PhaseBudget {
  durationMs: number;
  /** Spent before the plan existed (inspect), counted against --duration. */
  spentMs: number;
  /** Sum of costMs over the phases that are planned to run. */
  plannedMs: number;
  /** ms per unit of phase weight (a control is 1 unit). */
  unitMs: number;
  /** Set when even the essential phases cannot fit: the run's guard will skip the last ones. */
  overBudget: string | null;
}

/** One planned phase as the run carried it out. */
export interface PhaseOutcome {
  key: string;
  kind: PhaseKind;
  status: 'ran' | 'skipped';
  skip?: PhaseSkip;
  budgetMs: number;
  /** Since the run began (inspect included), and how long it took; 0 for a skipped phase. */
  startMs: number;
  elapsedMs: number;
}

/**
 * Where a reader CPU sits relative to the writer's CPU. A heavy barrier that reaches one class can
 * miss another (an IPI path limited to a package, a flush limited to one LLC's CPUs), so every class
 * present gets a reader. Farthest first: other-package (another socket), other-llc (the writer's
 * package, another last-level cache), same-llc (another core sharing the writer's LLC), smt-sibling
 * (the writer's own core). Where the topology record is short: same-package (another core of the
 * writer's package whose LLC is not recorded) and unknown (no package or core recorded).
 */
export type TopologyClass = 'other-package' | 'other-llc' | 'same-package' | 'same-llc' | 'smt-sibling' | 'unknown';

export interface ReaderClass {
  cpu: number;
  class: TopologyClass;
}

/** One class with usable CPUs on this machine: how many, how many readers the plan put there. */
export interface TopologyClassCoverage {
  class: TopologyClass;
  /** Usable CPUs of this class (the writer's CPU excluded). */
  cpus: number;
  readers: number;
  covered: boolean;
}

export interface ExperimentPlan {
  writerCpu: number;
  readerCpus: number[];
  /** Each reader CPU's class relative to the writer, in readerCpus order; absent in older reports. */
  readerClasses?: ReaderClass[];
  /** Every class with a usable CPU here, farthest first, and whether a reader covers it; absent in older reports. */
  topologyClasses?: TopologyClassCoverage[];
  /** What the topology record could not tell apart (NUMA nodes, an unrecorded LLC); absent in older reports. */
  topologyLimits?: string[];
  /** Why these CPUs: the placement order that was applied. */
  placement: string[];
  /** Why the run cannot happen as asked, when it cannot (e.g. one usable CPU). */
  blocked: string | null;
  strategies: string[];
  controls: string[];
  durationMs: number;
  seed: number;
  horizonDelaysNs: number[];
  scalingReaders: number[];
  timebase: 'cycles' | 'clock_gettime';
  /** Every phase, in run order, with its budget; absent in reports saved before the plan listed them. */
  phases?: PhasePlan[];
  phaseBudget?: PhaseBudget;
}
