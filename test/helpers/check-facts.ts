// The facts the field-checklist and field-risk tests start from (checks, checks-run, field-risks): the
// recorded KVM guest report (test/fixtures/reports, saved before the field sample and traps existed),
// plus a field sample shaped as this machine's inspect returns it. Apart so both test files share one copy.
import type { FieldCheck, FieldFacts, MachineFacts, Report, TrapFacts } from '../../probe/records.js';
import { checksOf } from '../../probe/analyse/checks.js';
import { fieldFacts } from '../../probe/inspect/field.js';
import { localReport } from '../unit/fixtures.js';

export const recorded: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');

export const traps = (): TrapFacts => ({
  cpuQuota: null,
  tracer: null,
  freebsdLinuxulator: false,
  android: null,
  unknown: {},
  emulation: {
    processArch: 'x64',
    addonArch: 'x86_64',
    kernelMachine: 'x86_64',
    cpuinfoFamily: 'x86',
    userModeEmulation: false,
    evidence: [],
  },
});
// As sampleFieldInChild returned it on the 2-vCPU Intel guest (200 calls of each kind).
export const field = (): FieldFacts =>
  fieldFacts(
    {
      end: 'exited',
      exitCode: 0,
      signal: 0,
      forkErrno: 0,
      threaded: { ok: true, ns: 11026202, threads: 2 },
      effect: {
        errno: 0,
        what: '',
        membarrier: { calls: 200, onCpuCalls: 199, interrupted: 199, p50Ns: 15008 },
        nullSyscall: { calls: 200, onCpuCalls: 199, interrupted: 1, p50Ns: 125 },
        gapThresholdNs: 1000,
      },
      contention: [1, 2, 4].map((writers) => ({
        writers,
        status: 'ok' as const,
        errno: 0,
        p50Ns: 14400,
        p99Ns: 17600,
        maxNs: 19900,
        calls: 205,
        descheduledCalls: 0,
      })),
      signalsSelfTest: 0,
    },
    { ok: true, ns: 239 },
    { writer: 0, reader: 1 },
  );

export function facts(fn: (f: MachineFacts) => void = () => {}): MachineFacts {
  const f = structuredClone(recorded.system);
  f.traps = traps();
  f.field = field();
  fn(f);
  return f;
}
export const get = (rows: FieldCheck[], id: string) => rows.find((r) => r.id === id)!;
export const status = (fn: (f: MachineFacts) => void, id: string) => get(checksOf(facts(fn)), id);
