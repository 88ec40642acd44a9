// analyse: evidence in, verdicts and risks out. Pure: the same report always gives the same analysis,
// which is what lets `show` and `compare` re-judge saved evidence.
import type { Analysis, ExperimentPlan, MachineFacts, RunEvidence } from '../records.js';
import { judge } from './verdicts.js';
import { risksOf } from './risks.js';

// When /proc/interrupts could not be read, the kernel's own IPI counts are missing from the
// mechanism evidence: say so once, since every interrupted share then rests on the gap test alone.
function interruptNotes(run: RunEvidence): string[] {
  const all = [...Object.values(run.strategies), ...Object.values(run.controls)];
  return all.some((e) => e.mechanism && e.mechanism.irqPerCall === null && /not readable/.test(e.mechanism.irqSource))
    ? ['/proc/interrupts was not readable: the mechanism evidence rests on the readers\' gap test alone, without the kernel\'s IPI counts']
    : [];
}

export function analyse(facts: MachineFacts, plan: ExperimentPlan, run: RunEvidence): Analysis {
  const risks = risksOf(facts, plan);
  const verdicts: Analysis['verdicts'] = {};
  for (const [id, e] of Object.entries(run.strategies)) {
    const v = judge(e, run, plan.blocked, false);
    v.risks = risks.filter((r) => r.strategies.includes(id)).map((r) => r.id);
    verdicts[id] = v;
  }
  for (const [id, e] of Object.entries(run.controls)) verdicts[id] = judge(e, run, plan.blocked, true);
  // A planned strategy with no evidence still gets a verdict, and says why it has none.
  const missing = plan.blocked ?? (run.cancelled ? 'not run: the run was interrupted before this phase' : 'not run');
  for (const id of plan.strategies) {
    verdicts[id] ??= {
      strategy: id, verdict: 'inconclusive', reasons: [missing], risks: risks.filter((r) => r.strategies.includes(id)).map((r) => r.id),
      stats: { trials: 0, violations: 0, violationRateUpper95: null, latencyNs: null, detectionRateAtLatency: null, sbCouldCatchBroken: false,
        interruptedShare: null, interruptedShareLower95: null, onCpuCalls: 0, descheduledCalls: 0, nullControlShare: null, delayMatchedShare: null },
    };
  }
  const none = run.controls.none;
  return {
    verdicts,
    risks,
    positiveControl: { relaxed: (none?.sb.violations ?? 0) > 0, violations: none?.sb.violations ?? 0, trials: none?.sb.trials ?? 0 },
    notes: [...run.notes, ...(run.cancelled ? ['the run was interrupted: the report holds the phases that finished'] : []), ...interruptNotes(run)],
  };
}
