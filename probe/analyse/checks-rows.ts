// What every field-check row shares: its title, the source of its knowledge, and the run evidence a
// row may draw on (checks.ts lists the rows in their fixed order).
import type { ExperimentPlan, FieldCheck, FieldCheckId, Risk, RunEvidence, Verdict } from '../records.js';
import type { Code } from '../codes.js';

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
  'fatal-denial': 'Fatal denial',
  'silent-success': 'Success that does nothing',
  'registration-cost': 'Registration cost',
  contention: 'Contention',
  'cpu-quota': 'CPU quota',
  'single-cpu': 'Single CPU',
  'cpu-hotplug': 'CPU hotplug',
  'user-mode-emulation': 'User-mode emulation',
  tracer: 'Tracer',
  'emulated-kernel': 'Emulated kernel',
  android: 'Android',
  'known-defects': 'Known kernel defects',
  mlock: 'mlock',
  'signals-self-test': 'Signals self-test',
};

export function row(id: FieldCheckId, status: FieldCheck['status'], code: Code, text: string, risk?: Risk): FieldCheck {
  return { id, title: TITLES[id], status, code, text, source: risk?.source ?? CHECK_SOURCES[id] };
}

// A row that reuses a risk carries the risk's id as its code.
export const fromRisk = (id: FieldCheckId, r: Risk): FieldCheck =>
  row(id, r.severity === 'unsafe' ? 'problem' : r.severity, r.id, r.text, r);
