// Topology classes: where a CPU sits relative to the writer's. A heavy barrier is only as good as
// the farthest CPU it reaches, and the ways barriers fall short follow the hardware's shape (an IPI
// that stays in a package, a flush confined to one LLC's CPUs, SMT siblings that share the writer's
// core and see its stores early). So the plan gives each class present at least one reader, and the
// analysis judges each class apart. Pure: the inspect stage's topology record in, classes out.
import type { CpuTopologyEntry, TopologyClass } from '../records.js';
import { formatCpuList } from '../inspect/cpulist.js';

/** Farthest first: the order classes are seeded with readers and shown in reports. */
export const CLASS_ORDER: readonly TopologyClass[] = [
  'other-package',
  'other-llc',
  'same-package',
  'same-llc',
  'smt-sibling',
  'unknown',
];

export type TopologyIndex = Map<number, CpuTopologyEntry>;

export const indexTopology = (topology: CpuTopologyEntry[]): TopologyIndex => new Map(topology.map((t) => [t.cpu, t]));

/** The class of `cpu` relative to the writer's CPU, from what the topology record holds and nothing more. */
export function classify(writer: number, cpu: number, topo: TopologyIndex): TopologyClass {
  const w = topo.get(writer),
    c = topo.get(cpu);
  if (!w || !c) return 'unknown';
  // Siblings from the kernel's own list when recorded; otherwise the same package, die and core id.
  const sibling =
    w.threadSiblings.length > 1 || c.threadSiblings.length > 1
      ? w.threadSiblings.includes(cpu) || c.threadSiblings.includes(writer)
      : w.package !== null &&
        w.core !== null &&
        w.package === c.package &&
        (w.die ?? 0) === (c.die ?? 0) &&
        w.core === c.core;
  if (sibling) return 'smt-sibling';
  if (w.package !== null && c.package !== null && w.package !== c.package) return 'other-package';
  if (w.llcShared.length && c.llcShared.length) return w.llcShared.includes(cpu) ? 'same-llc' : 'other-llc';
  return w.package !== null && w.package === c.package ? 'same-package' : 'unknown';
}

/**
 * What the record cannot tell apart, said once in the plan. inspect records package, die, core, SMT
 * siblings and the LLC's CPUs, not NUMA nodes: a reader on another node of the writer's package is
 * classed by its LLC (on AMD EPYC 7451, one node holds two LLCs, so it is other-llc either way).
 */
export function topologyLimits(writer: number, cpus: number[], topo: TopologyIndex): string[] {
  const out: string[] = [];
  if (!cpus.length) return out;
  // Only where there is more than one package or LLC: on a one-LLC guest there is no node to tell apart.
  const all = [writer, ...cpus];
  const domains = new Set(
    all.map((c) => {
      const t = topo.get(c);
      return `${t?.package ?? '?'}/${t?.llcShared.join(',') ?? ''}`;
    }),
  );
  if (domains.size > 1)
    out.push(
      'NUMA nodes are not in the topology record: readers are classed by package and last-level cache, so another ' +
        "NUMA node of the writer's package counts as other-llc (or same-package where the LLC is unknown)",
    );
  const noLlc = all.filter((c) => topo.get(c) && !topo.get(c)!.llcShared.length);
  if (noLlc.length)
    out.push(
      `the last-level cache of CPU ${formatCpuList(noLlc)} is not recorded (no sysfs cache files): same-llc and ` +
        `other-llc cannot be told apart there (classed same-package)`,
    );
  const bare = all.filter((c) => {
    const t = topo.get(c);
    return !t || t.package === null;
  });
  if (bare.length)
    out.push(
      `no package is recorded for CPU ${formatCpuList(bare)}: those readers are classed unknown unless their LLC or ` +
        `SMT siblings place them`,
    );
  return out;
}
