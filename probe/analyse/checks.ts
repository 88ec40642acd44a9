// The field checklist: one row for every trap real deployments have hit (issue 7), whether or not
// it applies here, each with a one-line finding and the source of the knowledge. A report attached
// to a bug ticket then answers "was membarrier killed, faked, slow to register, contended, throttled,
// emulated, traced...?" without a second round trip. Rows that a risk already describes reuse the
// risk's text, so the two never disagree. Pure: facts (and a run, when there is one) in, rows out.
import type { ExperimentPlan, FieldCheck, FieldCheckId, MachineFacts, Risk, RunEvidence, Verdict } from '../records.js';
import { formatCpuList } from '../inspect/cpulist.js';
import { DEFECTS, defectsFor } from './defects.js';
import { risksOf } from './risks.js';
import { isNearNull, nullHasPower, pct, us } from './verdicts.js';
import { EMULATED_CPUS, emulatedCpus } from './emulation.js';
import { catalogueOf, isMembarrier, strategiesWhere } from '../catalogue.js';
import { finding, type Code, type Finding } from '../codes.js';

export interface CheckRun {
  plan: Pick<ExperimentPlan, 'readerCpus' | 'strategies'>;
  run: RunEvidence;
  verdicts: Record<string, Verdict>;
  /** The analysis's own risks (risksOf for this plan), so they are not derived twice. */
  risks: Risk[];
}

/** Where each row's knowledge comes from (a risk's own source wins when the row reuses it). */
export const CHECK_SOURCES: Record<FieldCheckId, string> = {
  'fatal-denial': 'dotnet/coreclr#24298, dotnet/runtime#92196',
  'silent-success': 'microsoft/mystikos#313, unikraft/unikraft#1321, google/gvisor#267',
  'registration-cost': 'dotnet/runtime#106722',
  contention: 'scylladb/seastar#2143',
  'cpu-quota': 'scylladb/seastar#2143 (Linux commit 944d5fe50f3f serialises membarrier calls)',
  'single-cpu': 'Linux kernel/sched/membarrier.c (returns at once when one CPU is online)',
  'cpu-hotplug': 'Linux kernel/sched/membarrier.c (IPIs go to the online CPUs of the moment, under cpus_read_lock)',
  'user-mode-emulation': 'QEMU linux-user (forwards membarrier to the host kernel)',
  tracer: 'rr-debugger/rr#1724',
  'emulated-kernel': 'google/gvisor#267; freebsd/freebsd-src sys/compat/linprocfs/linprocfs.c',
  android: 'dotnet/runtime#92686',
  'known-defects': 'probe/analyse/defects.ts (each entry cites its own source)',
  mlock: 'dotnet/coreclr#18634',
  'signals-self-test': 'JuliaLang/julia#63246',
};

const TITLES: Record<FieldCheckId, string> = {
  'fatal-denial': 'Fatal denial', 'silent-success': 'Success that does nothing', 'registration-cost': 'Registration cost',
  contention: 'Contention', 'cpu-quota': 'CPU quota', 'single-cpu': 'Single CPU', 'cpu-hotplug': 'CPU hotplug',
  'user-mode-emulation': 'User-mode emulation', tracer: 'Tracer', 'emulated-kernel': 'Emulated kernel', android: 'Android',
  'known-defects': 'Known kernel defects', mlock: 'mlock', 'signals-self-test': 'Signals self-test',
};


function row(id: FieldCheckId, status: FieldCheck['status'], code: Code, text: string, risk?: Risk): FieldCheck {
  return { id, title: TITLES[id], status, code, text, source: risk?.source ?? CHECK_SOURCES[id] };
}

// A row that reuses a risk carries the risk's id as its code.
const fromRisk = (id: FieldCheckId, r: Risk): FieldCheck =>
  row(id, r.severity === 'unsafe' ? 'problem' : r.severity, r.id, r.text, r);

function fatalDenial(f: MachineFacts, risks: Risk[]): FieldCheck {
  const mb = f.membarrier;
  const seccomp = risks.find((r) => r.id === 'seccomp-membarrier');
  if (mb.child?.end === 'signaled' && seccomp) return fromRisk('fatal-denial', seccomp);
  if (!mb.child) {
    return row('fatal-denial', 'unknown', 'denial-unchecked',
      `not checked: ${mb.unknown.queryMask ?? 'no membarrier child ran'}`);
  }
  if (mb.child.end !== 'exited') {
    return row('fatal-denial', 'unknown', 'denial-child-ended',
      `the membarrier child ended with "${mb.child.end}" before answering everything`);
  }
  if (mb.error) {
    return row('fatal-denial', 'warning', 'query-fails',
      `membarrier QUERY fails with ${mb.error.code} (${mb.error.meaning}), in a child that survived: ` +
      'runtimes see an error and fall back (see the runtime notes); nothing is killed');
  }
  const failed = mb.registrations.filter((r) => r.outcome && !r.outcome.ok);
  if (failed.length) {
    return row('fatal-denial', 'warning', 'registration-refused',
      `a child survived every call, but ${failed.map((r) => `${r.command} failed (${r.outcome!.ok ? '' : r.outcome!.code})`).join(', ')}: runtimes needing those fall back`);
  }
  return row('fatal-denial', 'ok', 'no-denial',
    `QUERY and every REGISTER answered in a short-lived child (mask ${mb.queryMask}): a process calling membarrier is not killed here`);
}

/** The run's verdicts when there are any; otherwise the field sample's effect measurement. */
function silentSuccess(f: MachineFacts, c?: CheckRun): FieldCheck {
  const emu = emulatedCpus(f);
  if (c) {
    const membarrier = new Set(strategiesWhere(catalogueOf(c.run), isMembarrier));
    const hollow = Object.values(c.verdicts).filter((v) => membarrier.has(v.strategy) && v.verdict === 'refuted' &&
      v.stats.interruptedShare !== null && v.stats.nullControlShare !== null && isNearNull(v.stats.interruptedShare, v.stats.nullControlShare));
    // Emulated CPUs: the shares time the emulator; only SB violations (not timing) still show a hollow call.
    const failed = hollow.filter((v) => v.stats.violations > 0);
    if (emu && failed.length) {
      return row('silent-success', 'problem', 'hollow-by-sb',
        `${failed.map((v) => `${v.strategy} (${v.stats.violations} SB violations in ${v.stats.trials} trials)`).join(', ')} ` +
        `returned without ordering a reader: refuted by SB outcomes, not timing (${EMULATED_CPUS}, ${emu}, so the interrupted shares say nothing)`);
    }
    if (hollow.length && !emu) {
      return row('silent-success', 'problem', 'hollow-call',
        `${hollow.map((v) => `${v.strategy} (${pct(v.stats.interruptedShare!)} of calls interrupted a reader)`).join(', ')} ` +
        `succeeded without reaching other CPUs, like the null syscall (${pct(hollow[0]!.stats.nullControlShare!)}): refuted`);
    }
  }
  const e = f.field?.effect;
  if (!e) {
    return row('silent-success', 'unknown', 'effect-unsampled',
      `not sampled: ${f.field?.unknown.effect ?? f.field?.unknown.child ?? (f.field ? 'the sample stopped before it' : 'no field sample (needs the native addon)')}`);
  }
  const m = e.membarrier, n = e.nullSyscall;
  if (e.error) {
    return row('silent-success', 'unknown', 'effect-stopped',
      `the sample stopped at ${e.error.what} (errno ${e.error.errno}) after ${m.calls} calls`);
  }
  if (m.interruptedShare === null || n.interruptedShare === null) {
    return row('silent-success', 'unknown', 'effect-no-on-cpu',
      'no call ran with the reader on its CPU');
  }
  const against = `the reader on the other CPU was interrupted in ${pct(m.interruptedShare)} of ${m.onCpuCalls} PRIVATE_EXPEDITED calls (p50 ${us(m.p50Ns!)}) against ${pct(n.interruptedShare)} for getpid`;
  // Under emulation the gap test times the emulator: a low share is no evidence of a hollow call.
  if (emu && !(m.interruptedShare >= 0.95 && !isNearNull(m.interruptedShare, n.interruptedShare))) {
    return row('silent-success', 'unknown', 'effect-emulated',
      `${EMULATED_CPUS} (${emu}), and a reader's clock gaps time the emulator, so ${against} says nothing either way`);
  }
  if (!nullHasPower(n.interruptedShare)) {
    return row('silent-success', 'unknown', 'effect-null-noisy',
      `${against}: getpid interrupts the reader that often too (a noisy host or steal time), so the sample cannot tell a hollow call from a working one`);
  }
  if (isNearNull(m.interruptedShare, n.interruptedShare)) {
    return row('silent-success', 'problem', 'hollow-call',
      `${against}: the call returns 0 without reaching other CPUs here`);
  }
  if (m.interruptedShare >= 0.95) {
    return row('silent-success', 'ok', 'effect-reaches',
      `${against}: the call reaches other CPUs${c ? '' : ' (a run judges it at length)'}${emu ? ` (${EMULATED_CPUS})` : ''}`);
  }
  return row('silent-success', 'warning', 'effect-partial', `${against}: it reaches other CPUs only part of the time`);
}

function registration(f: MachineFacts, c?: CheckRun): FieldCheck {
  const r = c?.run.registrationCost;
  const fs = f.field?.registration;
  const fresh = r?.fresh.ok ? r.fresh : fs?.fresh;
  // A child of a registered process inherits the registration: its REGISTER times a no-op.
  const inherited = (x?: { note: Finding | null } | null) => x?.note?.code === 'registration-inherited';
  const threaded = r?.threaded.ok ? { ...r.threaded, where: 'in this multi-threaded process' }
    : fs?.threaded?.ok && !inherited(fs.threaded) ? { ...fs.threaded, where: `in a child with ${fs.threaded.threads} threads` } : null;
  if (!r && inherited(fs?.threaded)) {
    return row('registration-cost', 'unknown', 'registration-inherited',
      'this process was already registered, so the sampling child\'s registration was a no-op');
  }
  if (!threaded?.ns || !fresh?.ok || fresh.ns === null) {
    const [code, why] = fs?.threaded && !fs.threaded.ok ? ['registration-failed', `REGISTER_PRIVATE_EXPEDITED failed (errno ${fs.threaded.errno})`] as const
      : ['registration-untimed', 'no registration was timed'] as const;
    return row('registration-cost', 'unknown', code, why);
  }
  const slow = threaded.ns > 1e6;
  const emu = emulatedCpus(f);
  return row('registration-cost', slow || emu ? 'note' : 'ok', emu ? 'registration-emulated' : slow ? 'registration-slow' : 'registration-fast',
    `${emu ? `${EMULATED_CPUS} (${emu}), so these figures are the emulator's: ` : ''}first REGISTER_PRIVATE_EXPEDITED: ${us(fresh.ns)} single-threaded, ${us(threaded.ns)} ${threaded.where}` +
    (slow ? ' (the kernel waits for an RCU grace period once threads exist): register before the first thread starts' : ''));
}

/** The run's contention of PRIVATE_EXPEDITED when it ran; else the field sample's short one. */
function contention(f: MachineFacts, c?: CheckRun): FieldCheck {
  // The row is about the PRIVATE_EXPEDITED command (the one the field sample measures too).
  const priv = strategiesWhere(catalogueOf(c?.run), (d) => d.caps.membarrier?.command === 'MEMBARRIER_CMD_PRIVATE_EXPEDITED')[0] ?? '';
  const fromRun = c?.run.contention?.[priv]?.map((p) => ({ writers: p.writers, p50Ns: p.latencyNs.p50, p99Ns: p.latencyNs.p99, calls: p.latencyNs.calls, descheduledCalls: p.descheduledCalls ?? 0 }));
  // Writer counts the plan could not give a CPU each (phase keys are contention:<strategy>:<writers>).
  const notMeasured = (c?.run.phases ?? []).filter((p) => p.kind === 'contention' && p.key.startsWith(`contention:${priv}:`) && p.skip)
    .map((p) => p.skip!.code === 'no-cpus' ? p.skip!.reason : `contention with ${p.key.split(':').pop()} writers ${p.skip!.reason}`);
  const run = !!fromRun?.length;
  const pts = run ? fromRun! : f.field?.contention;
  const emu = emulatedCpus(f);
  const lead = emu ? `${EMULATED_CPUS} (${emu}), so these latencies are the emulator's; ` : '';
  if (!pts?.length) {
    const why = notMeasured.length ? notMeasured.join('; ') : `not measured: ${f.field?.unknown.contention ?? 'no call by several threads ran with the reader on its CPU'}`;
    return row('contention', 'unknown', 'contention-unmeasured', `${lead}${why}`);
  }
  const list = (k: 'p50Ns' | 'p99Ns') => pts.map((p) => us(p[k])).join(' / ');
  const one = pts.find((p) => p.writers === 1), most = pts[pts.length - 1]!;
  const ratio = one && one.p99Ns > 0 && most !== one ? most.p99Ns / one.p99Ns : null;
  const apart = pts.reduce((n, p) => n + p.descheduledCalls, 0);
  const caveats = [
    ...(apart ? [`${apart} calls made while the reader was switched out (no IPI needed) are left out`] : []),
    // The run gives each writer a CPU of its own; the field sample pins all its callers to one.
    ...(!run && pts.some((p) => p.writers > 1) ? ['the sample\'s callers share one CPU, so the scheduler serialises them as much as the kernel does'] : []),
    // Also beside the field sample: the run's own reasons for every count it did not measure.
    ...(run ? notMeasured : notMeasured.map((t) => `in the run, ${t}`)),
  ];
  const callers = pts.length === 1 && pts[0]!.writers === 1 ? '1 caller' : `${pts.map((p) => p.writers).join(' / ')} concurrent callers`;
  const queues = ratio !== null && ratio > 3 && !emu;
  return row('contention', queues ? 'warning' : 'note', queues ? 'contention-queues' : 'contention-measured',
    `${lead}PRIVATE_EXPEDITED with ${callers}: p50 ${list('p50Ns')}, p99 ${list('p99Ns')}` +
    `${run ? '' : ' (a short sample)'}${ratio !== null ? ` (p99 x${ratio.toFixed(1)} from 1 to ${most.writers})` : ''}; the kernel serialises expedited calls, so concurrent callers queue` +
    (caveats.length ? `; ${caveats.join('; ')}` : ''));
}

function hotplug(f: MachineFacts, c?: CheckRun): FieldCheck {
  const o = c?.run.onlineCpus;
  if (o && o.before !== o.after) {
    return row('cpu-hotplug', 'problem', 'cpu-set-changed',
      `the online CPU set changed during the run (${o.before} → ${o.after}): every verdict is inconclusive`);
  }
  const offline = f.cpus.offline ?? [];
  const now = offline.length ? `CPUs ${formatCpuList(offline)} are offline: a barrier does not wait for them, and one coming online mid-run changes what it must reach` : 'no CPU is offline';
  return row('cpu-hotplug', offline.length ? 'note' : 'ok', offline.length ? 'cpus-offline' : 'no-cpu-offline',
    o ? `${now}; the online set was the same before and after the run (${o.after})` : `${now}; a run compares the online set before and after and is inconclusive if it changed`);
}

function defects(f: MachineFacts): FieldCheck {
  const hit = defectsFor(f);
  if (!hit.length) {
    return row('known-defects', 'ok', 'no-known-defect',
      `none of the ${DEFECTS.length} table entries applies to Linux ${f.kernel.release} on ${f.platform.machine}`);
  }
  const worst = hit.some((d) => d.severity === 'unsafe') ? 'problem' : hit.some((d) => d.severity === 'warning') ? 'warning' : 'note';
  return { ...row('known-defects', worst, 'known-defects-apply',
    `${hit.length} of ${DEFECTS.length} apply to Linux ${f.kernel.release} on ${f.platform.machine}: ${hit.map((d) => `${d.id}: ${d.text}`).join('; ')}`),
    source: hit.map((d) => d.source).filter((s, i, a) => a.indexOf(s) === i).join('; ') };
}

function mlock(f: MachineFacts, risks: Risk[]): FieldCheck {
  const r = risks.find((x) => x.id === 'mlock-refused');
  if (r) return fromRisk('mlock', r);
  const m = f.process.memlock;
  if (m.onePageLocked === null) {
    return row('mlock', 'unknown', 'mlock-unchecked',
      `not checked: ${f.process.unknown.memlock ?? 'needs the native addon'}`);
  }
  const limit = m.soft === 'unlimited' ? 'unlimited' : m.soft === null ? 'unknown' : `${m.soft} bytes`;
  return row('mlock', 'ok', 'mlock-ok',
    `one page locked (RLIMIT_MEMLOCK ${limit}${f.process.capIpcLock ? ', CAP_IPC_LOCK held' : ''}): runtimes whose mprotect fallback locks a page can start`);
}

function signals(f: MachineFacts): FieldCheck {
  const s = f.field?.signalsSelfTest;
  if (!s) {
    return row('signals-self-test', 'unknown', 'signals-self-test-unreached',
      'not reached: the field sample stopped before it or did not run');
  }
  return s.ok ? row('signals-self-test', 'ok', 'signals-self-test-ok',
    'a signals barrier issued by a registered reader thread returned: the writer never signals itself, so it cannot wait on its own handler')
    : row('signals-self-test', 'problem', 'signals-self-test-failed',
      `a signals barrier issued by a registered thread failed (errno ${s.errno}): a writer that is also a reader would deadlock or fail`);
}

export function checksOf(f: MachineFacts, c?: CheckRun): FieldCheck[] {
  // Without a run there is no plan: the sample's reader stands for the readers a run would use.
  const risks = c?.risks ?? risksOf(f, { readerCpus: f.field?.cpus ? [f.field.cpus.reader] : f.cpus.onlineList.slice(1), strategies: [] });
  const byRisk = (id: FieldCheckId, riskId: Code, ok: Finding, unknown?: Finding): FieldCheck => {
    const r = risks.find((x) => x.id === riskId);
    if (r) return fromRisk(id, r);
    return unknown ? row(id, 'unknown', unknown.code, unknown.text) : row(id, 'ok', ok.code, ok.text);
  };
  const t = f.traps;
  const noTraps = t ? undefined : finding('traps-unchecked', 'not checked: the report predates environment traps');
  const wsl2 = risks.find((r) => r.id === 'wsl2');
  return [
    fatalDenial(f, risks),
    silentSuccess(f, c),
    registration(f, c),
    contention(f, c),
    byRisk('cpu-quota', 'cpu-quota', finding('no-cpu-quota', 'no CPU bandwidth limit (cgroup v2 cpu.max or v1 CFS quota) on this process\'s cgroup path'), noTraps),
    byRisk('single-cpu', 'single-cpu', finding('several-cpus', `${f.cpus.online} CPUs online: a barrier has other CPUs to reach`)),
    hotplug(f, c),
    byRisk('user-mode-emulation', 'user-mode-emulation', finding('native-process',
      t ? `the process (${t.emulation.processArch}) runs natively: its arch matches the CPU's (${t.emulation.cpuinfoFamily ?? t.emulation.kernelMachine})` : ''), noTraps),
    byRisk('tracer', 'tracer-attached', finding('no-tracer', 'no tracer or record-replay tool is attached (TracerPid 0)'),
      noTraps ?? (f.process.tracerPid === null ? finding('tracer-unreadable', 'not checked: TracerPid unreadable') : undefined)),
    wsl2 ? fromRisk('emulated-kernel', wsl2)
      : byRisk('emulated-kernel', 'emulated-kernel', finding('real-kernel', 'no sign of gVisor, WSL1 or FreeBSD\'s Linux emulation: a real Linux kernel answers')),
    t?.android ? byRisk('android', 'android-old-api', finding('android-recent', `Android API level ${t.android.sdk}: runtimes use membarrier here (29 and later)`))
      : byRisk('android', 'android-old-api', finding('not-android', 'not Android'), noTraps),
    defects(f),
    mlock(f, risks),
    signals(f),
  ];
}
