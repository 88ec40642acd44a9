// Where the writer and readers run. A heavy barrier has to reach other physical cores, other
// LLC domains and other packages; SMT siblings share the writer's core, so they are the weakest
// test, yet a barrier can still skip them. So: one reader in every topology class present here
// (classes.ts, farthest first), then the remaining slots on distinct cores first, spreading over
// LLC domains and packages, SMT siblings last. The default is a few readers, not every CPU: on a
// 384-CPU host, 383 readers cost memory, report size and time, and add no class the first few lack.
import type { CpuTopologyEntry, ReaderClass, TopologyClassCoverage } from '../records.js';
import { formatCpuList } from '../inspect/cpulist.js';
import { CLASS_ORDER, classify, indexTopology, topologyLimits } from './classes.js';

/** Readers when --readers is not given: enough to cover every class (at most six) with room to spread. */
export const DEFAULT_READERS = 8;

/** A reader count, or every usable CPU but the writer's. */
export type ReaderCount = number | 'all';

export interface Placement {
  writer: number;
  readers: number[];
  /** Why these CPUs, step by step. */
  order: string[];
  classes: ReaderClass[];
  coverage: TopologyClassCoverage[];
  limits: string[];
}

export function chooseCpus(
  usable: number[],
  topology: CpuTopologyEntry[],
  count: ReaderCount | null,
  writer?: number,
): Placement {
  const topo = indexTopology(topology);
  const w = writer ?? usable[0];
  const order: string[] = [`writer on CPU ${w}${writer === undefined ? ' (first usable CPU)' : ''}`];
  const core = (c: number) => {
    const t = topo.get(c);
    return t && t.package !== null && t.core !== null ? `${t.package}:${t.die ?? 0}:${t.core}` : `cpu${c}`;
  };
  const llc = (c: number) => {
    const t = topo.get(c);
    return t && t.llcShared.length ? t.llcShared.join(',') : `cpu${c}`;
  };
  const pkg = (c: number) => String(topo.get(c)?.package ?? c);
  const usedCores = new Set([core(w)]);
  const usedLlc = new Map<string, number>([[llc(w), 1]]);
  const usedPkg = new Map<string, number>([[pkg(w), 1]]);
  const candidates = usable.filter((c) => c !== w);
  const classOf = new Map(candidates.map((c) => [c, classify(w, c, topo)]));
  const limit = count === 'all' ? candidates.length : Math.min(count ?? DEFAULT_READERS, candidates.length);
  const readers: number[] = [];
  const taken = new Set<number>();
  const sharing: number[] = [];
  const place = (c: number) => {
    if (usedCores.has(core(c))) sharing.push(c);
    readers.push(c);
    taken.add(c);
    usedCores.add(core(c));
    usedLlc.set(llc(c), (usedLlc.get(llc(c)) ?? 0) + 1);
    usedPkg.set(pkg(c), (usedPkg.get(pkg(c)) ?? 0) + 1);
  };
  // Lexicographic preference: a core not used yet, the least-used LLC, the least-used package, lowest CPU.
  const best = (from: number[]) =>
    from.reduce((a, b) =>
      (Number(usedCores.has(core(b))) - Number(usedCores.has(core(a))) ||
        (usedLlc.get(llc(b)) ?? 0) - (usedLlc.get(llc(a)) ?? 0) ||
        (usedPkg.get(pkg(b)) ?? 0) - (usedPkg.get(pkg(a)) ?? 0) ||
        b - a) < 0
        ? b
        : a,
    );
  const present = CLASS_ORDER.filter((k) => candidates.some((c) => classOf.get(c) === k));
  for (const k of present) {
    if (readers.length >= limit) break;
    place(best(candidates.filter((c) => classOf.get(c) === k)));
  }
  while (readers.length < limit) place(best(candidates.filter((c) => !taken.has(c))));
  const classes = readers.map((cpu): ReaderClass => ({ cpu, class: classOf.get(cpu)! }));
  const coverage = present.map((k): TopologyClassCoverage => {
    const n = classes.filter((r) => r.class === k).length;
    return { class: k, cpus: candidates.filter((c) => classOf.get(c) === k).length, readers: n, covered: n > 0 };
  });
  const missed = coverage.filter((c) => !c.covered).map((c) => c.class);
  if (present.length) order.push(`one reader in each topology class present (${present.join(', ')}), farthest first`);
  if (missed.length)
    order.push(`${limit} reader${limit === 1 ? '' : 's'} cannot cover every class: ${missed.join(', ')} not covered`);
  // One line each, however many readers: `--readers all` on 384 CPUs must not make 190 lines of siblings.
  if (sharing.length)
    order.push(
      `reader${sharing.length === 1 ? '' : 's'} on CPU ${formatCpuList(sharing)} ` +
        `share${sharing.length === 1 ? 's' : ''} a core with the writer or an earlier reader (SMT sibling)`,
    );
  const list = readers.length > 16 ? formatCpuList(readers) : readers.join(', ');
  order.push(
    `readers on CPUs ${list || 'none'}: one per class, then distinct cores first, spread over LLC domains and packages`,
  );
  return { writer: w, readers, order, classes, coverage, limits: topologyLimits(w, candidates, topo) };
}

/** The class of each of `readers` relative to `writer`: for reports saved before the plan recorded it. */
export function classesOf(writer: number, readers: number[], topology: CpuTopologyEntry[]): ReaderClass[] {
  const topo = indexTopology(topology);
  return readers.map((cpu) => ({ cpu, class: classify(writer, cpu, topo) }));
}
