// Where the writer and readers run. A heavy barrier has to reach other physical cores, other
// LLC domains and other packages; SMT siblings share a core's store buffer partitioning and its
// interrupt delivery, so they are the weakest test. Readers are therefore placed on distinct
// cores first, spreading over LLC domains and packages, and on SMT siblings only when needed.
import type { CpuTopologyEntry } from '../records.js';

export interface Placement {
  writer: number;
  readers: number[];
  order: string[];
}

export function chooseCpus(usable: number[], topology: CpuTopologyEntry[], maxReaders: number | null, writer?: number): Placement {
  const topo = new Map(topology.map((t) => [t.cpu, t]));
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
  const readers: number[] = [];
  const limit = maxReaders ?? candidates.length;
  while (readers.length < limit) {
    const left = candidates.filter((c) => !readers.includes(c));
    if (!left.length) break;
    // Lexicographic preference: a core not used yet, the least-used LLC, the least-used package, lowest CPU.
    left.sort((a, b) =>
      Number(usedCores.has(core(a))) - Number(usedCores.has(core(b))) ||
      (usedLlc.get(llc(a)) ?? 0) - (usedLlc.get(llc(b)) ?? 0) ||
      (usedPkg.get(pkg(a)) ?? 0) - (usedPkg.get(pkg(b)) ?? 0) ||
      a - b,
    );
    const c = left[0];
    if (usedCores.has(core(c))) order.push(`reader on CPU ${c} shares a core with an earlier CPU (SMT sibling)`);
    readers.push(c);
    usedCores.add(core(c));
    usedLlc.set(llc(c), (usedLlc.get(llc(c)) ?? 0) + 1);
    usedPkg.set(pkg(c), (usedPkg.get(pkg(c)) ?? 0) + 1);
  }
  order.push(`readers on CPUs ${readers.join(', ') || 'none'}: distinct cores first, then spread over LLC domains and packages`);
  return { writer: w, readers, order };
}
