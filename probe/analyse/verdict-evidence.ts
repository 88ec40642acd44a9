// The thresholds, statistics and evidence tests that analyse/verdicts.ts's rules apply: a strategy's
// VerdictStats, SB's power, the near-null ("success that does nothing") test, the per-class shortfall
// and the page-table flush signal. Apart from verdicts.ts so that file holds only the order of the
// rules (judge); verdicts.ts re-exports what other modules import from it.
import type {
  ClassEvidence,
  FlushEvidence,
  RunEvidence,
  StrategyCapabilities,
  StrategyEvidence,
  VerdictStats,
} from '../records.js';
import { formatCpuList } from '../inspect/cpulist.js';
import { detectionRateAt } from '../run/horizon.js';
import { lower95, upper95 } from './stats.js';
import { controlEvidence } from '../catalogue.js';
import { delayMatchedKey } from '../plan/phases.js';
import { finding, type Finding } from '../codes.js';

type ControlKind = StrategyCapabilities['controlKind'];

/** Each reader interrupted in at least this share of its on-CPU calls. */
export const MIN_SHARE = 0.99;
/**
 * ... and the 95% lower bound of the share of calls that interrupted every reader at least this high (about 300 on-CPU
 * calls with no miss reach it).
 */
export const MIN_SHARE_LOWER95 = 0.99;
/** "Clearly above" a control: at least this much higher. */
export const CLEAR_MARGIN = 0.5;
/** "Near" the null control: within this much (or under twice its share). */
export const NEAR_MARGIN = 0.05;
/** Readers named one by one in a reason; more are counted. */
export const MAX_NAMED = 8;
/** SB could catch a broken barrier if it would expect at least this many witnesses. */
export const EXPECTED_WITNESSES = 3;

/** Shares and durations as the analysis's sentences write them (checks.ts words its rows the same way). */
export const pct = (v: number) => `${(v * 100).toFixed(v > 0.999 || v < 0.001 ? 2 : 1)}%`;
export const us = (ns: number) =>
  ns >= 1e6 ? `${(ns / 1e6).toFixed(1)} ms` : ns >= 1000 ? `${(ns / 1000).toFixed(1)} us` : `${ns.toFixed(0)} ns`;

export function statsOf(e: StrategyEvidence, run: RunEvidence): VerdictStats {
  const trials = e.sb.trials;
  const latency = e.latencyNs ? { p50: e.latencyNs.p50, p99: e.latencyNs.p99 } : null;
  const detection = run.horizon && latency ? detectionRateAt(run.horizon, latency.p50) : null;
  const m = e.mechanism;
  const dm = run.controls[delayMatchedKey(e.strategy)];
  const share = m?.interruptedShare ?? null;
  return {
    trials,
    violations: e.sb.violations,
    violationRateUpper95: upper95(e.sb.violations, trials),
    latencyNs: latency,
    detectionRateAtLatency: detection,
    sbCouldCatchBroken: detection !== null && detection * trials >= EXPECTED_WITNESSES,
    interruptedShare: share,
    interruptedShareLower95: m && share !== null ? lower95(Math.round(share * m.onCpuCalls), m.onCpuCalls) : null,
    onCpuCalls: m?.onCpuCalls ?? 0,
    descheduledCalls: m?.descheduledCalls ?? 0,
    nullControlShare: controlEvidence(run, 'null-call')?.mechanism?.interruptedShare ?? null,
    delayMatchedShare: dm?.mechanism?.interruptedShare ?? null,
  };
}

export function power(s: VerdictStats): Finding {
  const parts = [
    `${s.violations} violations in ${s.trials} trials (95% upper bound on the ` +
      `rate: ${s.violationRateUpper95 === null ? 'n/a' : pct(s.violationRateUpper95)})`,
  ];
  if (s.latencyNs && s.detectionRateAtLatency !== null) {
    parts.push(
      `at its ${us(s.latencyNs.p50)} median the positive control is detected in ${pct(s.detectionRateAtLatency)} ` +
        `of trials, ` +
        (s.sbCouldCatchBroken
          ? 'so SB alone could have caught a broken barrier this slow'
          : 'so SB alone could not have caught a broken barrier this slow'),
    );
  }
  return finding('sb-power', parts.join('; '));
}

/**
 * Whether an interrupted share is too near the null syscall's to count as reaching readers: it must
 * stand NEAR_MARGIN above it and at more than twice it.
 */
export const isNearNull = (share: number, nul: number): boolean => !(share > nul + NEAR_MARGIN && share > 2 * nul);
/**
 * Whether a null-syscall share this low lets the gap test tell a hollow call from a working one:
 * where getpid itself is "interrupted" in half the calls or more (steal time, a noisy host, an
 * emulator), even a call that reached every reader every time would look near null.
 */
export const nullHasPower = (nul: number): boolean => !isNearNull(1, nul);

/**
 * "Success that does nothing": a call that returns 0 yet interrupts readers no more often than the
 * null syscall (sandboxes and library OSes have shipped such membarriers: mystikos#313,
 * unikraft#1321). The reason to refute, or null when the share is clearly above the null control,
 * not measured, or the null control itself has no power here.
 */
export function nearNull(
  e: StrategyEvidence,
  s: VerdictStats,
  kind: ControlKind,
  classes?: ClassEvidence[],
): Finding | null {
  // The null call is the floor itself: it is never compared with itself.
  const nul = kind === 'null-call' ? null : s.nullControlShare;
  if (!e.remoteInterruption || nul === null || s.interruptedShare === null) return null;
  if (!isNearNull(s.interruptedShare, nul) || !nullHasPower(nul)) return null;
  // Some class clearly reached while the all-reader share is near null: a partial reach, not a hollow call.
  const partial =
    (classes?.length ?? 0) > 1 &&
    classes!.some((c) => c.interruptedShare !== null && !isNearNull(c.interruptedShare, nul));
  const [code, what] =
    kind === 'delay-matched'
      ? (['spin-reaches-none', 'a spin reaches no other CPU'] as const)
      : partial
        ? (['partial-reach', 'the call reaches some classes of reader CPU but not all (below)'] as const)
        : ([
            'hollow-call',
            "the call succeeds without reaching other CPUs (as some sandboxes' membarrier does)",
          ] as const);
  return finding(
    code,
    `it interrupted every reader in only ${pct(s.interruptedShare)} of on-CPU calls, near the null ` +
      `syscall's ${pct(nul)}: ${what}`,
  );
}

/** "other-package: interrupted 0.0% of on-CPU calls (CPU 24)" for each class whose weakest reader is under `min`. */
export function classShortfall(classes: ClassEvidence[] | undefined, min: number): string[] {
  return (classes ?? [])
    .filter((c) => c.minInterruptedShare === null || c.minInterruptedShare < min)
    .map(
      (c) =>
        `${c.class}` +
        `: ${
          c.interruptedShare === null ? 'no on-CPU call' : `interrupted ${pct(c.interruptedShare)} of on-CPU ` + `calls`
        }` +
        `${
          c.minInterruptedShare !== null &&
          c.interruptedShare !== null &&
          c.minInterruptedShare < c.interruptedShare - 0.0005
            ? `, weakest ` + `reader ${pct(c.minInterruptedShare)}`
            : ''
        }` +
        ` (${c.readers.length > MAX_NAMED ? `${c.readers.length} readers` : `CPU ${formatCpuList(c.readers)}`})`,
    );
}

/** "violations by reader class: other-package 12 of 3400, same-llc 0 of 3390" when a class saw any. */
export function classViolations(classes: ClassEvidence[] | undefined): Finding | null {
  const cs = classes ?? [];
  if (cs.length < 2 || !cs.some((c) => c.sbViolations > 0)) return null;
  return finding(
    'violations-by-class',
    `violations by reader class: ${cs.map((c) => `${c.class} ${c.sbViolations} of ${c.sbTrials}`).join(', ')}`,
  );
}

/**
 * A page-table strategy's second signal (run/flush.ts): flushes that sent no TLB-shootdown IPI
 * (broadcast, or a switch to it part-way) reached no reader by IPI. With the gap test agreeing
 * (readers not interrupted) that refutes it; where the two disagree the verdict stays open. Under
 * emulation neither is judged (README: only SB violations and errnos count there).
 */
export function flushWithoutIpi(
  f: FlushEvidence | undefined,
  share: number,
  emulated: string | null,
): { verdict: 'refuted' | 'inconclusive'; reason: Finding } | null {
  if (!f || (f.kind !== 'broadcast' && f.kind !== 'mixed') || emulated) return null;
  const what = `(${f.kind}: ${f.reason})`;
  if (share < MIN_SHARE) {
    return {
      verdict: 'refuted',
      reason: finding(
        'tlb-flush-without-ipi',
        `its TLB flushes went without IPIs ${what}, ` +
          `and every reader was interrupted in only ${pct(share)} of on-CPU calls`,
      ),
    };
  }
  return {
    verdict: 'inconclusive',
    reason: finding(
      'tlb-flush-signals-disagree',
      `the TLB-shootdown row says its flushes went without IPIs ${what}, ` +
        `yet the readers were interrupted in ${pct(share)} of on-CPU calls: the two signals disagree`,
    ),
  };
}
