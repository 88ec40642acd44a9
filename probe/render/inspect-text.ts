// The human summary of `inspect`: every fact on one screen, grouped as in the JSON, with each
// unknown and its reason listed at the end so a missing fact is never silently blank.
import { checkStatus } from './report-text.js';
import type { InspectReport, MachineFacts, SyscallOutcome, Unknowns } from '../records.js';
import { formatCpuList } from '../inspect/cpulist.js';
import type { Style } from './style.js';
import { tlbLines } from './tlb-text.js';

const list = (cpus: number[] | null) => (cpus === null ? 'unknown' : cpus.length ? formatCpuList(cpus) : 'none');
const yn = (v: boolean | null, s: Style) => (v === null ? s.dim('n/a') : v ? 'yes' : 'no');
const bytes = (n: number | 'unlimited' | null) =>
  n === null
    ? 'unknown'
    : n === 'unlimited'
      ? 'unlimited'
      : n >= 1 << 20
        ? `${n / (1 << 20)} MiB`
        : n >= 1024
          ? `${n / 1024} KiB`
          : `${n} B`;
const outcome = (o: SyscallOutcome | null, s: Style) =>
  o === null ? s.warn('not reached') : o.ok ? s.good('ok') : s.bad(`${o.code}`) + s.dim(` (${o.meaning})`);

function cpus(f: MachineFacts, s: Style): string[] {
  const c = f.cpus;
  const out = [
    `  online ${list(c.onlineList)} (${c.online ?? '?'})   possible ${list(c.possible)}   present ${list(c.present)}` +
      `   offline ${list(c.offline)}`,
    `  allowed for this process: ${list(c.allowed)}${c.allowedSource ? s.dim(` (${c.allowedSource})`) : ''}`,
    `  ${c.vendor ?? 'unknown vendor'} ${c.modelName ?? ''}` +
      (c.family !== null ? `, family ${c.family} model ${c.model} stepping ${c.stepping}` : '') +
      (c.implementer ? `, implementer ${c.implementer} part ${c.part}` : '') +
      (c.microcode ? `, microcode ${c.microcode}` : ''),
    `  flags: ${Object.entries(c.flags)
      .map(([k, v]) => `${k} ${yn(v, s)}`)
      .join(', ')}`,
    `  ${s.dim('cpu  package  die  cluster  core  smt-siblings  llc-shared')}`,
  ];
  for (const t of c.topology) {
    const cell = (v: number | null, w: number) => String(v ?? '?').padEnd(w);
    out.push(
      `  ${cell(t.cpu, 5)}${cell(t.package, 9)}${cell(t.die, 5)}${cell(t.cluster, 9)}${cell(t.core, 6)}` +
        `${(formatCpuList(t.threadSiblings) || '?').padEnd(14)}` +
        `${t.llcShared.length ? `${formatCpuList(t.llcShared)}${t.llcLevel ? ` (L${t.llcLevel})` : ''}` : '?'}`,
    );
  }
  return out;
}

function kernel(f: MachineFacts, s: Style): string[] {
  const k = f.kernel;
  const b = k.bootParams;
  return [
    `  ${k.release ?? 'unknown release'}` +
      `${k.major !== null ? s.dim(` (${k.major}.${k.minor ?? '?'}.${k.patch ?? '?'})`) : ''}`,
    `  ${s.dim(k.version ?? '')}`,
    `  boot: nohz_full=${b.nohz_full ?? '-'} isolcpus=${b.isolcpus ?? '-'} rcu_nocbs=${b.rcu_nocbs ?? '-'}`,
    `  live nohz_full: ${list(k.nohzFull)}   isolated: ${list(k.isolated)}`,
  ];
}

function hypervisor(f: MachineFacts, s: Style): string[] {
  const h = f.hypervisor;
  const out = [
    `  CPUID hypervisor bit: ${yn(h.cpuidHypervisorBit, s)}   ` +
      `vendor: ${h.vendor ?? (h.cpuidHypervisorBit ? 'unknown' : 'none (bare metal, or hidden)')}`,
  ];
  if (h.interfaces.length > 1)
    out.push(`  interfaces: ${h.interfaces.map((i) => `${i.vendor} at 0x${i.base.toString(16)}`).join(', ')}`);
  if (h.kvm) {
    out.push(
      `  KVM PV TLB ` +
        `flush: ${
          h.kvm.pvTlbFlush ? s.warn('yes') + s.dim(' (a preempted vCPU is flushed later, with no ' + 'IPI)') : 'no'
        }`,
    );
    out.push(`  KVM features: ${s.dim(h.kvm.names.join(' '))}`);
  }
  if (h.hyperv)
    out.push(
      `  Hyper-V remote TLB flush by ` +
        `hypercall: ${
          h.hyperv.remoteTlbFlushByHypercall ? s.bad('recommended') + s.dim(' (no IPI: mprotect ' + 'unsafe)') : 'no'
        }`,
    );
  if (h.xen) out.push(`  Xen ${h.xen.version ?? ''} at leaf 0x${h.xen.leafBase.toString(16)}`);
  const dmi = f.sandbox.dmi;
  if (dmi) out.push(`  firmware (DMI): ${[dmi.sysVendor, dmi.productName].filter(Boolean).join(', ') || 'empty'}`);
  const si = f.sandbox.systeminformation; // reports saved before inspect read DMI itself
  if (si)
    out.push(
      `  systeminformation ` +
        `says: ${si.virtual ? `virtual${si.virtualHost ? `, host ${si.virtualHost}` : ''}` : 'not virtual'}` +
        `${si.model ? `, model "${si.model}"` : ''}`,
    );
  return out;
}

function sandbox(f: MachineFacts, s: Style): string[] {
  const x = f.sandbox;
  const c = x.container;
  return [
    `  container: ${c ? `${c.kind} ${s.dim(`(${c.strength}: ${c.evidence.join('; ')})`)}` : 'none found'}`,
    `  gVisor: ${yn(x.gvisor, s)}   WSL: ${x.wsl ?? 'no'}` +
      `${x.evidence.length ? s.dim(` (${x.evidence.join('; ')})`) : ''}`,
  ];
}

function membarrier(f: MachineFacts, s: Style): string[] {
  const m = f.membarrier;
  const out: string[] = [];
  if (m.queryMask !== null) {
    out.push(
      `  QUERY mask ${m.queryMask}: ${
        m.commands
          .filter((c) => c.supported)
          .map((c) => c.name)
          .join(' ') || 'nothing'
      }`,
    );
    const missing = m.commands.filter((c) => c.supported === false).map((c) => c.name);
    if (missing.length) out.push(`  not supported: ${s.warn(missing.join(' '))}`);
  } else if (m.error) {
    out.push(`  QUERY failed: ${s.bad(m.error.code)} ${s.dim(`(${m.error.meaning})`)}`);
  } else {
    out.push(`  QUERY: ${s.warn('unknown')}`);
  }
  if (m.child?.end === 'signaled')
    out.push(
      `  ${s.bad(`a process calling membarrier here is killed (signal ${m.child.signal} at ${m.child.killedAt})`)}`,
    );
  for (const r of m.registrations) out.push(`  ${r.command.padEnd(38)}${outcome(r.outcome, s)}`);
  if (m.registeredMask !== null)
    out.push(
      `  GET_REGISTRATIONS after registering: ${m.registeredMask} (${m.registeredCommands.join(' ') || 'none'})`,
    );
  out.push(`  GLOBAL refused because of nohz_full: ${yn(m.globalRefusedByNohzFull, s)}`);
  return out;
}

function processFacts(f: MachineFacts, s: Style): string[] {
  const p = f.process;
  const locked = p.memlock.onePageLocked;
  return [
    `  RLIMIT_MEMLOCK soft ${bytes(p.memlock.soft)}, hard ${bytes(p.memlock.hard)}; one page locked: ` +
      (locked === null ? 'unknown' : locked ? s.good('yes') : s.warn(`no (${p.memlock.error})`)) +
      `; CAP_IPC_LOCK ${yn(p.capIpcLock, s)}`,
    `  seccomp: ${p.seccomp.modeName ?? 'unknown'}` +
      `${p.seccomp.filters !== null ? `, ${p.seccomp.filters} filter(s)` : ''}   ` +
      `tracer: ${p.tracerPid ? s.warn(`pid ${p.tracerPid}`) : 'none'}`,
  ];
}

function interrupts(f: MachineFacts, s: Style): string[] {
  const i = f.interrupts;
  if (!i.readable) return [`  /proc/interrupts: ${s.warn('not readable')} ${s.dim(`(${i.error})`)}`];
  const rows = i.rows.map((r) => `${r.id} ${s.dim(`(${r.role})`)}`).join(', ');
  return [
    `  /proc/interrupts readable, ${i.cpuColumns.length} CPU column(s); barrier rows: ${rows || s.warn('none found')}`,
  ];
}

function unknowns(f: MachineFacts, s: Style): string[] {
  const out: string[] = [];
  for (const [section, value] of Object.entries(f)) {
    const u = (value as { unknown?: Unknowns }).unknown;
    for (const [field, why] of Object.entries(u ?? {})) out.push(`  ${section}.${field}: ${s.dim(why)}`);
  }
  return out;
}

export function renderInspectText(r: InspectReport, s: Style): string {
  const f = r.system;
  const lines = [
    s.head(`${r.tool.name} ${r.tool.version} inspect`) + s.dim(`  ${f.platform.hostname}  ${r.generatedAt}`),
    `  ${f.platform.os} ${f.platform.arch} (kernel machine ${f.platform.machine}), Node ${f.platform.node}`,
    `  native addon: ${f.native.available ? s.good('loaded') : s.bad(`unavailable: ${f.native.reason}`)}`,
  ];
  const section = (title: string, body: string[]) => lines.push('', s.head(title), ...body);
  section('CPUs', cpus(f, s));
  section('Kernel', kernel(f, s));
  section('Hypervisor', hypervisor(f, s));
  section('TLB flush', tlbLines(f.tlb, s));
  section('Sandbox', sandbox(f, s));
  section('membarrier', membarrier(f, s));
  section('Process limits', processFacts(f, s));
  section('Interrupt accounting', interrupts(f, s));
  section('Timebase', [
    `  ${f.timebase.source}: ${f.timebase.reason}` +
      `${f.timebase.kernelClocksource ? s.dim(` (kernel clocksource ${f.timebase.kernelClocksource})`) : ''}`,
  ]);
  // The checklist carries the traps (quota, emulation, tracer, ...) and the field sample's findings.
  section(
    'Field checks',
    (r.checks ?? []).map(
      (c) => `  ${checkStatus(c.status, s)} ${c.title}: ${c.text}${s.dim(` (source: ${c.source})`)}`,
    ),
  );
  const u = unknowns(f, s);
  if (u.length) section('Unknown', u);
  return lines.join('\n') + '\n';
}
