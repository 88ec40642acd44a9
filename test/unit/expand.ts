// Many readers from one real run: the recorded 2-vCPU report (test/fixtures/reports/kvm-intel-xeon-2vcpu-default.json)
// has one reader; big hosts have hundreds. This copies each phase's one recorded reader (its SB
// histogram, its interruption figures) to every CPU of a synthetic reader list, each with a class,
// so the analysis and the renderers meet the shapes of a 384-CPU run with real per-reader numbers.
// Only the reader list is made up; what each reader shows is what CPU 1 showed in that run.
import type { ReaderClass, Report, TopologyClass } from '../../probe/records.js';
import { CLASS_ORDER } from '../../probe/plan/classes.js';
import { localReport } from './fixtures.js';

export const recordedReport = (): Report => localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');

/** `n` readers (CPUs 1..n), classed round-robin over `classes` in the order given. */
export function syntheticClasses(n: number, classes: TopologyClass[]): ReaderClass[] {
  return Array.from({ length: n }, (_, i) => ({ cpu: i + 1, class: classes[i % classes.length] }));
}

export function expandReaders(r: Report, readers: ReaderClass[]): Report {
  const out = structuredClone(r);
  const cpus = readers.map((x) => x.cpu);
  out.plan.readerCpus = cpus;
  out.plan.readerClasses = readers;
  out.plan.topologyClasses = CLASS_ORDER.filter((k) => readers.some((x) => x.class === k)).map((k) => {
    const n = readers.filter((x) => x.class === k).length;
    return { class: k, cpus: n, readers: n, covered: true };
  });
  out.results.cpus.readers = cpus;
  for (const e of [...Object.values(out.results.strategies), ...Object.values(out.results.controls)]) {
    const sb = e.sb.perReader[0];
    if (sb) e.sb.perReader = cpus.map((cpu) => ({ ...structuredClone(sb), cpu }));
    const m = e.mechanism?.perReader[0];
    if (m) e.mechanism!.perReader = cpus.map((cpu) => ({ ...m, cpu }));
  }
  return out;
}
