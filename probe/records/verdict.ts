// Analysis (analyse stage), Recommendation (recommend stage), the field checklist, and the full
// Report and InspectReport that renderers and saved files carry. Names here are part of the report format (see
// report.schema.json).
import type { MachineFacts } from './machine.js';
import type { RunEvidence } from './run.js';
import type { ExperimentPlan, TopologyClass } from './plan.js';
import type { Code, Finding } from '../codes.js';

export type { Code, Finding } from '../codes.js';

export type VerdictClass = 'verified' | 'refuted' | 'unavailable' | 'inconclusive';

export interface VerdictStats {
  trials: number;
  violations: number;
  /** One-sided 95% upper bound on the SB violation rate (Clopper-Pearson). */
  violationRateUpper95: number | null;
  latencyNs: { p50: number; p99: number } | null;
  /** SB detection rate of the positive control at this strategy's median latency (horizon curve). */
  detectionRateAtLatency: number | null;
  /** Whether SB alone could have caught a broken barrier as slow as this one. */
  sbCouldCatchBroken: boolean;
  /** Share of on-CPU calls that interrupted every reader, and its 95% lower bound. */
  interruptedShare: number | null;
  interruptedShareLower95: number | null;
  onCpuCalls: number;
  descheduledCalls: number;
  nullControlShare: number | null;
  delayMatchedShare: number | null;
}

export interface Verdict {
  strategy: string;
  verdict: VerdictClass;
  /** Short sentences, most important first, each with its code (probe/codes.ts). */
  reasons: Finding[];
  stats: VerdictStats;
  /** Ids of the risks (Analysis.risks) that apply to this strategy. */
  risks: string[];
}

export interface Risk {
  /** Also its code (probe/codes.ts). */
  id: Code;
  /** unsafe: the strategy must not be relied on here; warning: it may fail; note: worth knowing. */
  severity: 'unsafe' | 'warning' | 'note';
  strategies: string[];
  text: string;
  /** Where this is known from (a kernel commit, a bug tracker thread), when it is field knowledge. */
  source?: string;
}

/** One topology class of reader CPUs (ExperimentPlan.readerClasses) in one strategy's or control's evidence. */
export interface ClassEvidence {
  class: TopologyClass;
  readers: number[];
  /**
   * Interrupted on-CPU calls over on-CPU calls, pooled over the class's readers (null: no mechanism, or no on-CPU
   * call).
   */
  interruptedShare: number | null;
  /** The class's weakest reader (null as above). */
  minInterruptedShare: number | null;
  onCpuCalls: number;
  /** SB outcomes observed by the class's readers, and how many were 00 (a violation; for `none`, a relaxation). */
  sbTrials: number;
  sbViolations: number;
}

/** The positive control's power at one reader: how often its unfenced SB relaxed (00) there. */
export interface ReaderPower {
  cpu: number;
  class: TopologyClass;
  trials: number;
  relaxed: number;
  /** relaxed / trials (null: no observed trial). */
  relaxation: number | null;
}

export interface Analysis {
  verdicts: Record<string, Verdict>;
  /**
   * Per strategy or control (the keys of `verdicts` that ran): its evidence by reader class, farthest first; absent in
   * older reports.
   */
  byClass?: Record<string, ClassEvidence[]>;
  /** The positive control (`none`) per reader CPU, in plan order; absent in older reports and when it did not run. */
  readerPower?: ReaderPower[];
  risks: Risk[];
  /** Whether the run could have seen a broken barrier at all (positive control relaxed). */
  positiveControl: { relaxed: boolean; violations: number; trials: number };
  /**
   * The field checklist (analyse/checks.ts): every known trap, checked or not, with its source; absent in older
   * reports.
   */
  checks?: FieldCheck[];
  notes: Finding[];
}

export interface RuntimeAdvice {
  runtime: string;
  advice: string;
  /** Where the runtime's rule is written down (repository and file, or an issue). */
  source?: string;
}

export interface Recommendation {
  /** The strategy to use, or null when none is verified here. */
  strategy: string | null;
  reasons: Finding[];
  /** Usable under conditions (opt-in, rare writers), each with its condition. */
  acceptable: { strategy: string; condition: string }[];
  runtimes: RuntimeAdvice[];
}

export interface Report {
  schemaVersion: number;
  kind: 'report';
  tool: { name: string; version: string };
  generatedAt: string;
  /** The command line that produced it (argv after the program name). */
  commandLine: string[];
  system: MachineFacts;
  plan: ExperimentPlan;
  results: RunEvidence;
  analysis: Analysis;
  recommendation: Recommendation;
}

/**
 * One row of the field checklist (analyse/checks.ts): a trap real deployments have hit, checked here,
 * so a report attached to a bug ticket answers a maintainer's first questions.
 */
export type FieldCheckId =
  | 'fatal-denial'
  | 'silent-success'
  | 'registration-cost'
  | 'contention'
  | 'cpu-quota'
  | 'single-cpu'
  | 'cpu-hotplug'
  | 'user-mode-emulation'
  | 'tracer'
  | 'emulated-kernel'
  | 'android'
  | 'known-defects'
  | 'mlock'
  | 'signals-self-test';

export interface FieldCheck {
  id: FieldCheckId;
  title: string;
  /**
   * ok: checked, not present; note: worth knowing; warning: may bite; problem: breaks barriers or runtimes here;
   * unknown: not checkable.
   */
  status: 'ok' | 'note' | 'warning' | 'problem' | 'unknown';
  /** What was found here (probe/codes.ts): the row's `id` names the check, `code` the finding. */
  code: Code;
  /** One line: what was found here and what it means. */
  text: string;
  /** Where the knowledge comes from (bug tracker thread, kernel commit, documentation). */
  source: string;
}

export interface InspectReport {
  schemaVersion: number;
  kind: 'inspect';
  tool: { name: string; version: string };
  generatedAt: string;
  system: MachineFacts;
  /** The field checklist (analyse/checks.ts) for this machine alone: no run behind it. */
  checks: FieldCheck[];
}
