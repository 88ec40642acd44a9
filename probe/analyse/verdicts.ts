// One verdict per strategy (and, for the record, per control) from the run's evidence. The rules,
// in order (first that applies wins):
//   unavailable   the strategy's setup or call failed with an errno;
//   inconclusive  no reader could be placed, the phase failed, timed out or was cancelled;
//   refuted       any SB violation;
//   inconclusive  the positive control never relaxed (the test could not have seen a failure);
//   refuted       its interrupted share is near the null-syscall control's (the call interrupts nobody);
//   refuted       a page-table strategy whose TLB flushes sent no IPI (run/flush.ts: broadcast or mixed)
//                 while its readers went uninterrupted; inconclusive where those two signals disagree;
//   inconclusive  too few on-CPU calls to bound the miss rate, a reader below 99%, or a share not
//                 clearly above both the null-syscall and the delay-matched controls;
//   verified      otherwise; for strategies without a remote mechanism, only when SB alone had the
//                 power to catch a barrier as slow as this one.
// Where readers sit in more than one topology class (analyse/classes.ts), a refuted or
// inconclusive verdict names the classes that fell short, so "reaches the LLC, not the other
// package" reads as such rather than as a list of CPU numbers.
// A control is never verified: passing would mean the test cannot tell it from a barrier.
import type {
  ClassEvidence,
  FlushEvidence,
  RunEvidence,
  StrategyCapabilities,
  StrategyEvidence,
  Verdict,
  VerdictStats,
} from '../records.js';

type ControlKind = StrategyCapabilities['controlKind'];
import { formatCpuList } from '../inspect/cpulist.js';
import { detectionRateAt } from '../run/horizon.js';
import { lower95, upper95 } from './stats.js';
import { EMULATED_CPUS } from './emulation.js';
import { controlEvidence, controlKindOf } from '../catalogue.js';
import { delayMatchedKey } from '../plan/phases.js';
import { finding, type Finding } from '../codes.js';

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

function power(s: VerdictStats): Finding {
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
function nearNull(e: StrategyEvidence, s: VerdictStats, kind: ControlKind, classes?: ClassEvidence[]): Finding | null {
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
 * `emulated` names the emulator when the CPUs are emulated (analyse/emulation.ts): a share near
 * the null syscall's then times the emulator, not the call, so it refutes nothing.
 */
export function judge(
  e: StrategyEvidence,
  run: RunEvidence,
  blocked: Finding | null,
  isControl: boolean,
  classes?: ClassEvidence[],
  emulated: string | null = null,
): Verdict {
  const s = statsOf(e, run);
  const kind = controlKindOf(run, e.strategy);
  // One class says nothing a CPU list does not; two or more is where a class can fall short alone.
  const several = (classes?.length ?? 0) > 1;
  const short = several ? classShortfall(classes, MIN_SHARE) : [];
  const shortLine = short.length
    ? [finding('classes-short', `reader classes short of ${pct(MIN_SHARE)}: ${short.join('; ')}`)]
    : [];
  const classOf = new Map((classes ?? []).flatMap((c) => c.readers.map((cpu) => [cpu, c.class] as const)));
  const v = (verdict: Verdict['verdict'], ...reasons: Finding[]): Verdict => ({
    strategy: e.id,
    verdict,
    reasons,
    stats: s,
    risks: [],
  });
  if (blocked) return v('inconclusive', blocked);
  if (e.status === 'unavailable' && e.error) {
    return v(
      'unavailable',
      finding('strategy-unavailable', `${e.error.what} failed: ${e.error.code} (${e.error.meaning})`),
    );
  }
  if (e.status !== 'ok') {
    const [code, why] =
      e.status === 'pin-failed'
        ? (['pin-failed', 'readers could not be pinned'] as const)
        : e.status === 'timeout'
          ? (['phase-timeout', 'the phase timed out (watchdog)'] as const)
          : e.status === 'cancelled'
            ? (['phase-cancelled', 'the run was interrupted'] as const)
            : (['phase-failed', 'the phase failed'] as const);
    return v('inconclusive', finding(code, `${why}${e.error ? `: ${e.error.code} ${e.error.what}` : ''}`));
  }
  if (s.violations > 0) {
    const hollow = emulated ? null : nearNull(e, s, kind, classes);
    const perClass = classViolations(classes);
    return v(
      'refuted',
      finding('sb-violations', `${s.violations} SB violations in ${s.trials} trials: it failed to order a reader`),
      ...(perClass ? [perClass] : []),
      ...(hollow ? [hollow, ...shortLine] : []),
      power(s),
    );
  }
  const none = controlEvidence(run, 'positive');
  if (!none || none.sb.violations === 0) {
    return v(
      'inconclusive',
      finding(
        'positive-control-silent',
        'the positive control never relaxed: this run could not have seen a broken barrier',
      ),
      power(s),
    );
  }
  const m = e.mechanism;
  const capped = (r: Verdict): Verdict =>
    isControl && r.verdict === 'verified'
      ? {
          ...r,
          verdict: 'inconclusive',
          reasons: [
            finding(
              'control-not-barrier',
              'a control is not a barrier: the test could not tell this one from a working barrier',
            ),
            ...r.reasons,
          ],
        }
      : r;
  if (!e.remoteInterruption) {
    if (s.sbCouldCatchBroken)
      return capped(
        v(
          'verified',
          finding('sb-had-power', 'no SB violation, and SB had the power to see one at this latency'),
          power(s),
        ),
      );
    return v(
      'inconclusive',
      finding(
        'sb-no-power',
        'no SB violation, but SB has no power at this latency and there is no remote mechanism to measure',
      ),
      power(s),
    );
  }
  if (!m || s.interruptedShare === null)
    return v(
      'inconclusive',
      finding('no-on-cpu-call', 'no call ran with every reader on its CPU: no mechanism evidence'),
      power(s),
    );
  const nul = kind === 'null-call' ? null : s.nullControlShare;
  const hollow = nearNull(e, s, kind, classes);
  if (hollow && emulated) {
    return v(
      'inconclusive',
      finding(
        'emulated-near-null',
        `${EMULATED_CPUS} (${emulated}): every reader was interrupted in only ${pct(s.interruptedShare)} of on-CPU ` +
          `calls, near the null syscall's ${pct(nul!)}, ` +
          "but a reader's clock gaps time the emulator there, so that refutes nothing",
      ),
      ...shortLine,
      power(s),
    );
  }
  if (hollow) return v('refuted', hollow, ...shortLine, power(s));
  if (kind === 'null-call')
    return v(
      'refuted',
      finding('null-control-orders-nothing', 'getpid orders nothing on other CPUs (the null control)'),
      power(s),
    );
  const noIpi = flushWithoutIpi(m.flush, s.interruptedShare, emulated);
  if (noIpi) return v(noIpi.verdict, noIpi.reason, ...shortLine, power(s));
  const reasons: Finding[] = [];
  const low = m.perReader.filter((r) => r.interruptedShare === null || r.interruptedShare < MIN_SHARE);
  const where = (cpu: number) => (several && classOf.has(cpu) ? `${classOf.get(cpu)}, ` : '');
  // Hundreds of readers can fall short together: name the first few, count the rest (the per-class line sums them up).
  const more = low.length > MAX_NAMED ? ` and ${low.length - MAX_NAMED} more` : '';
  if (low.length)
    reasons.push(
      finding(
        'reader-short',
        `reader CPU ${low
          .slice(0, MAX_NAMED)
          .map(
            (r) =>
              `${r.cpu} (${where(r.cpu)}${r.interruptedShare === null ? 'no on-CPU call' : pct(r.interruptedShare)})`,
          )
          .join(', ')}${more} was interrupted in under 99% of its on-CPU calls`,
      ),
      ...shortLine,
    );
  if ((s.interruptedShareLower95 ?? 0) < MIN_SHARE_LOWER95) {
    reasons.push(
      finding(
        'too-few-calls',
        `${s.onCpuCalls} on-CPU calls are too few to bound the miss rate (95% lower ` +
          `bound ${pct(s.interruptedShareLower95 ?? 0)})`,
      ),
    );
  }
  const dm = kind === 'delay-matched' ? null : s.delayMatchedShare;
  if (nul !== null && s.interruptedShare < nul + CLEAR_MARGIN) {
    reasons.push(
      finding(
        'not-above-null',
        `its interrupted share ${pct(s.interruptedShare)} is not clearly above the null syscall's ${pct(nul)}`,
      ),
    );
  }
  if (dm !== null && s.interruptedShare < dm + CLEAR_MARGIN) {
    reasons.push(
      finding(
        'not-above-delay-matched',
        `its interrupted share ${pct(s.interruptedShare)} is not clearly above the delay-matched ` +
          `control's ${pct(dm)}: a spin as long is interrupted as often`,
      ),
    );
  }
  if (dm === null && !isControl) reasons.push(finding('no-delay-matched', 'no delay-matched control ran for it'));
  if (reasons.length) return v('inconclusive', ...reasons, power(s));
  return capped(
    v(
      'verified',
      finding(
        'all-readers-interrupted',
        `every reader was interrupted in ${pct(s.interruptedShare)} of ${s.onCpuCalls} on-CPU calls (95% lower ` +
          `bound ${pct(s.interruptedShareLower95!)}), against ${pct(nul ?? 0)} for the null syscall ` +
          `and ${pct(dm ?? 0)} for a spin as long`,
      ),
      power(s),
    ),
  );
}

/**
 * A page-table strategy's second signal (run/flush.ts): flushes that sent no TLB-shootdown IPI
 * (broadcast, or a switch to it part-way) reached no reader by IPI. With the gap test agreeing
 * (readers not interrupted) that refutes it; where the two disagree the verdict stays open. Under
 * emulation neither is judged (README: only SB violations and errnos count there).
 */
function flushWithoutIpi(
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
