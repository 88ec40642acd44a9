// analyse: evidence in, verdicts and risks out. Pure: the same evidence always gives the same
// analysis, so a library caller may re-judge a saved report's evidence with buildReport (`show` and
// `compare` do not: they use the analysis the report was saved with).
import type { Analysis, ExperimentPlan, MachineFacts, RunEvidence } from '../records.js';
import { judge, MAX_NAMED } from './verdicts.js';
import { risksOf } from './risks.js';
import { checksOf } from './checks.js';
import { byClass, readerClassesOf, readerPower, silentReaders } from './classes.js';
import { EMULATED_CPUS, emulatedCpus } from './emulation.js';
import { capsOf, catalogueOf, controlEvidence } from '../catalogue.js';
import { finding, type Finding } from '../codes.js';
import { DEFECT_ID, orderCounts, orderVerdict, readOrder } from './registration-order.js';
import { defectsFor } from './defects.js';

// When /proc/interrupts could not be read, the kernel's own IPI counts are missing from the
// mechanism evidence: say so once, since every interrupted share then rests on the gap test alone.
function interruptNotes(run: RunEvidence): Finding[] {
  const all = [...Object.values(run.strategies), ...Object.values(run.controls)];
  return all.some((e) => e.mechanism && !e.mechanism.irqReadable)
    ? [
        finding(
          'irq-unreadable',
          "/proc/interrupts was not readable: the mechanism evidence rests on the readers' gap test alone, without " +
            "the kernel's IPI counts",
        ),
      ]
    : [];
}

// The positive control relaxed overall, yet not at every reader: SB had no power at those CPUs,
// so their zero violations mean nothing and only the mechanism evidence speaks for them.
function powerNotes(power: ReturnType<typeof readerPower>): Finding[] {
  const silent = silentReaders(power);
  if (!silent.length || silent.length === power!.length) return [];
  const named = silent
    .slice(0, MAX_NAMED)
    .map((p) => `${p.cpu} (${p.class}, ${p.trials} trials)`)
    .join(', ');
  const more = silent.length > MAX_NAMED ? ` and ${silent.length - MAX_NAMED} more` : '';
  return [
    finding(
      'reader-without-power',
      `the positive control never relaxed at reader CPU ${named}${more}: SB could not have seen a broken barrier there`,
    ),
  ];
}

/** The registration-order test's counts, by pattern, once per report (the verdict's reasons hold them too). */
function orderNotes(run: RunEvidence, facts: MachineFacts): Finding[] {
  const o = run.registrationOrder;
  if (!o) return [];
  const counts = finding(
    'order-counts',
    `registration-order test of ${o.strategy} (fresh processes, writer CPU ${o.writerCpu}, reader CPU ` +
      `${o.readerCpu}, ${o.callsPerAttempt} calls each): ${orderCounts(readOrder(o)) || 'no attempt was measured'}`,
  );
  // Its later phases (scaling, contention) start new readers where earlier phases' readers exited: the failing order.
  const later = defectsFor(facts).some((d) => d.id === DEFECT_ID)
    ? [
        finding(
          'order-later-phases',
          `${o.strategy}'s scaling and contention phases start new reader threads on CPUs ` +
            "where earlier phases' threads exited, the order that fails on this kernel: their latencies may be " +
            'those of calls ' +
            'that skipped a reader',
        ),
      ]
    : [];
  return [counts, ...later];
}

/** A CPU that came online or went offline mid-run: no phase knows which CPUs it had to reach. */
export function hotplugReason(run: RunEvidence): Finding | null {
  const o = run.onlineCpus;
  return o && o.before !== o.after
    ? finding(
        'cpu-set-changed',
        `the online CPU set changed during the run (${o.before || 'none'} → ${o.after || 'none'}): no phase knows ` +
          `which CPUs its barrier had to reach`,
      )
    : null;
}

export function analyse(facts: MachineFacts, plan: ExperimentPlan, run: RunEvidence): Analysis {
  const risks = risksOf(facts, plan, catalogueOf(run));
  const verdicts: Analysis['verdicts'] = {};
  const blocked = plan.blocked ? finding('run-blocked', plan.blocked) : hotplugReason(run);
  const readerClasses = readerClassesOf(facts, plan);
  const classes = byClass(run, readerClasses);
  const power = readerPower(run, readerClasses);
  const emulated = emulatedCpus(facts);
  for (const [id, e] of Object.entries(run.strategies)) {
    const v = judge(e, run, blocked, false, classes[id], emulated);
    v.risks = risks.filter((r) => r.strategies.includes(id)).map((r) => r.id);
    verdicts[id] = v;
  }
  for (const [id, e] of Object.entries(run.controls))
    verdicts[id] = judge(e, run, blocked, true, classes[id], emulated);
  // A planned strategy with no evidence still gets a verdict, and says why it has none.
  const missing =
    blocked ??
    (run.cancelled
      ? finding('not-reached', 'not run: the run was interrupted before this phase')
      : finding('not-run', 'not run'));
  for (const id of plan.strategies) {
    // A phase the run skipped (late, calibration failed) says why in its own words.
    const skip = run.phases?.find((p) => p.key === id)?.skip;
    verdicts[id] ??= {
      strategy: id,
      verdict: 'inconclusive',
      reasons: [blocked ?? (skip ? finding(`skipped-${skip.code}`, skip.reason) : missing)],
      risks: risks.filter((r) => r.strategies.includes(id)).map((r) => r.id),
      stats: {
        trials: 0,
        violations: 0,
        violationRateUpper95: null,
        latencyNs: null,
        detectionRateAtLatency: null,
        sbCouldCatchBroken: false,
        interruptedShare: null,
        interruptedShareLower95: null,
        onCpuCalls: 0,
        descheduledCalls: 0,
        nullControlShare: null,
        delayMatchedShare: null,
      },
    };
  }
  // Its own phase registered in the order that works (or was skipped); the test in fresh processes judges the
  // orders that fail, so the verdict rests on that test whatever the phase met.
  for (const [id, v] of Object.entries(verdicts)) {
    const sensitive = capsOf(catalogueOf(run), id)?.registrationOrderSensitive === true && !blocked;
    if (sensitive && run.registrationOrder?.strategy === id)
      verdicts[id] = orderVerdict(v, run.registrationOrder, facts);
  }
  const none = controlEvidence(run, 'positive');
  return {
    verdicts,
    byClass: classes,
    ...(power ? { readerPower: power } : {}),
    risks,
    positiveControl: {
      relaxed: (none?.sb.violations ?? 0) > 0,
      violations: none?.sb.violations ?? 0,
      trials: none?.sb.trials ?? 0,
    },
    checks: checksOf(facts, { plan, run, verdicts, risks }),
    notes: [
      ...run.notes,
      ...orderNotes(run, facts),
      ...(blocked && !plan.blocked ? [blocked] : []),
      ...(run.cancelled
        ? [finding('run-interrupted', 'the run was interrupted: the report holds the phases that finished')]
        : []),
      ...interruptNotes(run),
      ...powerNotes(power),
      ...(emulated
        ? [
            finding(
              'emulated-cpus',
              `${EMULATED_CPUS} (${emulated}): latencies and the gap test's interrupted shares measure the ` +
                `emulator, so no verdict is refuted on timing alone`,
            ),
          ]
        : []),
    ],
  };
}
