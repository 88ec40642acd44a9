// `lscpu -p` captures (util-linux's expected outputs of real hosts' dumps) as the topology record
// inspect builds from sysfs: package = Socket, core = Core, SMT siblings = CPUs of the same
// socket and core, LLC = CPUs with the same last cache id. Test-only: the probe reads sysfs itself.
import type { CpuTopologyEntry } from '../../probe/records.js';

export interface LscpuCpu {
  cpu: number;
  core: number;
  socket: number;
  node: number;
  llc: number;
}

/** The first `# CPU,Core,Socket,Node,...` table of a capture (lscpu's own renumbered ids). */
export function parseLscpuP(text: string): LscpuCpu[] {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => /^# CPU,Core,Socket,Node/.test(l));
  if (head < 0) throw new Error('no lscpu -p table');
  const cols = lines[head].slice(2).split(',');
  const at = (name: string) => cols.indexOf(name);
  const llcCol = cols.length - 1;
  const out: LscpuCpu[] = [];
  for (const l of lines.slice(head + 1)) {
    if (!/^\d/.test(l)) break;
    const f = l.split(',').map(Number);
    out.push({ cpu: f[at('CPU')], core: f[at('Core')], socket: f[at('Socket')], node: f[at('Node')], llc: f[llcCol] });
  }
  return out;
}

export function lscpuTopology(text: string): CpuTopologyEntry[] {
  const cpus = parseLscpuP(text);
  return cpus.map((c) => ({
    cpu: c.cpu,
    package: c.socket,
    die: 0,
    cluster: null,
    core: c.core,
    threadSiblings: cpus.filter((o) => o.socket === c.socket && o.core === c.core).map((o) => o.cpu),
    llcShared: cpus.filter((o) => o.llc === c.llc).map((o) => o.cpu),
    llcLevel: 3,
  }));
}
