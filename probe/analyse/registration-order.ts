// The registration-order test's reading (run/registration-order.ts gathers it) and what it does to the
// verdict of a registration-order-sensitive strategy. The run's own phase of such a strategy registers
// once its readers are running, the order the kernel handles; whether the orders that fail were
// triggered depends on whether the reader's CPU sat idle, which a busy machine seldom lets it. So the
// verdict rests on the test, not on the phase:
//   refuted       a failing order missed calls that the working order reached: a kernel defect, named;
//   inconclusive  the working order itself missed calls (no order reached the reader: not this defect), or
//                 the kernel is in the defect's range and the test did not trigger it this time: the
//                 phase's own success then proves nothing about the orders that fail;
//   unchanged     otherwise (a kernel outside the range where every order held), with the counts added.
// Under emulated CPUs the counts time the emulator: never refuted or verified on them.
import type { MachineFacts, RegistrationOrderEvidence, RegistrationOrderPattern, Verdict } from '../records.js';
import { defectsFor } from './defects.js';
import { pct } from './verdicts.js';
import { finding, type Finding } from '../codes.js';
import { EMULATED_CPUS, emulatedCpus } from './emulation.js';

/** A failing order shows the defect when one attempt missed at least this many on-CPU calls (the working order
 * missed none in 50 attempts here). */
export const SHOWN_MISSED_CALLS = 10;
/** The working order must reach the reader in this share of its pooled on-CPU calls. */
export const WORKING_MIN_SHARE = 0.99;
/** ... over at least this many on-CPU calls. */
export const WORKING_MIN_CALLS = 100;
export const DEFECT_ID = 'global-expedited-stale-runqueue-state';

export interface OrderPatternSummary {
  pattern: RegistrationOrderPattern;
  attempts: number;
  /** Attempts whose child reported counts with no failed step. */
  measured: number;
  /** Measured attempts that missed SHOWN_MISSED_CALLS or more on-CPU calls. */
  missed: number;
  calls: number;
  onCpuCalls: number;
  reached: number;
}

export interface OrderReading {
  patterns: OrderPatternSummary[];
  /** The working order reached the reader (register-after-reader). */
  workingReaches: boolean;
  /** The failing orders that missed calls in some attempt. */
  failing: RegistrationOrderPattern[];
  /** failing is non-empty and the working order reaches: the defect, shown. */
  shown: boolean;
}

const PATTERNS: RegistrationOrderPattern[] = [
  'register-before-reader',
  'register-after-reader',
  'reader-replaced-after-register',
];
const WORDS: Record<RegistrationOrderPattern, string> = {
  'register-before-reader': 'registering before the reader started (a thread had run on its CPU and exited)',
  'register-after-reader': 'registering once the reader was running on its CPU',
  'reader-replaced-after-register':
    'registering once the reader ran, then replacing that reader by a new thread on its CPU',
};

export function readOrder(e: RegistrationOrderEvidence): OrderReading {
  const patterns = PATTERNS.map((pattern): OrderPatternSummary => {
    const all = e.attempts.filter((a) => a.pattern === pattern);
    const ok = all.filter((a) => a.reported && a.errno === 0 && a.step === 0 && a.end === 'exited');
    return {
      pattern,
      attempts: all.length,
      measured: ok.length,
      missed: ok.filter((a) => a.onCpuCalls - a.reached >= SHOWN_MISSED_CALLS).length,
      calls: ok.reduce((n, a) => n + a.calls, 0),
      onCpuCalls: ok.reduce((n, a) => n + a.onCpuCalls, 0),
      reached: ok.reduce((n, a) => n + a.reached, 0),
    };
  });
  const working = patterns.find((p) => p.pattern === 'register-after-reader')!;
  const workingReaches =
    working.onCpuCalls >= WORKING_MIN_CALLS && working.reached >= WORKING_MIN_SHARE * working.onCpuCalls;
  const failing = patterns.filter((p) => p.pattern !== 'register-after-reader' && p.missed > 0).map((p) => p.pattern);
  return { patterns, workingReaches, failing, shown: workingReaches && failing.length > 0 };
}

/** "missed the reader in 3 of 4 fresh processes (41 of 1596 on-CPU calls reached it)". */
function counts(p: OrderPatternSummary, missed: boolean): string {
  const n = missed ? p.missed : p.measured;
  const share = p.onCpuCalls ? `, ${pct(p.reached / p.onCpuCalls)}` : '';
  return (
    `${missed ? 'missed the reader' : 'reached it'} in ${n} of ${p.measured} ` +
    `fresh process${p.measured === 1 ? '' : 'es'} (${p.reached} of ${p.onCpuCalls} on-CPU calls reached it${share})`
  );
}

/** The sentence of counts for every pattern, for notes and reports. */
export function orderCounts(r: OrderReading): string {
  return r.patterns
    .filter((p) => p.measured > 0)
    .map((p) => `${WORDS[p.pattern]}: ${counts(p, p.pattern !== 'register-after-reader')}`)
    .join('; ');
}

const ADVICE_TEXT =
  'what to do: within one process use membarrier-private-expedited (it targets CPUs by the task ' +
  'running there, not by a cache); across processes no registration order is safe here: registering after every ' +
  'reading thread runs on its CPU held, but a reading thread that exits and is replaced, or moves to a CPU that ' +
  "idled with the process's memory, is skipped again, so use a full fence on the read side (symmetric-fence)";
const ADVICE = finding('order-advice', ADVICE_TEXT);

/**
 * The verdict of a registration-order-sensitive strategy, given the test's evidence (null: it did not run, and the
 * verdict stays as the phase made it). `facts` decides whether the kernel is in the defect's range.
 */
export function orderVerdict(
  v: Verdict,
  e: RegistrationOrderEvidence | null | undefined,
  facts: MachineFacts,
): Verdict {
  if (!e || v.verdict === 'unavailable') return v;
  const r = readOrder(e);
  const phase = finding(
    'order-phase-verdict',
    `this run's own phase (registered once its readers ran): ${v.verdict}, ` +
      `${v.reasons[0]?.text ?? 'no reason given'}`,
  );
  const rest = v.reasons.slice(1);
  const inRange = defectsFor(facts).some((d) => d.id === DEFECT_ID);
  const known = inRange ? `; Linux ${facts.kernel.release} is in the range of the known defect ${DEFECT_ID}` : '';
  const notVerified = (...reasons: Finding[]): Verdict => ({
    ...v,
    verdict: v.verdict === 'verified' ? 'inconclusive' : v.verdict,
    reasons,
  });
  // Under an emulator a reader's gaps time the emulator, so even the working order misses calls: the counts neither
  // show the defect nor clear it (the project's rule for every share under emulation).
  const emulated = emulatedCpus(facts);
  if (emulated) {
    const reason =
      `${EMULATED_CPUS} (${emulated}): the registration-order test's gap test times the emulator, ` +
      `so its counts neither show nor clear the defect (${orderCounts(r) || 'no attempt was measured'})${known}`;
    return notVerified(finding('order-emulated', reason), ...(inRange ? [ADVICE] : []), phase, ...rest);
  }
  if (r.shown) {
    const failed = r.patterns
      .filter((p) => r.failing.includes(p.pattern))
      .map((p) => `${WORDS[p.pattern]} ${counts(p, true)}`);
    const working = r.patterns.find((p) => p.pattern === 'register-after-reader')!;
    const where = facts.sandbox.gvisor ? "a defect of gVisor's membarrier" : 'a kernel defect';
    return {
      ...v,
      verdict: 'refuted',
      reasons: [
        finding(
          'order-defect-shown',
          `${where}, not a call that does nothing: GLOBAL_EXPEDITED failed in the order ${failed.join(', and ')}; ` +
            `yet ${WORDS['register-after-reader']} ${counts(working, false)}`,
        ),
        finding(
          'order-cause',
          'cause: the kernel picks target CPUs by a per-runqueue cache of the registration, which a CPU ' +
            "idling with the process's memory keeps stale, so a thread switched in there from idle is skipped " +
            '(known defect ' +
            `${DEFECT_ID}: kernel/sched/membarrier.c membarrier_global_expedited, sched.h membarrier_switch_mm)`,
        ),
        ADVICE,
        phase,
        ...rest,
      ],
    };
  }
  const working = r.patterns.find((p) => p.pattern === 'register-after-reader')!;
  const calls = r.patterns.reduce((n, p) => n + p.calls, 0);
  const onCpu = r.patterns.reduce((n, p) => n + p.onCpuCalls, 0);
  // The reader switched out during most calls: other processes had its CPU, so it never sat idle, and the failing
  // orders could not be set up (a task of another process switched in there refreshes the cache).
  const ends = [...new Set(e.attempts.map((a) => a.end))].join(', ');
  const busy =
    calls === 0
      ? `no attempt was measured (${e.attempts.length} child process${e.attempts.length === 1 ? '' : 'es'}, ` +
        `ended: ${ends || 'none'})`
      : onCpu < calls
        ? `the reader was on its CPU during ${onCpu} of ${calls} calls (its CPU was busy with other processes)`
        : `the reader was on its CPU during all ${calls} calls`;
  if (working.onCpuCalls < WORKING_MIN_CALLS) {
    const reason = finding(
      'order-too-little-evidence',
      `the registration-order test had too little evidence: ${busy}${known}`,
    );
    return notVerified(reason, ...(inRange ? [ADVICE] : []), phase, ...rest);
  }
  if (!r.workingReaches) {
    const reason =
      'GLOBAL_EXPEDITED missed the reader even when the process registered after it ran ' +
      `(${counts(working, false)}): not the registration-order defect; the call reaches too few CPUs`;
    return notVerified(finding('order-working-misses', reason), phase, ...rest);
  }
  if (inRange) {
    const reason =
      `the registration-order test did not trigger the known defect ${DEFECT_ID} this time ` +
      `(${orderCounts(r)}; ${busy}): the failing orders need the reader's CPU idle, and Linux ` +
      `${facts.kernel.release} is in the defect's range, so a run that did not see it cannot clear it`;
    return notVerified(finding('order-not-triggered', reason), ADVICE, phase, ...rest);
  }
  return {
    ...v,
    reasons: [
      ...v.reasons,
      finding('order-all-reached', `every registration order reached the reader: ${orderCounts(r)}`),
    ],
  };
}
