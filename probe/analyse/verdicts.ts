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
import type { ClassEvidence, RunEvidence, StrategyEvidence, Verdict } from '../records.js';
import { EMULATED_CPUS } from './emulation.js';
import { controlEvidence, controlKindOf } from '../catalogue.js';
import { finding, type Finding } from '../codes.js';
import {
  CLEAR_MARGIN,
  classShortfall,
  classViolations,
  flushWithoutIpi,
  MAX_NAMED,
  MIN_SHARE,
  MIN_SHARE_LOWER95,
  nearNull,
  pct,
  power,
  statsOf,
} from './verdict-evidence.js';

// The thresholds and evidence tests live in verdict-evidence.ts; other modules import them from here too.
export {
  CLEAR_MARGIN,
  classShortfall,
  classViolations,
  EXPECTED_WITNESSES,
  isNearNull,
  MAX_NAMED,
  MIN_SHARE,
  MIN_SHARE_LOWER95,
  NEAR_MARGIN,
  nullHasPower,
  pct,
  statsOf,
  us,
} from './verdict-evidence.js';

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
