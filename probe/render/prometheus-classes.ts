// The per-topology-class families of the Prometheus exposition (and the positive control's power
// per reader CPU, only up to PER_CPU_READERS readers): bounded at any reader count.
import type { Report } from '../records.js';
import { reportClasses } from './class-rows.js';
import type { Exposition } from './prometheus-exposition.js';

export function classSeries(x: Exposition, report: Report, perCpu: boolean): void {
  const SC = ['strategy', 'class'] as const;
  const classCpus = x.gauge(
    'topology_class_cpus',
    'Usable CPUs of each topology class relative to the writer (other-package, other-llc, same-llc, smt-sibling...).',
    ['class'],
  );
  const classCovered = x.gauge(
    'topology_class_covered',
    '1 if the run placed a reader in this topology class, 0 if the class exists here but had none.',
    ['class'],
  );
  const classReaders = x.gauge('class_reader_cpus', 'Reader CPUs the run placed in each topology class.', ['class']);
  const classInterrupted = x.gauge(
    'class_interrupted_ratio',
    "Per topology class: share of on-CPU calls that interrupted the class's readers, pooled over them.",
    SC,
  );
  const classMin = x.gauge(
    'class_min_interrupted_ratio',
    "Per topology class: the weakest reader's share of interrupted on-CPU calls.",
    SC,
  );
  const classOnCpu = x.gauge(
    'class_on_cpu_calls',
    "Per topology class: on-CPU calls summed over the class's readers.",
    SC,
  );
  const classTrials = x.gauge(
    'class_sb_trials',
    "Per topology class: SB outcomes observed by the class's readers.",
    SC,
  );
  const classViolations = x.gauge(
    'class_sb_violations',
    "Per topology class: SB 00 outcomes observed by the class's readers.",
    SC,
  );
  const powerCpu = x.gauge(
    'positive_control_reader_relaxation_ratio',
    "Per reader CPU: share of the positive control's SB outcomes there that relaxed (00); 0 means SB had no power " +
      'at that CPU.',
    ['cpu', 'class'],
  );
  const powerClass = x.gauge(
    'positive_control_class_relaxation_ratio',
    "Per topology class: share of the positive control's SB outcomes that relaxed (00), pooled over the class's " +
      'readers.',
    ['class'],
  );
  const powerSilent = x.gauge(
    'positive_control_silent_readers',
    'Reader CPUs at which the positive control never relaxed (SB could not see a broken barrier there).',
    [],
  );

  const cls = reportClasses(report);
  for (const c of report.plan.topologyClasses ?? []) {
    classCpus([c.class], c.cpus);
    classCovered([c.class], c.covered);
  }
  for (const k of new Set(cls.classes.map((c) => c.class)))
    classReaders([k], cls.classes.filter((c) => c.class === k).length);
  for (const [id, list] of Object.entries(cls.evidence)) {
    for (const c of list) {
      classInterrupted([id, c.class], c.interruptedShare);
      classMin([id, c.class], c.minInterruptedShare);
      if (c.interruptedShare !== null) classOnCpu([id, c.class], c.onCpuCalls);
      classTrials([id, c.class], c.sbTrials);
      classViolations([id, c.class], c.sbViolations);
    }
  }
  if (cls.power.length) {
    for (const p of perCpu ? cls.power : []) powerCpu([String(p.cpu), p.class], p.relaxation);
    for (const k of new Set(cls.power.map((p) => p.class))) {
      const ps = cls.power.filter((p) => p.class === k),
        trials = ps.reduce((a, p) => a + p.trials, 0);
      powerClass([k], trials ? ps.reduce((a, p) => a + p.relaxed, 0) / trials : null);
    }
    powerSilent([], cls.power.filter((p) => p.relaxed === 0).length);
  }
}
