// Field knowledge (issue 7): the short sample that inspect takes in a child (FieldFacts) and the
// checklist that the analyse stage derives from every fact (FieldCheck), one row per trap that
// real deployments hit, so a report attached to a bug ticket answers a maintainer's first questions.
import type { RegistrationSampleEvidence } from './run.js';
import type { Unknowns } from './machine.js';

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
  contention: { writers: number; p50Ns: number; p99Ns: number; maxNs: number; calls: number; descheduledCalls: number }[];
  /** The signals strategy's writer, itself a registered thread, returned (null: not reached). */
  signalsSelfTest: { ok: boolean; errno: number | null } | null;
  unknown: Unknowns;
}

export type FieldCheckId =
  | 'fatal-denial' | 'silent-success' | 'registration-cost' | 'contention' | 'cpu-quota' | 'single-cpu' | 'cpu-hotplug'
  | 'user-mode-emulation' | 'tracer' | 'emulated-kernel' | 'android' | 'known-defects' | 'mlock' | 'signals-self-test';

export interface FieldCheck {
  id: FieldCheckId;
  title: string;
  /** ok: checked, not present; note: worth knowing; warning: may bite; problem: breaks barriers or runtimes here; unknown: not checkable. */
  status: 'ok' | 'note' | 'warning' | 'problem' | 'unknown';
  /** One line: what was found here and what it means. */
  text: string;
  /** Where the knowledge comes from (bug tracker thread, kernel commit, documentation). */
  source: string;
}
