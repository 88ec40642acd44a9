// CPU facts: which CPUs exist and may be used, what they are, and how they are laid out.
import type { CpuFacts, Unknowns } from '../records.js';
import type { NativeLoad } from '../native.js';
import { errnoName } from '../errno.js';
import { parseCpuList } from './cpulist.js';
import { cpuIdentity, parseCpuinfo } from './cpuinfo.js';
import { listDir, readText, type ReadResult } from './read.js';
import { parseStatus } from './status.js';
import { parseTopology, topologyPaths, type SysfsDump } from './topology.js';

const SYS_CPU = '/sys/devices/system/cpu';

async function readList(name: string, unknown: Unknowns, field: string): Promise<number[] | null> {
  const r = await readText(`${SYS_CPU}/${name}`);
  if (!r.ok) {
    unknown[field] = r.reason;
    return null;
  }
  return parseCpuList(r.text);
}

async function readTopologyDump(cpus: number[]): Promise<SysfsDump> {
  const dump: SysfsDump = new Map();
  await Promise.all(
    cpus.map(async (cpu) => {
      const indexes = (await listDir(`${SYS_CPU}/cpu${cpu}/cache`)).filter((d) => d.startsWith('index'));
      await Promise.all(
        topologyPaths(cpu, indexes).map(async (p) => {
          const r = await readText(`${SYS_CPU}/${p}`);
          if (r.ok) dump.set(p, r.text);
        }),
      );
    }),
  );
  return dump;
}

/** sched_getaffinity through the addon, else the kernel's own Cpus_allowed_list. */
async function readAllowed(
  native: NativeLoad,
  unknown: Unknowns,
): Promise<Pick<CpuFacts, 'allowed' | 'allowedSource'>> {
  if (native.ok) {
    const r = native.addon.getAffinity();
    if (r.ok) return { allowed: r.cpus, allowedSource: 'sched_getaffinity' };
    unknown.allowed = `sched_getaffinity failed: ${errnoName(r.errno)}`;
  }
  const st = await readText('/proc/self/status');
  const list = st.ok ? parseStatus(st.text).Cpus_allowed_list : undefined;
  if (list !== undefined) return { allowed: parseCpuList(list), allowedSource: '/proc/self/status' };
  unknown.allowed ??= st.ok ? 'no Cpus_allowed_list in /proc/self/status' : st.reason;
  return { allowed: null, allowedSource: null };
}

/** `cpuinfo` is /proc/cpuinfo as inspect read it once for every module that needs it. */
export async function readCpus(native: NativeLoad, cpuinfo: Promise<ReadResult>): Promise<CpuFacts> {
  const unknown: Unknowns = {};
  const [onlineList, possible, present, offline, cpuinfoText] = await Promise.all([
    readList('online', unknown, 'onlineList'),
    readList('possible', unknown, 'possible'),
    readList('present', unknown, 'present'),
    readList('offline', unknown, 'offline'),
    cpuinfo,
  ]);
  if (!cpuinfoText.ok) unknown.cpuinfo = cpuinfoText.reason;
  const blocks = cpuinfoText.ok ? parseCpuinfo(cpuinfoText.text) : [];
  const id = cpuIdentity(blocks);
  const online = onlineList ?? [];
  const [allowed, dump] = await Promise.all([readAllowed(native, unknown), readTopologyDump(online)]);
  const topology = parseTopology(online, dump, blocks);
  if (online.length && dump.size === 0)
    unknown.topology = `${SYS_CPU}/cpuN/topology is not readable; package and core come from /proc/cpuinfo`;
  for (const f of ['vendor', 'modelName', 'microcode'] as const) {
    if (id[f] === null)
      unknown[f] = cpuinfoText.ok ? `/proc/cpuinfo has no ${f} field on this arch` : cpuinfoText.reason;
  }
  return {
    online: onlineList ? onlineList.length : null,
    onlineList: online,
    possible: possible ?? [],
    present: present ?? [],
    offline: offline ?? [],
    ...allowed,
    vendor: id.vendor,
    modelName: id.modelName,
    family: id.family,
    model: id.model,
    stepping: id.stepping,
    microcode: id.microcode,
    implementer: id.implementer,
    part: id.part,
    flags: id.flags,
    topology,
    unknown,
  };
}
