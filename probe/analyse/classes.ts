// Evidence by topology class of the reader CPUs (plan/classes.ts). A barrier that reaches the
// writer's LLC but not another package shows as a pooled share of nearly 100% over most readers and
// ~0% for one class; grouping makes that visible in one line, and lets the verdict name the class.
// Also the positive control's power per reader: a reader where `none` never relaxed is a CPU where
// SB could not have seen a broken barrier, whatever the strategy's count says.
import type {
  ClassEvidence,
  ExperimentPlan,
  MachineFacts,
  ReaderClass,
  ReaderPower,
  RunEvidence,
  StrategyEvidence,
  TopologyClass,
} from '../records.js';
import { CLASS_ORDER } from '../plan/classes.js';
import { controlEvidence } from '../catalogue.js';
import { classesOf } from '../plan/readers.js';

/** The plan's reader classes; reports saved before the plan recorded them are classed from their topology now. */
export function readerClassesOf(facts: MachineFacts, plan: ExperimentPlan): ReaderClass[] {
  return plan.readerClasses ?? classesOf(plan.writerCpu, plan.readerCpus, facts.cpus.topology);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const outcomes = (h: { '00': number; '01': number; '10': number; '11': number }) =>
  h['00'] + h['01'] + h['10'] + h['11'];

export function classEvidence(e: StrategyEvidence, classes: ReaderClass[]): ClassEvidence[] {
  const classOf = new Map(classes.map((c) => [c.cpu, c.class]));
  const cpus = [...new Set([...e.sb.perReader.map((r) => r.cpu), ...(e.mechanism?.perReader ?? []).map((r) => r.cpu)])];
  const of = (c: number): TopologyClass => classOf.get(c) ?? 'unknown';
  return CLASS_ORDER.filter((k) => cpus.some((c) => of(c) === k)).map((k): ClassEvidence => {
    const sb = e.sb.perReader.filter((r) => of(r.cpu) === k);
    const mech = (e.mechanism?.perReader ?? []).filter(
      (r) => of(r.cpu) === k && r.interruptedShare !== null && r.onCpuCalls > 0,
    );
    const onCpu = sum(mech.map((r) => r.onCpuCalls));
    return {
      class: k,
      readers: cpus.filter((c) => of(c) === k),
      interruptedShare: onCpu ? sum(mech.map((r) => Math.round(r.interruptedShare! * r.onCpuCalls))) / onCpu : null,
      minInterruptedShare: mech.length ? Math.min(...mech.map((r) => r.interruptedShare!)) : null,
      onCpuCalls: onCpu,
      sbTrials: sum(sb.map((r) => outcomes(r.histogram))),
      sbViolations: sum(sb.map((r) => r.histogram['00'])),
    };
  });
}

export function byClass(run: RunEvidence, classes: ReaderClass[]): Record<string, ClassEvidence[]> {
  const out: Record<string, ClassEvidence[]> = {};
  for (const e of [...Object.values(run.strategies), ...Object.values(run.controls)])
    if (e.status === 'ok') out[e.id] = classEvidence(e, classes);
  return out;
}

export function readerPower(run: RunEvidence, classes: ReaderClass[]): ReaderPower[] | undefined {
  const none = controlEvidence(run, 'positive');
  if (!none || none.status !== 'ok') return undefined;
  const classOf = new Map(classes.map((c) => [c.cpu, c.class]));
  return none.sb.perReader.map((r) => {
    const trials = outcomes(r.histogram);
    return {
      cpu: r.cpu,
      class: classOf.get(r.cpu) ?? 'unknown',
      trials,
      relaxed: r.histogram['00'],
      relaxation: trials ? r.histogram['00'] / trials : null,
    };
  });
}

/** Readers where the positive control never relaxed: SB had no power at them. */
export function silentReaders(power: ReaderPower[] | undefined): ReaderPower[] {
  return (power ?? []).filter((p) => p.relaxed === 0);
}
