// Per-CPU topology from /sys/devices/system/cpu/cpuN/{topology,cache}. The engine places readers
// across physical cores, then LLC domains and packages, before SMT siblings, so it needs all of
// it. The parser takes a map of "cpuN/<path>" → file contents: the reader fills it from sysfs,
// tests fill it from captured dumps. Where sysfs is hidden (some sandboxes), /proc/cpuinfo's
// "physical id"/"core id" give package and core, and the LLC stays unknown.
import type { CpuTopologyEntry } from '../records.js';
import { parseCpuList } from './cpulist.js';
import type { CpuinfoBlock } from './cpuinfo.js';
import { processorBlocks } from './cpuinfo.js';

export type SysfsDump = Map<string, string>;

const TOPOLOGY_FILES = ['physical_package_id', 'die_id', 'cluster_id', 'core_id', 'thread_siblings_list'];

/** The relative paths the reader should fetch for one CPU, given its cache index directories. */
export function topologyPaths(cpu: number, cacheIndexes: string[]): string[] {
  const base = `cpu${cpu}`;
  return [
    ...TOPOLOGY_FILES.map((f) => `${base}/topology/${f}`),
    ...cacheIndexes.flatMap((ix) => ['level', 'type', 'shared_cpu_list'].map((f) => `${base}/cache/${ix}/${f}`)),
  ];
}

const num = (v: string | undefined): number | null => {
  if (v === undefined) return null;
  const n = Number(v.trim());
  return Number.isInteger(n) ? n : null;
};

function llcOf(dump: SysfsDump, cpu: number): { level: number | null; shared: number[] } {
  const prefix = `cpu${cpu}/cache/`;
  const indexes = new Map<string, { level: number | null; type: string | null; shared: string | null }>();
  for (const [k, v] of dump) {
    if (!k.startsWith(prefix)) continue;
    const [ix, file] = k.slice(prefix.length).split('/');
    const e = indexes.get(ix) ?? { level: null, type: null, shared: null };
    if (file === 'level') e.level = num(v);
    if (file === 'type') e.type = v.trim();
    if (file === 'shared_cpu_list') e.shared = v;
    indexes.set(ix, e);
  }
  // The LLC is the highest-level data or unified cache. Captures without "level" files still
  // name their index; the kernel numbers indexes from L1 upwards, so the highest index is the LLC.
  const candidates = [...indexes.entries()]
    .filter(([, e]) => e.shared !== null && e.type !== 'Instruction')
    .sort(([a, ea], [b, eb]) => (ea.level ?? -1) - (eb.level ?? -1) || Number(a.slice(5)) - Number(b.slice(5)));
  const top = candidates.at(-1);
  if (!top) return { level: null, shared: [] };
  return { level: top[1].level, shared: parseCpuList(top[1].shared ?? '') };
}

export function parseTopology(cpus: number[], dump: SysfsDump, cpuinfo: CpuinfoBlock[] = []): CpuTopologyEntry[] {
  const procs = new Map(processorBlocks(cpuinfo).map((b) => [Number(b.processor), b]));
  const entries = cpus.map((cpu): CpuTopologyEntry => {
    const t = (f: string) => dump.get(`cpu${cpu}/topology/${f}`);
    const info = procs.get(cpu);
    const llc = llcOf(dump, cpu);
    const siblings = t('thread_siblings_list');
    return {
      cpu,
      package: num(t('physical_package_id')) ?? num(info?.['physical id']),
      die: num(t('die_id')),
      cluster: num(t('cluster_id')),
      core: num(t('core_id')) ?? num(info?.['core id']),
      threadSiblings: siblings !== undefined ? parseCpuList(siblings) : [],
      llcShared: llc.shared,
      llcLevel: llc.level,
    };
  });
  // Without sysfs, SMT siblings are the CPUs that share a package and core id in cpuinfo.
  for (const e of entries) {
    if (e.threadSiblings.length || e.package === null || e.core === null) continue;
    e.threadSiblings = entries.filter((o) => o.package === e.package && o.core === e.core).map((o) => o.cpu);
  }
  return entries;
}
